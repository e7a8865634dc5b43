"""Benchmark the quote explorer on a million curated quotes.

Run from the repository root::

    .venv/bin/python bench/quotes.py                  # 1,000,000 quotes
    .venv/bin/python bench/quotes.py --quotes 50000   # a quick run

The script drops and recreates the database named in ``--database-url``
(``newsreader_bench_quotes`` on the local server by default), migrates it
and COPYs in 20 outlets, 5,000 speakers (people and organisations), an
article for every ten quotes with one adjudicated review, and the quotes:
one part each, a sentence of English-looking news, a tenth of them by a
source described rather than named; their CuratedQuote rows are built after
the COPY, in one statement. It then times ``GET /quotes/`` through
Django's test client, unfiltered, for searches of common, middling and rare
words and with filters, and sends each request's own SQL again through
psycopg (the raw SQL beside it); then ``/stats/`` and the most quoted
speaker's page, which read the same rows; and what keeping a CuratedQuote
row adds to a write of the gold. ``--explain`` prints the plans of the slowest
searches. It drops the database at the end unless ``--keep``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import common  # noqa: E402  (beside this file, so on the path when run)
from common import Timings, table, timed, verdict  # noqa: E402
from search import (  # noqa: E402
    FIRST_NAMES,
    FUNCTION_WORDS,
    GENERAL_WORDS,
    SURNAMES,
    TOPICS,
    capture_sql,
    run_raw,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsreader_bench_quotes"
TARGET_SEARCH_P95_MS = 100.0
QUOTES_PER_ARTICLE = 10
SOURCES = 20
SPEAKERS = 5_000
START = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
DAYS = 5 * 365

# Searches by how common their words are among the quotes.
SEARCHES = {
    "common": ["government", "people", "officials", "country", "report"],
    "middling": ["election", "inflation", "vaccine", "ceasefire", "strike"],
    "rare": ["orchestra", "leasehold", "semiconductor", "inquest", "ferry"],
    "phrases": ['"prime minister"', "climate -flood", "talks or summit"],
}


def vocabulary() -> list[str]:
    topics = [word for words in TOPICS.values() for word in words]
    # Function words often, general ones less, topic words least: as in news.
    return FUNCTION_WORDS * 12 + GENERAL_WORDS * 3 + topics


def sentence(rng: random.Random, words: Sequence[str]) -> str:
    return " ".join(rng.choices(words, k=rng.randint(6, 24))).capitalize()


def load(n_quotes: int, seed: int) -> None:
    """COPY the outlets, speakers, articles, reviews and quotes in."""
    from django.contrib.auth.models import User
    from django.db import connection

    from annotations.models import Quote, Review, Span
    from newsreader.models import Article, Entity, Source

    rng = random.Random(seed)
    words = vocabulary()
    curator = User.objects.create_user("curator", is_staff=True)
    Source.objects.bulk_create(Source(name=f"Outlet {n}") for n in range(SOURCES))
    sources = list(Source.objects.values_list("pk", flat=True))
    names = {f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}" for _ in range(20_000)}
    people = sorted(names)[: SPEAKERS * 4 // 5]
    Entity.objects.bulk_create(
        [Entity(name=name, slug=f"p{n}", kind="PERSON")
         for n, name in enumerate(people)]
        + [
            Entity(name=f"Ministry of {rng.choice(GENERAL_WORDS).title()} {n}",
                   slug=f"o{n}", kind="ORG")
            for n in range(SPEAKERS - len(people))
        ]
    )  # fmt: skip
    speakers = list(Entity.objects.values_list("pk", flat=True))
    now = dt.datetime.now(dt.UTC)
    n_articles = -(-n_quotes // QUOTES_PER_ARTICLE)

    def copy(model, columns: list[str], rows) -> None:
        quoted = ", ".join(f'"{column}"' for column in columns)  # "end" is a keyword
        statement = f"COPY {model._meta.db_table} ({quoted}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as out:
            for row in rows:
                out.write_row(row)

    # Row by row, the triggers that keep CuratedQuote would make the load ten
    # times longer: they are off for the COPY, and the rows are then built
    # in one statement, as the migration builds them for the gold there.
    def triggers(action: str) -> None:
        with connection.cursor() as cursor:
            for model in (Quote, Span):
                cursor.execute(
                    f"ALTER TABLE {model._meta.db_table} {action} TRIGGER USER"
                )

    triggers("DISABLE")
    bodies = [f"Article {n}." for n in range(n_articles)]
    copy(
        Article,
        ["id", "source_id", "url", "title", "byline", "published_at", "language"]
        + ["body", "body_sha256", "created_at"],
        (
            (n + 1, rng.choice(sources), "", sentence(rng, words)[:80], "",
             START + dt.timedelta(days=rng.uniform(0, DAYS)), "en", body,
             Article.hash_body(body), now)
            for n, body in enumerate(bodies)
        ),
    )  # fmt: skip
    copy(
        Review,
        ["id", "article_id", "reviewer_id", "status", "created_at"],
        ((n + 1, n + 1, curator.pk, "adjudicated", now) for n in range(n_articles)),
    )
    types = [t for t, share in (("direct", 5), ("partial", 2), ("indirect", 3))
             for _ in range(share)]  # fmt: skip
    texts = [sentence(rng, words) for _ in range(n_quotes)]
    copy(
        Quote,
        ["id", "article_id", "review_id", "speaker_id", "speaker_description"]
        + ["type", "created_at", "updated_at"],
        (
            (n + 1, n // QUOTES_PER_ARTICLE + 1, n // QUOTES_PER_ARTICLE + 1,
             None if described else rng.choice(speakers),
             "officials" if described else "", rng.choice(types), now, now)
            for n in range(n_quotes)
            for described in [rng.random() < 0.1]
        ),
    )  # fmt: skip
    copy(
        Span,
        ["article_id", "review_id", "quote_id", "start", "end", "exact", "prefix"]
        + ["suffix", "status", "origin", "created_at", "updated_at"],
        (
            (n // QUOTES_PER_ARTICLE + 1, n // QUOTES_PER_ARTICLE + 1, n + 1,
             (n % QUOTES_PER_ARTICLE) * 200, (n % QUOTES_PER_ARTICLE) * 200 + len(text),
             text, "", "", "accepted", "human", now, now)
            for n, text in enumerate(texts)
        ),
    )  # fmt: skip
    triggers("ENABLE")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT annotations_curatedquote_refresh(ARRAY("
            "SELECT id FROM annotations_quote))"
        )
        for model in (Article, Review, Quote, Source, Entity):
            table_name = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
                f"(SELECT max(id) FROM {table_name}))"
            )
        cursor.execute("VACUUM ANALYZE")


UPDATE = (
    "UPDATE annotations_quote SET type = CASE type"
    " WHEN 'direct' THEN 'partial' ELSE 'direct' END WHERE id = %s"
)


def gold_writes(samples: int, seed: int) -> dict[str, Timings]:
    """A curator's change to one curated quote (its type), with the trigger
    that keeps its CuratedQuote row and without it."""
    from django.db import connection

    rng = random.Random(seed)
    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM annotations_quote")
        (last,) = cursor.fetchone()
        for state in ("with the row kept", "without"):
            action = "ENABLE" if state != "without" else "DISABLE"
            trigger = "curatedquote_quote_update"
            cursor.execute(f"ALTER TABLE annotations_quote {action} TRIGGER {trigger}")
            timings[state] = Timings(state)
            for pk in rng.choices(range(1, last + 1), k=samples):
                timings[state].add(timed(lambda pk=pk: cursor.execute(UPDATE, [pk]))[0])
        cursor.execute("ALTER TABLE annotations_quote ENABLE TRIGGER USER")
    return timings


def requests(seed: int) -> list[tuple[str, dict[str, str]]]:
    """(group, query string) of each request timed."""
    from newsreader.models import Entity, Source

    rng = random.Random(seed)
    named = list(Entity.objects.order_by("?").values_list("name", flat=True)[:5])
    outlets = list(Source.objects.values_list("pk", flat=True))
    timed_requests = [("no search", {})]
    for group, queries in SEARCHES.items():
        timed_requests += [(f"words: {group}", {"q": q}) for q in queries]
    timed_requests += [("speaker", {"speaker": name.split()[-1]}) for name in named]
    for q in SEARCHES["middling"]:
        timed_requests.append(
            (
                "words and filters",
                {
                    "q": q,
                    "kind": rng.choice(["PERSON", "ORG", "described"]),
                    "source": str(rng.choice(outlets)),
                    "date_from": "2023-01-01",
                    "date_to": "2024-06-30",
                },
            )
        )
    timed_requests += [("type and outlet", {"type": "partial", "source": str(o)})
                       for o in outlets[:5]]  # fmt: skip
    return timed_requests


def bench(
    timed_requests: Sequence[tuple[str, dict[str, str]]], repeat: int
) -> tuple[dict[str, tuple[Timings, Timings]], dict[str, int], list[Timings]]:
    """For each group, the view's and the raw SQL's timings; matches per
    request; and the timings of the other pages that read the quotes."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    # The manifest storage needs collectstatic; plain storage renders the same.
    storages = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    client = Client()
    groups: dict[str, tuple[Timings, Timings]] = {}
    matches = {}
    with override_settings(
        STORAGES=storages, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]
    ):

        def get(params: dict[str, str]) -> Any:
            response = client.get("/quotes/", params)
            if response.status_code != 200 or 'class="errors"' in response.text:
                raise RuntimeError(f"GET /quotes/ {params}: {response.status_code}")
            return response

        get({})  # warm up: URL resolver, templates, connection
        for group, params in timed_requests:
            view, raw = groups.setdefault(group, (Timings(group), Timings(group)))
            calls = capture_sql(lambda params=params: get(params))
            response = get(params)
            count = re.search(r'<p class="count">([\d,]+)', response.text)[1]
            matches[str(params)] = int(count.replace(",", ""))
            for _ in range(repeat):  # alternate, so that drift hits both alike
                view.add(timed(lambda params=params: get(params))[0])
                raw.add(timed(lambda calls=calls: run_raw(calls))[0])

        from annotations import quoted

        (most_quoted,) = quoted.top_speakers(1)
        pages = [
            Timings("GET /stats/ (the charts)"),
            Timings(f"GET /entities/<slug>/ ({most_quoted.quoted} quotes)"),
        ]
        for timings, path in zip(
            pages, ["/stats/", most_quoted.get_absolute_url()], strict=True
        ):
            client.get(path)
            for _ in range(repeat):
                timings.add(timed(lambda path=path: client.get(path))[0])
    return groups, matches, pages


def explain(params: dict[str, str]) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        calls = capture_sql(lambda: Client().get("/quotes/", params))
    with connection.connection.cursor() as cursor:
        for sql, sql_params in calls:
            if "annotations_curatedquote" not in sql:
                continue
            print(f"\n--- EXPLAIN ANALYZE, {params}:\n{sql}\n{sql_params}\n")
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", sql_params)
            print("\n".join(line for (line,) in cursor.fetchall()))


def report(
    n_quotes: int,
    load_s: float,
    groups: dict[str, tuple[Timings, Timings]],
    timed_requests: Sequence[tuple[str, dict[str, str]]],
    matches: dict[str, int],
    pages: Sequence[Timings],
    writes: dict[str, Timings],
) -> str:
    rows = []
    for group, (view, raw) in groups.items():
        hits = [matches[str(p)] for g, p in timed_requests if g == group]
        rows.append([
            group, f"{min(hits):,}-{max(hits):,}", f"{view.p50:.1f}",
            f"{view.p95:.1f}", f"{raw.p50:.1f}", f"{raw.p95:.1f}",
        ])  # fmt: skip
    searches = Timings("every request")
    for view, _ in groups.values():
        searches.samples_ms += view.samples_ms
    lines = [
        f"== Quote explorer, {n_quotes:,} curated quotes (loaded in {load_s:.0f} s)",
        table(
            ["request", "matches", "p50 ms", "p95 ms", "raw SQL p50", "raw SQL p95"],
            rows,
        ),
        "",
        f"every request: p50 {searches.p50:.1f} ms, p95 {searches.p95:.1f} ms "
        f"(target p95 < {TARGET_SEARCH_P95_MS:.0f} ms: "
        f"{verdict(searches.p95 < TARGET_SEARCH_P95_MS)})",
        "matches: what the page counts, at most SEARCH_CANDIDATES (the newest).",
        *(f"{t.label}: p50 {t.p50:.1f} ms" for t in pages),
        "a curated quote's type changed, p50: "
        + ", ".join(f"{t.p50:.2f} ms {state}" for state, t in writes.items()),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = common.argument_parser(__doc__, DEFAULT_DATABASE_URL)
    parser.add_argument("--quotes", type=int, default=1_000_000, metavar="N")
    parser.add_argument("--repeat", type=int, default=5, help="times each request")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--explain", action="store_true", help="print query plans")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)
    common.fresh_database(args.database_url)
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0, interactive=False)
        print(f"Loading {args.quotes:,} quotes …", flush=True)
        load_s, _ = timed(lambda: load(args.quotes, args.seed))
        timed_requests = requests(args.seed)
        print(f"Timing {len(timed_requests)} requests …", flush=True)
        groups, matches, pages = bench(timed_requests, args.repeat)
        writes = gold_writes(500, args.seed)
        print(
            report(args.quotes, load_s, groups, timed_requests, matches, pages, writes)
        )
        if args.explain:

            def slowest(request: tuple[str, dict[str, str]]) -> float:
                return groups[request[0]][0].p95

            for _, params in sorted(timed_requests, key=slowest)[-2:]:
                explain(params)
    finally:
        connections.close_all()
        if not args.keep:
            common.drop_database(args.database_url)


if __name__ == "__main__":
    main()
