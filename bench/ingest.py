"""Benchmark ingestion on a throwaway database: the JSONL import rate.

Run from the repository root::

    .venv/bin/python bench/ingest.py                  # 20,000 articles
    .venv/bin/python bench/ingest.py --articles 2000  # a quick run

The script drops and recreates the database named in ``--database-url``
(``newsreader_bench_ingest`` on the local server by default), migrates it,
then runs each section below and prints one table of figures against the
targets of issue 5. It drops the database at the end unless ``--keep`` is
given. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import common  # noqa: E402  (beside this file, so on the path when run)
from common import table, verdict  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsreader_bench_ingest"

TARGET_IMPORT_RATE = 2_000  # articles/s, JSONL, duplicate checks included

Row = tuple[str, str, str, str]  # measure, figure, target, verdict
HEADER = ("measure", "figure", "target", "verdict")


# --------------------------------------------------------------------------
# Import


def write_jsonl(path: Path, n: int, seed: int, repeat_every: int) -> int:
    """N synthetic articles as JSONL, as the importer reads them; returns the lines.

    The articles are bench/search.py's (300–1,500 words of Zipf-weighted news
    vocabulary with names, quotes and paragraphs, one of 20 sources). Every
    ``repeat_every``-th line repeats an earlier article, so that the
    duplicate checks have something to find.
    """
    from search import SOURCES, generate_articles

    rows = generate_articles(n, seed)
    lines = 0
    with path.open("w", encoding="utf-8") as file:
        for i, row in enumerate(rows):
            record = {
                "title": row.title,
                "text": row.body,
                "url": row.url,
                "source": SOURCES[row.source_index][0],
                "published": row.published_at.isoformat(),
                "byline": row.byline,
            }
            file.write(json.dumps(record, ensure_ascii=False) + "\n")
            lines += 1
            if repeat_every and i % repeat_every == repeat_every - 1:
                earlier = rows[i // 2]
                copy = {**record, "title": earlier.title, "text": earlier.body}
                copy["url"] = earlier.url
                file.write(json.dumps(copy, ensure_ascii=False) + "\n")
                lines += 1
    return lines


def bench_import(args: argparse.Namespace) -> list[Row]:
    """Time ``import_articles`` (what ``manage.py import_articles`` runs) on JSONL.

    A first run into the empty table, then the same file again: every line
    a duplicate, found by the batched lookups alone.
    """
    from django.db import connection

    from newsreader import importing
    from newsreader.importing import import_articles
    from newsreader.models import SEARCH_CONFIG, Article

    importing.WRITERS = args.writers

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "articles.jsonl"
        print(f"Generating {args.articles:,} articles …", flush=True)
        lines = write_jsonl(path, args.articles, args.seed, args.repeat_every)
        size_mb = path.stat().st_size / 1e6
        print(f"  {lines:,} lines, {size_mb:,.1f} MB", flush=True)

        print("Importing …", flush=True)
        machine_before = machine_cpu_seconds()
        cpu_before = time.process_time()
        started = time.perf_counter()
        first = import_articles([str(path)])
        first_s = time.perf_counter() - started
        python_cpu_s = time.process_time() - cpu_before
        machine_cpu_s = machine_cpu_seconds() - machine_before
        if first.failed:
            raise SystemExit(f"import failed: {first.failed[:3]}")

        print("Importing the same file again …", flush=True)
        started = time.perf_counter()
        again = import_articles([str(path)])
        again_s = time.perf_counter() - started

    imported = len(first.imported)
    assert Article.objects.count() == imported
    assert not again.imported
    rate = lines / first_s

    # The floor: Postgres computing the same tsvectors on one backend, with
    # no insert at all. Timed now, so that it shares the machine's load.
    print("Timing to_tsvector alone …", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Otherwise Postgres spreads the scan over parallel workers, and the
        # figure is no longer what one backend can do.
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.execute(
            "SELECT sum(length(setweight(to_tsvector(%s::regconfig, title), 'A') "
            "|| setweight(to_tsvector(%s::regconfig, body), 'B'))) "
            f"FROM {Article._meta.db_table}",
            [SEARCH_CONFIG, SEARCH_CONFIG],
        )
        cursor.execute("RESET max_parallel_workers_per_gather")
    floor_s = time.perf_counter() - started
    per_article_ms = 1000 / imported
    cores = os.cpu_count() or 1
    ceiling = cores * imported / floor_s
    return [
        (
            "JSONL import, empty table",
            f"{lines:,} lines in {first_s:.1f} s: {rate:,.0f}/s "
            f"({imported:,} new, {len(first.duplicates):,} duplicates)",
            f"> {TARGET_IMPORT_RATE:,}/s",
            verdict(rate > TARGET_IMPORT_RATE),
        ),
        (
            "CPU per article: the importer's process / all the machine's",
            f"{python_cpu_s * per_article_ms:.2f} ms / "
            f"{machine_cpu_s * per_article_ms:.2f} ms",
            "",
            "",
        ),
        (
            "to_tsvector alone, one backend",
            f"{imported:,} articles in {floor_s:.1f} s: {imported / floor_s:,.0f}/s; "
            f"{cores} cores doing nothing else: {ceiling:,.0f}/s; "
            f"the import made {rate / ceiling:.2f} of that",
            "",
            "",
        ),
        (
            "JSONL import again, all duplicates",
            f"{lines:,} lines in {again_s:.1f} s: {lines / again_s:,.0f}/s",
            "",
            "",
        ),
    ]


def machine_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy, from /proc/stat (Linux).

    Postgres backends are other processes: this counts their work too.
    """
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and waiting for I/O
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------
# Suggestions

TARGET_SUGGEST_RATE = 500  # articles/s on one core, 100,000 aliases in the table


def fill_entity_table(n_aliases: int, seed: int) -> tuple[int, int]:
    """The corpus's own people, organisations and places, then made-up people,
    two aliases each, until the table holds ``n_aliases`` aliases."""
    import random

    from search import FIRST_NAMES, PLACES, Corpus

    from newsreader.models import Alias, Entity
    from newsreader.text import normalize_name

    corpus = Corpus(seed)
    kinds = {**dict.fromkeys(PLACES, "PLACE"), **dict.fromkeys(corpus.people, "PERSON")}
    named = [(name, kinds.get(name, "ORG")) for name in corpus.names]
    rng = random.Random(seed)
    syllables = ["ka", "ro", "vi", "len", "mar", "to", "shi", "bel", "an", "dru", "po"]
    made: set[str] = set()
    while len(named) + len(made) < n_aliases // 2:
        word = "".join(rng.choices(syllables, k=rng.randint(2, 4))).title()
        made.add(f"{rng.choice(FIRST_NAMES)} {word}")
    named += [(name, "PERSON") for name in sorted(made)]
    entities = Entity.objects.bulk_create(
        [
            Entity(name=name, kind=kind, slug=f"e{i}")
            for i, (name, kind) in enumerate(named)
        ],
        batch_size=5000,
    )
    aliases = []
    for entity in entities:
        first, _, rest = entity.name.partition(" ")
        for alias in {rest or first, f"{first[0]}. {rest}" if rest else first.upper()}:
            aliases.append(
                Alias(entity=entity, name=alias, normalized=normalize_name(alias))
            )
    Alias.objects.bulk_create(
        aliases[:n_aliases], batch_size=5000, ignore_conflicts=True
    )
    return len(entities), Alias.objects.count()


def bench_suggest(args: argparse.Namespace) -> list[Row]:
    """Time the suggester on the imported articles with a full entity table.

    ``detect`` alone (the detection, one Python thread), then
    ``suggest_articles`` as ``manage.py suggest --all`` runs it, storing
    each batch of 200 in one transaction on a writer thread while the next
    batch is detected, then the same again (every earlier suggestion
    replaced). The CPU time is the process's: both threads.
    """
    from django.test import override_settings

    from annotations.models import Quote, Span
    from annotations.suggest import detect, store, tokens
    from newsreader.models import Article

    print(f"Filling the entity table ({args.aliases:,} aliases) …", flush=True)
    n_entities, n_aliases = fill_entity_table(args.aliases, args.seed)
    print(f"  {n_entities:,} entities, {n_aliases:,} aliases", flush=True)

    started = time.perf_counter()
    tokens.pipeline()
    gazetteer = store.gazetteer_from_db()
    build_s = time.perf_counter() - started
    assert store.gazetteer_from_db() is gazetteer  # cached while unchanged

    articles = list(Article.objects.order_by("pk").only("pk", "body")[: args.suggest])
    n = len(articles)
    chars = sum(len(article.body) for article in articles)
    print(f"Suggesting for {n:,} articles …", flush=True)
    # Wall time, and this process's CPU time: the machine is shared, and the
    # CPU time is what one core spends whatever else runs beside it.
    started, cpu = time.perf_counter(), time.process_time()
    for article in articles:
        detect.detect(article.body, gazetteer)
    find_s, find_cpu = time.perf_counter() - started, time.process_time() - cpu

    # The rules alone, as the target was set for them; bench_news times the
    # language model on real news.
    @override_settings(NEWSREADER_SPACY_MODEL="")
    def store_all() -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        store.suggest_articles(articles=articles, gazetteer=gazetteer, batch_size=200)
        return time.perf_counter() - started, time.process_time() - cpu

    store_s, store_cpu = store_all()
    spans = Span.objects.filter(status="suggested").count()
    quotes = Quote.objects.filter(review__isnull=True).count()
    again_s, again_cpu = store_all()
    assert Span.objects.filter(status="suggested").count() == spans
    return [
        (
            "gazetteer build (once per process)",
            f"{n_aliases:,} aliases + {n_entities:,} names in {build_s:.1f} s",
            "",
            "",
        ),
        (
            "suggestions, detection only",
            f"{n:,} articles ({chars / n:,.0f} chars each) in {find_s:.1f} s: "
            f"{n / find_s:,.0f}/s; CPU {n / find_cpu:,.0f}/s",
            f"> {TARGET_SUGGEST_RATE}/s",
            verdict(n / find_cpu > TARGET_SUGGEST_RATE),
        ),
        (
            "suggestions, detected and stored, rules alone",
            f"{n:,} articles in {store_s:.1f} s: {n / store_s:,.0f}/s; "
            f"CPU {n / store_cpu:,.0f}/s "
            f"({spans / n:.0f} spans, {quotes / n:.1f} quotes each)",
            f"> {TARGET_SUGGEST_RATE}/s",
            verdict(n / store_cpu > TARGET_SUGGEST_RATE),
        ),
        (
            "suggestions again, all replaced",
            f"{n:,} articles in {again_s:.1f} s: {n / again_s:,.0f}/s; "
            f"CPU {n / again_cpu:,.0f}/s",
            "",
            "",
        ),
    ]


# --------------------------------------------------------------------------
# Suggestions on real news, with the language model

DEV_SET = REPO_ROOT.parent / "shared" / "quotes-dev" / "polnear-train.jsonl"
TARGET_MODEL_RATE = 25  # articles/s on one core, with the model
TARGET_NEWS_STORED_S = 60  # seconds for 1,000 dev articles, detected and stored


def bench_news(args: argparse.Namespace) -> list[Row]:
    """Time the suggester on the dev set's real news (about 3,500 characters
    an article): detection by the rules alone, detection with the default
    language model, and ``suggest_articles`` with it, stored. The articles
    are imported first, into the table the other sections filled.
    """
    from annotations.suggest import detect, store
    from newsreader.importing import import_articles
    from newsreader.models import Article

    if not args.news.exists():
        print(f"No dev set at {args.news}: news figures skipped.", flush=True)
        return []
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "news.jsonl"
        with args.news.open(encoding="utf-8") as source, path.open("w") as file:
            for line in source:
                record = json.loads(line)
                title, _, body = record["text"].partition("\n")
                file.write(json.dumps({"title": title, "text": body}) + "\n")
        result = import_articles([str(path)])
    ids = [item.article_id for item in result.imported]
    articles = list(Article.objects.filter(pk__in=ids).order_by("pk"))
    n = len(articles)
    texts = [article.body for article in articles]
    chars = sum(map(len, texts)) / n
    gazetteer = store.gazetteer_from_db()
    model = store.configured_model()
    if model is None:
        raise SystemExit("NEWSREADER_SPACY_MODEL is none: no model to time.")

    def timed(run) -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        run()
        return time.perf_counter() - started, time.process_time() - cpu

    print(f"Suggesting for {n:,} news articles, rules alone …", flush=True)
    rules_s, rules_cpu = timed(lambda: detect.detect_all(texts, gazetteer, None))
    print(f"… with {store.model_name()} …", flush=True)
    model_s, model_cpu = timed(lambda: detect.detect_all(texts, gazetteer, model))
    print("… and stored …", flush=True)
    stored_s, _ = timed(lambda: store.suggest_articles(articles=articles))
    per_thousand = stored_s * 1000 / n
    return [
        (
            "news suggestions, rules alone",
            f"{n:,} dev articles ({chars:,.0f} chars each) in {rules_s:.1f} s: "
            f"CPU {n / rules_cpu:,.0f}/s",
            "",
            "",
        ),
        (
            "news suggestions, with the model",
            f"{n:,} in {model_s:.1f} s: {n / model_s:,.1f}/s; "
            f"CPU {n / model_cpu:,.1f}/s",
            f"> {TARGET_MODEL_RATE}/s a core",
            verdict(n / model_cpu > TARGET_MODEL_RATE),
        ),
        (
            "news suggestions, with the model, stored",
            f"{n:,} in {stored_s:.1f} s: 1,000 in {per_thousand:.0f} s",
            f"< {TARGET_NEWS_STORED_S} s",
            verdict(per_thousand < TARGET_NEWS_STORED_S),
        ),
    ]


# --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = common.argument_parser(__doc__, DEFAULT_DATABASE_URL)
    parser.add_argument("--articles", type=int, default=20_000, metavar="N")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--repeat-every",
        type=int,
        default=20,
        metavar="K",
        help="after every K-th article, a line repeating an earlier one "
        "(0: none; default: %(default)s)",
    )
    parser.add_argument(
        "--writers",
        type=int,
        default=2,
        help="threads inserting batches (newsreader.importing.WRITERS; "
        "0: insert on the reading thread; default: %(default)s)",
    )
    parser.add_argument(
        "--aliases",
        type=int,
        default=100_000,
        help="aliases in the entity table for the suggestion rate "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--suggest",
        type=int,
        default=5_000,
        metavar="N",
        help="articles to suggest for (default: %(default)s)",
    )
    parser.add_argument(
        "--news",
        type=Path,
        default=DEV_SET,
        help="gold JSONL of real news whose texts to suggest for with the "
        "model (default: %(default)s)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    url = args.database_url
    common.fresh_database(url)
    from django.core.management import call_command
    from django.db import connections

    rows: list[Row] = []
    started = dt.datetime.now(dt.UTC)
    try:
        call_command("migrate", verbosity=0, interactive=False)
        rows += bench_import(args)
        rows += bench_suggest(args)
        rows += bench_news(args)
        # Further sections go here, each a function of ``args`` returning rows
        # (measure, figure, target, verdict).
        print(f"\nIngest, {started:%Y-%m-%d %H:%M} UTC\n", flush=True)
        print(table(HEADER, rows), flush=True)
    finally:
        connections.close_all()
        if not args.keep:
            common.drop_database(url)


if __name__ == "__main__":
    main()
