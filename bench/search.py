"""Benchmark article search and the reading pages on a throwaway database.

Run from the repository root::

    .venv/bin/python bench/search.py                 # 100,000 articles
    .venv/bin/python bench/search.py --articles 5000 # a quick run

The script drops and recreates the database named in ``--database-url``
(``newsreader_bench`` on the local server by default), migrates it, loads
synthetic articles, then times search through the ORM and as raw SQL, and
the pages through Django's test client. It drops the database at the end
unless ``--keep`` is given. See bench/README.md.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import common  # noqa: E402  (beside this file, so on the path when run)
from common import Timings, table, timed, verdict  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsreader_bench"
PER_PAGE = 20  # settings.ARTICLES_PER_PAGE, checked once Django is set up
LATER_PAGE = 100  # the "later page" of the article list timed

# Targets: what "fast enough" means for one small server.
TARGET_LOAD_RATE = 2_000  # articles/s
TARGET_SEARCH_P95_MS = 50.0
TARGET_SEARCH_OVER_RAW = 1.5  # ORM p95 / raw SQL p95
TARGET_PAGE_P95_MS = 30.0


# --------------------------------------------------------------------------
# Vocabulary. In every list the words near the front are the common ones
# (Zipf weights); "_" joins the words of a phrase such as "prime_minister".


def words(text: str) -> list[str]:
    return [word.replace("_", " ") for word in text.split()]


# Stop words to Postgres' english configuration: they are not indexed.
FUNCTION_WORDS = words("""
the of and to a in that is for on it with as was he be at by this had not are
but from or have an they which you were her all she there would their we him
been has when who will more no if out so what up its about into than them can
only other some could these may then do any such our over even most after also
did many before must through where much should because each just those how too
very still own here between both being under while might since against
""")

# Words of any story.
GENERAL_WORDS = words("""
said told says added according officials people year years week warned
new last first two three four five million billion per_cent country national
local public report statement spokesman spokeswoman announced expected plans
plan decision move support pressure concerns called asked confirmed
denied claimed insisted suggested described despite however although government
following amid during earlier later recent today yesterday monday tuesday
wednesday thursday friday saturday sunday morning evening night city region
residents community group leader leaders members chief director department
agency committee board issue issues situation number part days months end major
high low small large further including around across next early late former
senior key set made make take give think want need help continue began came
went seen known found left show shows showed reported believe likely possible
important difficult clear full whole latest total level levels cost costs rise
fell increase cut cuts record data figures changes change future
""")

# Words of one kind of story each: an article has one topic, sometimes two.
TOPICS = {
    "politics": words("""
        election vote voters party campaign parliament prime_minister minister
        president opposition coalition majority seats poll polls candidate
        candidates referendum constituency senate congress legislation bill law
        reform cabinet policy democracy ballot manifesto mps lawmakers
    """),
    "economy": words("""
        economy economic inflation interest_rates central_bank prices growth
        recession budget tax taxes deficit debt markets investors shares stocks
        currency trade exchange_rate mortgage loans bonds gdp forecast analysts
        unemployment wages households consumers spending treasury
    """),
    "business": words("""
        company companies firms profits revenue sales chief_executive
        shareholders merger acquisition deal takeover retail customers stores
        jobs workers staff factory production supply_chain brand investment
        quarter earnings bosses industry market_share layoffs subsidiary
    """),
    "crime": words("""
        police officers arrested charged court judge trial jury verdict sentence
        prison lawyer investigation evidence witnesses prosecutors crime murder
        shooting suspect victims detectives stabbing fraud robbery custody bail
        guilty appeal inquest convicted
    """),
    "health": words("""
        health hospital doctors nurses patients pandemic virus vaccine disease
        care treatment cancer drugs medicine waiting_lists surgery clinic
        outbreak infections symptoms mental_health researchers ward ambulance
        emergency clinical nhs diagnosis dementia obesity
    """),
    "environment": words("""
        climate climate_change emissions carbon renewable wind solar storm flood
        floods drought wildfire weather temperatures rain heat pollution
        environmental species wildlife forest sea_levels net_zero fossil_fuels
        coal greenhouse recycling conservation rivers coast heatwave
    """),
    "conflict": words("""
        military troops army forces war ceasefire peace conflict fighting
        soldiers weapons missile strikes defence border refugees humanitarian
        aid sanctions talks negotiations summit diplomats united_nations nato
        invasion civilians attack killed injured embassy drones
    """),
    "education": words("""
        schools students teachers university education pupils exams curriculum
        tuition_fees classroom headteacher graduates degree lecturers campus
        childcare nursery grades results scholarship academy ofsted literacy
        apprenticeships term
    """),
    "technology": words("""
        technology digital online internet software platform social_media app
        users privacy cyber hackers artificial_intelligence chips smartphone
        tech_giants algorithm regulators cloud startup streaming broadband
        network security encryption robots semiconductor chatbot
    """),
    "sport": words("""
        football match team season league players coach club cup final win won
        lost victory defeat goal goals championship tournament olympic athletes
        race manager striker fans stadium injury transfer title score
        premier_league
    """),
    "culture": words("""
        film music festival art museum book author culture television series
        show album actor actress theatre gallery award novel concert audience
        premiere exhibition singer band critics box_office orchestra poetry
        documentary
    """),
    "transport": words("""
        rail train trains transport road roads traffic cars vehicles electric
        airport flights airline passengers bus delays commuters motorway fares
        tickets high_speed ferry drivers cycling congestion port shipping
        timetable cancellations
    """),
    "housing": words("""
        housing homes rent renters landlords tenants house_prices property
        planning developers construction affordable council homelessness buyers
        estate_agents building flats eviction leasehold mortgage_rates
        social_housing
    """),
    "energy": words("""
        energy oil gas electricity power bills nuclear grid pipeline supply
        shortages fuel petrol opec barrel power_station utilities heating
        blackout refinery turbines energy_prices
    """),
    "labour": words("""
        union unions strike strikes workers wages pay pay_rise employers
        industrial_action walkout picket dispute pension pensions benefits
        welfare poverty minimum_wage ballot overtime contracts
    """),
}

FIRST_NAMES = words("""
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William
Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy
Matthew Lisa Anthony Betty Mark Margaret Donald Sandra Steven Ashley Paul Emily
Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George
Deborah Timothy Stephanie Ronald Rebecca Jason Laura Edward Sharon Jeffrey
Ryan Kathleen Jacob Amy Gary Angela Nicholas Shirley Eric Anna Jonathan Brenda
Stephen Pamela Larry Emma Justin Nicole Scott Helen Brandon Samantha Amina Chen
Wei Priya Rahul Fatima Omar Sofia Mateo Lucia Hiroshi Yuki Olga Dmitri Ingrid
Lars Aisha Kwame Ngozi Carlos Ana Pedro Giulia Marco Anouk Pieter Sven Freya
""")

SURNAMES = words("""
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
Hernandez Lopez Gonzalez Wilson Anderson Taylor Moore Jackson Martin Lee Perez
Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Hall Allen
Young King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker
Campbell Mitchell Carter Roberts Patel Okafor Mensah Haddad Kowalski Novak
Schmidt Fischer Weber Rossi Bianchi Dubois Moreau Lefebvre Jansen Bakker
Andersson Nilsson Hansen Larsen Ivanov Petrov Tanaka Suzuki Watanabe Kim Park
Singh Sharma Khan Ahmed Hussain Ali Silva Santos Oliveira Costa Pereira Murphy
Kelly Byrne Walsh O'Connor Fraser Stewart Morrison Hughes Evans
""")

PLACES = words("""
London Paris Berlin Madrid Rome Lisbon Dublin Brussels Amsterdam Vienna Warsaw
Prague Budapest Athens Stockholm Oslo Copenhagen Helsinki Moscow Kyiv Ankara
Istanbul Cairo Lagos Nairobi Johannesburg Accra Addis_Ababa Delhi Mumbai
Karachi Dhaka Beijing Shanghai Tokyo Seoul Jakarta Manila Bangkok Hanoi Sydney
Melbourne Auckland Toronto Vancouver Montreal Chicago Houston Boston Washington
Atlanta Denver Seattle Miami Mexico Brazil Argentina Chile Peru Colombia Canada
France Germany Spain Italy Portugal Ireland Poland Ukraine Russia Turkey Egypt
Nigeria Kenya India Pakistan China Japan Indonesia Australia Scotland Wales
Manchester Birmingham Glasgow Edinburgh Cardiff Belfast Leeds Liverpool Bristol
New_York Los_Angeles Hong_Kong South_Africa Saudi_Arabia
""")

ORG_HEADS = words("""
Northern Atlantic Pacific Continental Federal National United Royal Global
Green Liberal Democratic Labour Conservative Central Eastern Western Southern
""")

ORG_TAILS = words("""
Bank Holdings Energy Airlines Motors Party Council Commission Institute
Foundation Trust Group Alliance Railways Telecom Pharmaceuticals Media Authority
Federation Agency
""")

# Names put in a handful of articles only: (name, share of articles).
RARE_NAMES = [
    ("Zbigniew Kowalczyk", 0.0005),
    ("Oluwaseun Adeyemi", 0.0002),
    ("Haruki Nakashima", 0.001),
    ("Marisol Villanueva", 0.00005),
    ("Tamsin Achterberg", 0.00002),
]

SOURCES = [
    ("The Daily Courier", "dailycourier.example"),
    ("Morning Herald", "morningherald.example"),
    ("The Evening Standard-Bearer", "standardbearer.example"),
    ("Northern Chronicle", "northernchronicle.example"),
    ("Capital Times", "capitaltimes.example"),
    ("The Observer Post", "observerpost.example"),
    ("Global Wire", "globalwire.example"),
    ("Metro Gazette", "metrogazette.example"),
    ("The Record", "therecord.example"),
    ("Harbour Tribune", "harbourtribune.example"),
    ("Valley News", "valleynews.example"),
    ("The Sentinel", "sentinel.example"),
    ("City Express", "cityexpress.example"),
    ("The Independent Ledger", "ledger.example"),
    ("Coastal Mail", "coastalmail.example"),
    ("The Telegraph Line", "telegraphline.example"),
    ("Westside Journal", "westsidejournal.example"),
    ("The Weekly Review", "weeklyreview.example"),
    ("Business Daily", "businessdaily.example"),
    ("The Free Press", "freepress.example"),
]

# The searches timed, as typed in the search box (websearch syntax): rare
# names, a common name and places, common words, pairs, phrases, operators,
# and searches with no hits.
QUERIES = [
    "Kowalczyk",
    "Adeyemi",
    "Nakashima",
    "Villanueva",
    "Achterberg",
    "Zbigniew Kowalczyk",
    "Okafor",
    "Lisbon",
    "Nairobi",
    "said",
    "government",
    "election",
    "inflation",
    "police",
    "football",
    "vaccine",
    "climate",
    "climate policy",
    "central bank",
    "interest rates",
    "trade deal",
    "football injury",
    "strike pay",
    '"prime minister"',
    '"per cent"',
    "election -poll",
    "storm or flood",
    "Haruki Nakashima Tokyo",
    "xylophonist",
    "quasar zeppelin",
]

PERIOD_END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
PERIOD = dt.timedelta(days=3652)  # ten years of articles


# --------------------------------------------------------------------------
# Synthetic articles


def zipf(n: int, exponent: float = 1.0) -> list[float]:
    return [1 / rank**exponent for rank in range(1, n + 1)]


def cumulative(weights: Sequence[float], total: float) -> list[float]:
    """Cumulative weights, scaled so that they sum to ``total``."""
    scale = total / sum(weights)
    return list(itertools.accumulate(w * scale for w in weights))


@dataclass(frozen=True)
class ArticleRow:
    source_index: int
    url: str
    title: str
    byline: str
    published_at: dt.datetime
    body: str


class Corpus:
    """English-looking news from a seeded generator: same seed, same articles."""

    # Shares of running text; names and numbers are added on top.
    FUNCTION_SHARE = 0.45
    GENERAL_SHARE = 0.25
    TOPIC_SHARE = 0.30  # of which a second topic, if any, takes a third

    def __init__(self, seed: int) -> None:
        self.rng = rng = random.Random(seed)
        self.topics = [list(topic) for topic in TOPICS.values()]
        for topic in self.topics:
            rng.shuffle(topic)  # which words are common is the seed's choice
        people = {
            f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}" for _ in range(300)
        }
        orgs = {f"{rng.choice(ORG_HEADS)} {rng.choice(ORG_TAILS)}" for _ in range(120)}
        self.people = sorted(people)
        self.names = self.people + sorted(orgs) + PLACES
        rng.shuffle(self.names)
        self.name_cum = cumulative(zipf(len(self.names)), 1.0)
        self.source_cum = cumulative(zipf(len(SOURCES), 0.7), 1.0)
        self._vocabularies: dict[tuple[int, int], tuple[list[str], list[float]]] = {}

    def vocabulary(self, first: int, second: int) -> tuple[list[str], list[float]]:
        """The words of an article on topic ``first`` (and ``second``), weighted."""
        if (first, second) in self._vocabularies:
            return self._vocabularies[first, second]
        parts = [
            (FUNCTION_WORDS, self.FUNCTION_SHARE),
            (GENERAL_WORDS, self.GENERAL_SHARE),
        ]
        if first == second:
            parts.append((self.topics[first], self.TOPIC_SHARE))
        else:
            parts.append((self.topics[first], self.TOPIC_SHARE * 2 / 3))
            parts.append((self.topics[second], self.TOPIC_SHARE / 3))
        vocabulary: list[str] = []
        weights: list[float] = []
        for part, share in parts:
            vocabulary += part
            part_weights = zipf(len(part), 0.8)
            total = sum(part_weights)
            weights += [w / total * share for w in part_weights]
        result = vocabulary, list(itertools.accumulate(weights))
        self._vocabularies[first, second] = result
        return result

    def pick_names(self, k: int) -> list[str]:
        return self.rng.choices(self.names, cum_weights=self.name_cum, k=k)

    def article(self, i: int) -> ArticleRow:
        from newsreader.text import canonical_body

        rng = self.rng
        first = rng.randrange(len(self.topics))
        second = rng.randrange(len(self.topics)) if rng.random() < 0.4 else first
        vocabulary, cum_weights = self.vocabulary(first, second)
        cast = self.pick_names(rng.randint(2, 6))
        cast += [name for name, share in RARE_NAMES if rng.random() < share]

        length = int(rng.triangular(300, 1500, 650))
        tokens = rng.choices(vocabulary, cum_weights=cum_weights, k=length)
        paragraphs: list[str] = []
        sentences: list[str] = []
        at = 0
        while at < length:
            n = rng.randint(6, 28)
            sentence = tokens[at : at + n]
            at += n
            roll = rng.random()
            if roll < 0.6:  # most sentences name someone or somewhere
                name = rng.choice(cast) if roll < 0.45 else self.pick_names(1)[0]
                sentence.insert(rng.randrange(len(sentence) + 1), name)
            if roll < 0.12:
                sentence.insert(
                    rng.randrange(len(sentence) + 1), str(rng.randint(2, 2025))
                )
            if len(sentence) > 12 and roll > 0.5:
                sentence[rng.randrange(3, len(sentence) - 3)] += ","
            text = " ".join(sentence)
            text = text[0].upper() + text[1:]
            if roll > 0.88:
                sentences.append(f"“{text},” {rng.choice(cast)} said.")
            else:
                sentences.append(text + ".")
            if len(sentences) >= 4 or rng.random() < 0.35:
                paragraphs.append(" ".join(sentences))
                sentences = []
        if sentences:
            paragraphs.append(" ".join(sentences))

        title_words = rng.choices(self.topics[first], k=rng.randint(5, 11))
        title_words.insert(rng.randrange(len(title_words) + 1), rng.choice(cast))
        title = " ".join(title_words)
        title = title[0].upper() + title[1:]
        source = bisect.bisect(self.source_cum, rng.random())
        published = (PERIOD_END - PERIOD * rng.random()).replace(microsecond=0)
        slug = "-".join(title.lower().replace("'", "").split()[:6])
        return ArticleRow(
            source_index=source,
            url=f"https://{SOURCES[source][1]}/{published:%Y/%m/%d}/{slug}-{i}",
            title=title,
            byline=rng.choice(self.people) if rng.random() < 0.8 else "",
            published_at=published,
            body=canonical_body("\n\n".join(paragraphs)),
        )


def generate_articles(n: int, seed: int) -> list[ArticleRow]:
    corpus = Corpus(seed)
    return [corpus.article(i) for i in range(n)]


# --------------------------------------------------------------------------
# Database


def setup_django(url: str) -> None:
    common.setup_django(url)
    from django.conf import settings

    if settings.ARTICLES_PER_PAGE != PER_PAGE:
        raise SystemExit(f"ARTICLES_PER_PAGE is {settings.ARTICLES_PER_PAGE}, not 20")


ARTICLE_COLUMNS = [
    "source_id", "url", "title", "byline", "published_at", "language", "body",
    "body_sha256", "created_at",
]  # fmt: skip


def copy_articles(rows: Sequence[ArticleRow], source_ids: Sequence[int]) -> None:
    """COPY the rows in, one statement; Postgres computes ``search_vector``."""
    from django.db import connection

    from newsreader.models import Article

    now = dt.datetime.now(dt.UTC)
    statement = (
        f"COPY {Article._meta.db_table} ({', '.join(ARTICLE_COLUMNS)}) FROM STDIN"
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row((
                source_ids[row.source_index], row.url, row.title, row.byline,
                row.published_at, "en", row.body, Article.hash_body(row.body), now,
            ))  # fmt: skip


def bulk_create_articles(rows: Sequence[ArticleRow], source_ids: Sequence[int]) -> None:
    from newsreader.models import Article

    Article.objects.bulk_create(
        Article(
            source_id=source_ids[row.source_index],
            url=row.url,
            title=row.title,
            byline=row.byline,
            published_at=row.published_at,
            body=row.body,
            body_sha256=Article.hash_body(row.body),
        )
        for row in rows
    )


LOADERS = {"copy": copy_articles, "bulk_create": bulk_create_articles}


@dataclass(frozen=True)
class LoadResult:
    articles: int
    loader: str
    jobs: int
    generate_s: float
    load_s: float
    vacuum_s: float

    @property
    def rate(self) -> float:
        return self.articles / self.load_s


def load_articles(
    rows: Sequence[ArticleRow],
    loader: str,
    jobs: int,
    batch_size: int,
    generate_s: float,
) -> LoadResult:
    """Insert the rows in batches, from ``jobs`` threads, each on its own connection.

    Django gives each thread its own connection, so the threads' batches are
    indexed by as many Postgres backends at once.
    """
    from django.db import connection, transaction

    from newsreader.models import Article, Source

    sources = Source.objects.bulk_create(
        Source(name=name, domain=domain) for name, domain in SOURCES
    )
    source_ids = [source.pk for source in sources]
    insert = LOADERS[loader]
    batches = [rows[i : i + batch_size] for i in range(0, len(rows), batch_size)]
    errors: list[BaseException] = []

    def work(my_batches: Sequence[Sequence[ArticleRow]]) -> None:
        try:
            for batch in my_batches:
                with transaction.atomic():
                    insert(batch, source_ids)
        except BaseException as error:  # re-raised by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(batches[job::jobs],)) for job in range(jobs)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load_s = time.perf_counter() - started
    if errors:
        raise errors[0]

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # VACUUM as well, as autovacuum soon would after a load: it fills the
        # visibility map, which index-only scans and counts rely on.
        cursor.execute(f"VACUUM (ANALYZE) {Article._meta.db_table}")
    vacuum_s = time.perf_counter() - started
    return LoadResult(len(rows), loader, jobs, generate_s, load_s, vacuum_s)


def database_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())),"
            " pg_size_pretty(pg_total_relation_size('newsreader_article')),"
            " pg_size_pretty(pg_relation_size('article_search_gin')),"
            " avg(length(body))::int,"
            " avg(array_length(regexp_split_to_array(body, '\\s+'), 1))::int,"
            " avg(length(search_vector))::int"
            " FROM newsreader_article"
        )
        db, table, gin, chars, word_count, lexemes = cursor.fetchone()
    return (
        f"database {db}, article table {table} (GIN index {gin}); "
        f"bodies average {word_count} words, {chars} characters, {lexemes} lexemes"
    )


# --------------------------------------------------------------------------
# Timing


SqlCall = tuple[str, Sequence[Any] | None]


def orm_search(q: str) -> int:
    """What the article list view does for a search: count, then the first page."""
    from django.core.paginator import Paginator

    from newsreader.models import Article

    articles = Article.objects.select_related("source").search(q).with_headlines(q)
    page = Paginator(articles, PER_PAGE).get_page(1)
    list(page)
    return page.paginator.count


def capture_sql(fn: Callable[[], Any]) -> list[SqlCall]:
    from django.db import connection

    calls: list[SqlCall] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        calls.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        fn()
    return calls


def run_raw(calls: Sequence[SqlCall]) -> None:
    """Send the ORM's own SQL through psycopg: no query building, no model objects."""
    from django.db import connection

    with connection.connection.cursor() as cursor:
        for sql, params in calls:
            cursor.execute(sql, params)
            cursor.fetchall()


@dataclass
class SearchResult:
    query: str
    hits: int
    orm: Timings
    raw: Timings


def bench_search(queries: Sequence[str], repeat: int) -> list[SearchResult]:
    results = []
    for q in queries:
        calls = capture_sql(lambda q=q: orm_search(q))  # and warms the cache
        hits = orm_search(q)
        orm, raw = Timings(q), Timings(q)
        for _ in range(repeat):  # alternate, so that drift hits both alike
            orm.add(timed(lambda q=q: orm_search(q))[0])
            raw.add(timed(lambda calls=calls: run_raw(calls))[0])
        results.append(SearchResult(q, hits, orm, raw))
    return results


def bench_pages(
    queries: Sequence[str], repeat: int, article_ids: Sequence[int], seed: int
) -> list[Timings]:
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

    def get(timings: Timings, path: str, data: dict[str, Any] | None = None) -> None:
        seconds, response = timed(lambda: client.get(path, data))
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} {data} gave {response.status_code}")
        timings.add(seconds)

    first = Timings("GET / (page 1)")
    later = Timings(f"GET /?page={LATER_PAGE}")
    search = Timings(f"GET /?q=… ({len(queries)} queries)")
    detail = Timings("GET /articles/<id>/")
    ids = random.Random(seed).sample(list(article_ids), min(len(article_ids), 200))
    with override_settings(
        STORAGES=storages, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]
    ):
        client.get("/")  # warm up: URL resolver, templates, connection
        for _ in range(max(20, repeat * 5)):
            get(first, "/")
            get(later, "/", {"page": LATER_PAGE})
        for q in queries:
            client.get("/", {"q": q})
            for _ in range(repeat):
                get(search, "/", {"q": q})
        for pk in ids:
            get(detail, f"/articles/{pk}/")
    return [first, later, search, detail]


def explain(queries: Sequence[str]) -> None:
    """EXPLAIN ANALYZE the SQL behind the given searches and the article list."""
    from django.core.paginator import Paginator
    from django.db import connection

    from newsreader.models import Article

    def list_page(number: int) -> Callable[[], None]:
        def run() -> None:
            articles = Article.objects.select_related("source")
            list(Paginator(articles, PER_PAGE).get_page(number))

        return run

    plans = [(f"search {q!r}", capture_sql(lambda q=q: orm_search(q))) for q in queries]
    plans.append(("article list, page 1", capture_sql(list_page(1))))
    plans.append(
        (f"article list, page {LATER_PAGE}", capture_sql(list_page(LATER_PAGE)))
    )
    with connection.connection.cursor() as cursor:
        for label, calls in plans:
            for sql, params in calls:
                print(f"\n--- EXPLAIN ANALYZE, {label}:\n{sql}\n{params}\n")
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                print("\n".join(line for (line,) in cursor.fetchall()))


# --------------------------------------------------------------------------
# Report


def report(
    load: LoadResult | None,
    size: str,
    searches: Sequence[SearchResult],
    pages: Sequence[Timings],
) -> str:
    one, five, _ = os.getloadavg()
    lines = [
        f"\n== Data ({dt.date.today()}, {os.cpu_count()} CPUs, load average "
        f"{one:.2f} over 1 min, {five:.2f} over 5; other work skews the timings)"
    ]
    summary: list[list[str]] = []
    if load:
        lines.append(
            f"{load.articles:,} articles generated in {load.generate_s:.1f} s; "
            f"{load.loader} from {load.jobs} threads took {load.load_s:.1f} s; "
            f"VACUUM ANALYZE {load.vacuum_s:.1f} s"
        )
        summary.append([
            f"load ({load.loader}, {load.jobs} threads)", f"{load.rate:,.0f}/s", "",
            f"> {TARGET_LOAD_RATE:,}/s", verdict(load.rate > TARGET_LOAD_RATE),
        ])  # fmt: skip
    lines.append(size)

    lines.append(
        "\n== Searches, ms. ORM: Paginator count + first page of 20 with "
        "headlines; raw: the same SQL sent through psycopg"
    )
    header = ["query", "hits", "ORM p50", "ORM p95", "raw p50", "raw p95", "ORM/raw"]
    lines.append(table(header, [
        [r.query, f"{r.hits:,}", f"{r.orm.p50:.1f}", f"{r.orm.p95:.1f}",
         f"{r.raw.p50:.1f}", f"{r.raw.p95:.1f}", f"{r.orm.p50 / r.raw.p50:.2f}x"]
        for r in searches
    ]))  # fmt: skip

    orm = Timings("search, ORM", [s for r in searches for s in r.orm.samples_ms])
    raw = Timings("search, raw SQL", [s for r in searches for s in r.raw.samples_ms])
    for timings in [orm, raw]:
        summary.append([
            timings.label, f"{timings.p50:.1f}", f"{timings.p95:.1f}",
            f"p95 < {TARGET_SEARCH_P95_MS:.0f}",
            verdict(timings.p95 < TARGET_SEARCH_P95_MS),
        ])  # fmt: skip
    summary.append([
        "search, ORM / raw", f"{orm.p50 / raw.p50:.2f}x", f"{orm.p95 / raw.p95:.2f}x",
        f"p95 < {TARGET_SEARCH_OVER_RAW}x",
        verdict(orm.p95 / raw.p95 < TARGET_SEARCH_OVER_RAW),
    ])  # fmt: skip
    for page in pages:
        summary.append([
            page.label, f"{page.p50:.1f}", f"{page.p95:.1f}",
            f"p95 < {TARGET_PAGE_P95_MS:.0f}", verdict(page.p95 < TARGET_PAGE_P95_MS),
        ])  # fmt: skip
    lines.append("\n== Summary, ms unless stated; searches pooled")
    lines.append(table(["measure", "p50", "p95", "target", "result"], summary))
    return "\n".join(lines)


# --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = common.argument_parser(__doc__, DEFAULT_DATABASE_URL)
    parser.add_argument("--articles", type=int, default=100_000, metavar="N")
    parser.add_argument(
        "--repeat", type=int, default=7, help="timed runs of each search"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--loader",
        choices=sorted(LOADERS),
        default="copy",
        help="Django's bulk_create, or psycopg's COPY (default: %(default)s)",
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="loading threads (default: %(default)s)"
    )
    parser.add_argument("--batch-size", type=int, default=1_000)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the articles a --keep run left, without dropping or loading "
        "(migrations still run, so a new index can be tried); implies --keep",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also print EXPLAIN ANALYZE for the slowest searches and the list",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    url = args.database_url
    common.server_and_name(url)  # refuse a database we must not drop, before anything
    rows: list[ArticleRow] = []
    if not args.reuse:
        print(f"Generating {args.articles:,} articles …", flush=True)
        generate_s, rows = timed(lambda: generate_articles(args.articles, args.seed))
        print(f"  {args.articles / generate_s:,.0f} articles/s", flush=True)
        common.drop_database(url, create=True)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connections

    from newsreader.models import Article

    load: LoadResult | None = None
    try:
        call_command("migrate", verbosity=0, interactive=False)
        if args.reuse:
            if not Article.objects.exists():
                raise SystemExit("--reuse: the database holds no articles")
            print(f"Reusing {Article.objects.count():,} articles", flush=True)
        else:
            print(f"Loading with {args.loader}, {args.jobs} thread(s) …", flush=True)
            load = load_articles(
                rows, args.loader, args.jobs, args.batch_size, generate_s
            )
            print(f"  {load.rate:,.0f} articles/s", flush=True)
            del rows
        size = database_size()
        print("Timing searches …", flush=True)
        searches = bench_search(QUERIES, args.repeat)
        print("Timing pages …", flush=True)
        ids = list(Article.objects.values_list("pk", flat=True))
        pages = bench_pages(QUERIES, args.repeat, ids, args.seed)
        print(report(load, size, searches, pages), flush=True)
        if args.explain:
            slowest = sorted(searches, key=lambda r: r.orm.p50)[-3:]
            explain([r.query for r in slowest])
    finally:
        connections.close_all()
        if not (args.keep or args.reuse):
            common.drop_database(url)


if __name__ == "__main__":
    main()
