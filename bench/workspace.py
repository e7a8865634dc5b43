"""Benchmark the annotation workspace of one long, densely annotated article.

Run from the repository root::

    .venv/bin/python bench/workspace.py                           # 50,000 chars
    .venv/bin/python bench/workspace.py --chars 8000 --spans 300  # a quick run

The script drops and recreates the database named in ``--database-url``
(``newsreader_bench_workspace`` on the local server by default), migrates
it and writes a synthetic news article of ``--chars`` characters with
``--spans`` spans in one reviewer's review: mentions of about fifty
entities, quotes with parts and cues, mentions inside quotes, places nested
in organisation names and a few spans that cross another's edge. It then
times, as that reviewer:

1. the server render of ``GET /articles/<id>/`` through Django's test
   client, with its SQL query count (and the count for a 200-span article);
2. ``POST`` to mention-create, each on a different word, whose answer
   carries the paragraph and side panel rows it changed, with where the
   time goes; then, after the suggester ran on the article, ``POST``s that
   accept one suggestion each;
3. in headless Chromium against a live server on the same database, the
   time from navigation start to DOMContentLoaded, to the selection
   script being ready, and to the selection toolbar showing.

It drops the database at the end unless ``--keep`` is given.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import os
import platform
import pstats
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import common  # noqa: E402  (beside this file, so on the path when run)
from common import table, timed, verdict  # noqa: E402

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from newsreader.models import Article

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsreader_bench_workspace"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]
SMALL_SPANS = 200  # the second article, to show the query count does not grow

# Targets.
TARGET_RENDER_P95_MS = 100.0
TARGET_CREATE_P50_MS = 20.0
TARGET_ACCEPT_P50_MS = 25.0
TARGET_INTERACTIVE_MS = 500.0


# --------------------------------------------------------------------------
# Entities and words of the synthetic article


def words(text: str) -> list[str]:
    return text.split()


def phrases(text: str) -> list[str]:
    """The "|"-separated phrases of ``text``; an empty one is kept."""
    return [" ".join(phrase.split()) for phrase in text.split("|")]


FIRST_NAMES = words("""
Amina James Sofia Wei Priya Daniel Ngozi Lars Elena Omar Hannah Mateo Yuki
Grace Tomasz Fatima Rahul Ingrid Kwame Lucia José Zoë Søren Aoife Dmitri Chloé
Ibrahim Marta
""")
SURNAMES = words("""
Okafor Hughes Moreau Chen Sharma Fischer Mensah Nilsson Rossi Haddad Kowalski
Álvarez Tanaka O'Connor Lefèvre Nielsen Byrne Petrov Santos Walsh Novak Bakker
Costa Murphy Singh Kelly
""")
PLACES = words("""
Lisbon Nairobi Manchester Kraków Osaka Toronto Lagos Glasgow Rotterdam
Valparaíso Brisbane Cardiff
""")
# Organisations; those named after a place get that place nested inside.
ORGANISATIONS = phrases("""
Northern Bank | Atlantic Energy | Federal Railways Agency | Green Party |
Continental Motors | National Health Trust | Global Telecom Group |
Royal Institute of Economics | Lisbon City Council | Port of Rotterdam Authority |
Glasgow Housing Association | Nairobi Water Company
""")
PERSON_COUNT = 26  # with 12 places and 12 organisations: 50 entities

# A small grammar: "{name}" expands to one of GRAMMAR[name]; {P}, {O} and
# {L} name a person, an organisation and a place, each a mention.
GRAMMAR: dict[str, list[str]] = {
    "clause": phrases("""
        {subject} {verb} {object}{tail} | {subject} {verb} {object}{tail} |
        {subject} {verb} {object}{tail} | in {L}, {subject} {verb} {object}{tail} |
        {subject} {verb} {object}, while {subject} {verb} {object}
    """),
    "subject": phrases("""
        the government | officials in {L} | {P} | {P} | {O} | {O} | the {role} {P} |
        {P}, the {role} of {O}, | the mayor of {L}, {P}, | analysts at {O} |
        residents of {L} | {P} and {P} | ministers in {L} | {O} chief {P} |
        {L}'s {role}, {P},
    """),
    "verb": phrases("""
        has warned against | announced | said it would review |
        is expected to approve | rejected | welcomed | criticised | will delay |
        has promised | agreed to fund | called for | questioned | confirmed |
        is considering | voted against | defended | backed | opposed
    """),
    "object": phrases("""
        the plan | a {adj} rise in {noun} | new rules on {noun} |
        plans for {noun} in {L} | the deal with {O} | an inquiry into {noun} |
        {num} new jobs in {L} | cuts to {noun} | a proposal from {P} |
        the decision by {O} | {noun} in {L} and {L} | the {adj} report on {noun} |
        the {adj} review of {noun} led by {P} | talks between {O} and {O} |
        a visit to {L} by {P}
    """),
    # A leading space is written as "_", since phrases() strips the ends.
    "tail": [
        tail.replace("_", " ")
        for tail in phrases("""
            | | | _{day} | _in {L} | _after talks with {O} | , according to {P} |
            _despite objections from {P} | _before the end of the year |
            , weeks after {P} visited {L} | _in a statement |
            _{day}, ahead of a meeting with {O} in {L}
        """)
    ],
    "said": phrases("""
        {clause} | {clause} | we will not accept {object} |
        this is {adj} news for {L} | people in {L} deserve better than {object} |
        {P} has done nothing about {noun} | the figures from {O} speak for themselves |
        nobody at {O} expected {object} |
        it is too early to say what {object} will mean for {noun} |
        we have been clear with {O} from the start
    """),
    "noun": phrases("""
        energy prices | housing | rail services | hospital funding | school meals |
        interest rates | water quality | flood defences | pensions |
        public transport | fuel duty | research grants | border checks | bus fares |
        childcare | social care | broadband | youth services | waste collection |
        street lighting
    """),
    "adj": words("""
        sharp modest long-awaited controversial temporary significant unexpected
        record welcome worrying steady sudden
    """),
    "role": phrases("""
        finance minister | chief executive | spokeswoman | spokesman |
        health secretary | opposition leader | chief economist | union leader |
        council leader | transport minister | chair
    """),
    "day": phrases("""
        on Monday | on Tuesday | on Wednesday | on Thursday | on Friday | last week |
        this morning | late on Friday | at the weekend
    """),
    "num": phrases("two | three | five | a dozen | 40 | 120 | 300 | 1,500 | 2,000"),
}
# What a quote's cue is said with; the cue span is the first word.
DIRECT_CUES = [
    "said",
    "said",
    "told reporters",
    "added",
    "warned",
    "insisted",
    "told the BBC",
    "said in a statement",
    "wrote on social media",
]
INDIRECT_CUES = ["said", "warned", "argued", "claimed", "insisted", "suggested"]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True)
class EntitySpec:
    name: str
    kind: str  # an EntityKind value
    short: str  # what later mentions in a paragraph say: the surname
    place: int | None = None  # index of the place the name holds, if any


def make_entities(rng: random.Random) -> list[EntitySpec]:
    firsts = rng.sample(FIRST_NAMES, PERSON_COUNT)
    lasts = rng.sample(SURNAMES, PERSON_COUNT)
    entities = [
        EntitySpec(f"{first} {last}", "PERSON", last)
        for first, last in zip(firsts, lasts, strict=True)
    ]
    places = {name: len(entities) + i for i, name in enumerate(PLACES)}
    entities += [EntitySpec(name, "PLACE", name) for name in PLACES]
    for name in ORGANISATIONS:
        place = next((index for p, index in places.items() if p in name), None)
        entities.append(EntitySpec(name, "ORG", name, place))
    return entities


# --------------------------------------------------------------------------
# The article and its spans, planned in memory


@dataclass(frozen=True)
class PlannedSpan:
    start: int  # code points, [start, end)
    end: int
    role: str  # "mention", "part" or "cue"
    entity: int | None = None  # a mention's entity, an index into the entities
    quote: int | None = None  # a part's or cue's quote, an index into Plan.quotes


@dataclass
class PlannedQuote:
    type: str
    speaker: int  # an entity index
    speaker_mention: int | None  # a span index
    parts: list[int] = field(default_factory=list)
    cue: int | None = None


@dataclass
class Plan:
    body: str
    spans: list[PlannedSpan]
    quotes: list[PlannedQuote]
    padded: int = 0  # spans added at random words to reach the count asked for

    def count(self, role: str) -> int:
        return sum(1 for span in self.spans if span.role == role)

    def overlaps(self) -> tuple[int, int]:
        """How many spans lie inside another, and how many cross another's edge."""
        ordered = sorted(self.spans, key=lambda s: (s.start, -s.end))
        nested = crossing = 0
        active: list[PlannedSpan] = []
        for span in ordered:
            active = [a for a in active if a.end > span.start]
            if any(a.end >= span.end for a in active):
                nested += 1
            elif active:
                crossing += 1
            active.append(span)
        return nested, crossing


class ArticleWriter:
    """Writes English-looking news prose and records the spans a reviewer
    would mark in it, offsets and all. Same seed, same article."""

    def __init__(self, rng: random.Random, entities: Sequence[EntitySpec]) -> None:
        self.rng = rng
        self.entities = entities
        self.pieces: list[str] = []
        self.length = 0
        self.spans: list[PlannedSpan] = []
        self.quotes: list[PlannedQuote] = []
        self.named: set[int] = set()  # people named in full in this paragraph
        self.capitalise = False
        self.last_entity: int | None = None
        by_kind: dict[str, list[int]] = defaultdict(list)
        for index, entity in enumerate(entities):
            by_kind[entity.kind].append(index)
        self.by_kind: dict[str, tuple[list[int], list[float]]] = {}
        for kind, indices in by_kind.items():
            rng.shuffle(indices)  # which entities are frequent is the seed's choice
            weights = [1 / rank**0.9 for rank in range(1, len(indices) + 1)]
            self.by_kind[kind] = (indices, weights)

    # Writing, and taking it back.

    def put(self, text: str) -> tuple[int, int]:
        if self.capitalise and text:
            text = text[0].upper() + text[1:]
            self.capitalise = False
        start = self.length
        self.pieces.append(text)
        self.length += len(text)
        return start, self.length

    def save(self) -> tuple[int, int, int, int, frozenset[int]]:
        return (
            len(self.pieces),
            self.length,
            len(self.spans),
            len(self.quotes),
            frozenset(self.named),
        )

    def restore(self, state: tuple[int, int, int, int, frozenset[int]]) -> None:
        pieces, self.length, spans, quotes, named = state
        del self.pieces[pieces:], self.spans[spans:], self.quotes[quotes:]
        self.named = set(named)

    def fill(self, template: str, *, capitalise: bool = False) -> None:
        self.capitalise = capitalise
        at = 0
        for match in PLACEHOLDER.finditer(template):
            if match.start() > at:
                self.put(template[at : match.start()])
            name = match.group(1)
            if name in {"P", "O", "L"}:
                kind = {"P": "PERSON", "O": "ORG", "L": "PLACE"}[name]
                self.name(kind)
            else:
                self.fill(self.rng.choice(GRAMMAR[name]), capitalise=self.capitalise)
            at = match.end()
        if at < len(template):
            self.put(template[at:])

    # Spans.

    def pick(self, kind: str) -> int:
        indices, weights = self.by_kind[kind]
        while True:
            index = self.rng.choices(indices, weights=weights)[0]
            if index != self.last_entity:
                self.last_entity = index
                return index

    def name(self, kind: str) -> int:
        """Write an entity's name as a mention; returns the span's index."""
        index = self.pick(kind)
        entity = self.entities[index]
        surface = entity.short if index in self.named else entity.name
        self.named.add(index)
        self.capitalise = False
        start, end = self.put(surface)
        self.spans.append(PlannedSpan(start, end, "mention", entity=index))
        key = len(self.spans) - 1
        if entity.place is not None and self.rng.random() < 0.6:
            place = self.entities[entity.place].name
            at = start + surface.index(place)
            self.spans.append(
                PlannedSpan(at, at + len(place), "mention", entity=entity.place)
            )
        return key

    def content(self, template: str, *, capitalise: bool) -> tuple[int, int]:
        start = self.length
        self.fill(template, capitalise=capitalise)
        return start, self.length

    def speaker(self) -> int:
        return self.name("PERSON" if self.rng.random() < 0.85 else "ORG")

    def cue(self, choices: Sequence[str]) -> tuple[int, int]:
        words = self.rng.choice(choices)
        start, _ = self.put(words)
        return start, start + len(words.split()[0])

    def quote(
        self,
        type: str,
        parts: Sequence[tuple[int, int]],
        cue: tuple[int, int],
        speaker: int,
    ) -> None:
        mention = self.spans[speaker]
        assert mention.entity is not None
        index = len(self.quotes)
        quote = PlannedQuote(type, mention.entity, speaker)
        for start, end in parts:
            self.spans.append(PlannedSpan(start, end, "part", quote=index))
            quote.parts.append(len(self.spans) - 1)
        cue_start, cue_end = cue
        name = self.entities[mention.entity].name
        last_word = name.rfind(" ") + 1
        if (
            cue_start == mention.end + 1
            and mention.end - mention.start == len(name)
            and last_word
            and self.rng.random() < 0.15
        ):
            # A reviewer's slip: the cue takes in the speaker's last word
            # ("Okafor said"), crossing the edge of "Amina Okafor".
            cue_start = mention.start + last_word
        self.spans.append(PlannedSpan(cue_start, cue_end, "cue", quote=index))
        quote.cue = len(self.spans) - 1
        self.quotes.append(quote)

    # Sentences.

    def sentence(self) -> None:
        roll = self.rng.random()
        if roll < 0.42:
            self.fill("{clause}.", capitalise=True)
        elif roll < 0.62:
            self.direct_after()
        elif roll < 0.70:
            self.direct_before()
        elif roll < 0.80:
            self.two_parts()
        elif roll < 0.94:
            self.indirect()
        else:
            self.partial()

    def direct_after(self) -> None:
        """“We will not accept the plan,” Okafor said."""
        self.put("“")
        part = self.content("{said}", capitalise=True)
        self.put(",” ")
        if self.rng.random() < 0.25:
            cue = self.cue(["said", "said", "added", "warned"])
            self.put(" ")
            speaker = self.speaker()
        else:
            speaker = self.speaker()
            self.put(" ")
            cue = self.cue(DIRECT_CUES)
        self.put(".")
        self.quote("direct", [part], cue, speaker)

    def direct_before(self) -> None:
        """Okafor said: “The figures speak for themselves. ...”"""
        speaker = self.speaker()
        self.put(" ")
        cue = self.cue(["said", "told reporters", "added", "wrote"])
        self.put(": “")
        start, _ = self.content("{said}", capitalise=True)
        self.put(". ")
        _, end = self.content("{said}", capitalise=True)
        self.put(".”")
        self.quote("direct", [(start, end)], cue, speaker)

    def two_parts(self) -> None:
        """“It is too early to say,” Okafor said. “People deserve better.”"""
        self.put("“")
        first = self.content("{said}", capitalise=True)
        self.put(",” ")
        speaker = self.speaker()
        self.put(" ")
        cue = self.cue(["said", "added", "told reporters"])
        self.put(". “")
        second = self.content("{said}", capitalise=True)
        self.put(".”")
        self.quote("direct", [first, second], cue, speaker)

    def indirect(self) -> None:
        """Okafor said that the government would review the plan."""
        speaker = self.speaker()
        self.put(" ")
        cue = self.cue(INDIRECT_CUES)
        self.put(" that ")
        part = self.content("{clause}", capitalise=False)
        self.put(".")
        self.quote("indirect", [part], cue, speaker)

    def partial(self) -> None:
        """Okafor described the plan as “modest and welcome”."""
        speaker = self.speaker()
        self.put(" ")
        cue = self.cue(["described", "called"])
        self.put(" ")
        self.fill("{object}")
        self.put(" as “")
        part = self.content("{adj} and {adj}", capitalise=False)
        self.put("”.")
        self.quote("partial", [part], cue, speaker)

    def write(self, chars: int) -> Plan:
        """Paragraphs of two to five sentences, up to ``chars`` characters."""
        full = False
        while not full:
            self.named.clear()
            for i in range(self.rng.randint(2, 5)):
                state = self.save()
                self.put(" " if i else ("\n\n" if self.length else ""))
                self.sentence()
                if self.length > chars:
                    self.restore(state)
                    full = True
                    break
        return Plan("".join(self.pieces), self.spans, self.quotes)


def choose_spans(plan: Plan, count: int, rng: random.Random) -> Plan:
    """Exactly ``count`` of the plan's spans: whole quotes (parts and cue) and
    mentions, drawn at random; random stretches of words if there are too few."""
    units = [
        [*quote.parts, *([] if quote.cue is None else [quote.cue])]
        for quote in plan.quotes
    ]
    in_quotes = {i for unit in units for i in unit}
    units += [[i] for i in range(len(plan.spans)) if i not in in_quotes]
    rng.shuffle(units)
    chosen: set[int] = set()
    for unit in units:
        if len(chosen) + len(unit) <= count:
            chosen.update(unit)
        if len(chosen) == count:
            break
    # (index in the plan, or None for padding; the span)
    items: list[tuple[int | None, PlannedSpan]] = [(i, plan.spans[i]) for i in chosen]

    # Too few: one to three words anywhere, as mentions; they cross at will.
    padded = count - len(items)
    words = list(WORD.finditer(plan.body))
    if padded and not words:
        raise SystemExit("The article is too short for that many spans.")
    mentioned = [s.entity for s in plan.spans if s.entity is not None] or [0]
    while len(items) < count:
        i = rng.randrange(len(words))
        j = min(len(words) - 1, i + rng.randint(0, 2))
        start, end = words[i].start(), words[j].end()
        if "\n\n" not in plan.body[start:end]:
            span = PlannedSpan(start, end, "mention", entity=rng.choice(mentioned))
            items.append((None, span))

    # Renumber: spans in text order, and the quotes kept.
    items.sort(key=lambda item: (item[1].start, -item[1].end))
    new_of_old = {old: new for new, (old, _) in enumerate(items) if old is not None}

    def renumber(old: int | None) -> int | None:
        return None if old is None else new_of_old.get(old)

    quotes: list[PlannedQuote] = []
    new_quote: dict[int, int] = {}
    for old, quote in enumerate(plan.quotes):
        if quote.parts[0] in new_of_old:
            new_quote[old] = len(quotes)
            quotes.append(
                PlannedQuote(
                    quote.type,
                    quote.speaker,
                    renumber(quote.speaker_mention),
                    [new_of_old[i] for i in quote.parts],
                    renumber(quote.cue),
                )
            )
    spans = [
        span
        if span.quote is None
        else PlannedSpan(span.start, span.end, span.role, quote=new_quote[span.quote])
        for _, span in items
    ]
    return Plan(plan.body, spans, quotes, padded)


def plan_article(
    chars: int, spans: int, seed: int, entities: Sequence[EntitySpec]
) -> Plan:
    from annotations.spans import check_span
    from newsreader.text import canonical_body

    rng = random.Random(seed)
    plan = choose_spans(ArticleWriter(rng, entities).write(chars), spans, rng)
    if canonical_body(plan.body) != plan.body:
        raise AssertionError("the synthetic body is not canonical")
    for span in plan.spans:
        check_span(plan.body, span.start, span.end)
    return plan


# --------------------------------------------------------------------------
# Database


def bench_settings() -> contextlib.AbstractContextManager[Any]:
    """Plain static storage (the manifest one needs collectstatic) and the
    test client's and live server's host names."""
    from django.conf import settings
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    hosts = [*settings.ALLOWED_HOSTS, "testserver", "127.0.0.1"]
    return override_settings(STORAGES=storages, ALLOWED_HOSTS=hosts)


def make_reviewer(name: str = "bench-reviewer") -> User:
    from django.contrib.auth.models import User

    from annotations.management.commands.seed import ensure_groups
    from newsreader.roles import REVIEWER

    user = User.objects.create_user(name, password=None)
    user.groups.add(ensure_groups()[REVIEWER])
    return user


def store_entities(entities: Sequence[EntitySpec]) -> list[int]:
    from django.utils.text import slugify

    from newsreader.models import Entity

    rows = Entity.objects.bulk_create(
        Entity(name=e.name, kind=e.kind, slug=slugify(e.name)) for e in entities
    )
    return [row.pk for row in rows]


def store_article(
    plan: Plan, *, title: str, reviewer: User, entity_ids: Sequence[int]
) -> Article:
    """The article and its spans, mentions and quotes, in one reviewer's review.

    Plain ``bulk_create``: the history tables stay empty, which no page reads.
    """
    from django.db import connection, transaction

    from annotations.models import Mention, Quote, Review, Span
    from annotations.spans import quote_selector
    from newsreader.models import Article, Source

    body = plan.body
    with transaction.atomic():
        source, _ = Source.objects.get_or_create(
            name="The Bench Courier", defaults={"domain": "benchcourier.example"}
        )
        article = Article.objects.create(
            source=source,
            title=title,
            byline="Bench Reporter",
            published_at=dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC),
            body=body,
            body_sha256=Article.hash_body(body),
        )
        review = Review.objects.create(article=article, reviewer=reviewer)
        quotes = Quote.objects.bulk_create(
            Quote(
                article=article,
                review=review,
                type=quote.type,
                speaker_id=entity_ids[quote.speaker],
            )
            for quote in plan.quotes
        )
        spans = Span.objects.bulk_create(
            (
                Span(
                    article=article,
                    review=review,
                    quote=quotes[span.quote] if span.role == "part" else None,
                    start=span.start,
                    end=span.end,
                    **quote_selector(body, span.start, span.end)._asdict(),
                )
                for span in plan.spans
            ),
            batch_size=1000,
        )
        Mention.objects.bulk_create(
            Mention(span=row, entity_id=entity_ids[span.entity or 0])
            for row, span in zip(spans, plan.spans, strict=True)
            if span.role == "mention"
        )
        for quote, planned in zip(quotes, plan.quotes, strict=True):
            if planned.cue is not None:
                quote.cue = spans[planned.cue]
            if planned.speaker_mention is not None:
                quote.speaker_mention_id = spans[planned.speaker_mention].pk
        Quote.objects.bulk_update(quotes, ["cue", "speaker_mention"])
    with connection.cursor() as cursor:
        for model in (Span, Mention, Quote, Review):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return article


# --------------------------------------------------------------------------
# Timing


@dataclass
class Timings(common.Timings):
    # CPU time of this thread alone: what other processes on a busy machine
    # and the wait for PostgreSQL do not inflate.
    cpu_ms: list[float] = field(default_factory=list)

    def run(self, fn: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.thread_time()
        result = fn()
        self.cpu_ms.append((time.thread_time() - cpu) * 1000)
        self.add(time.perf_counter() - wall)
        return result

    @property
    def cpu_p50(self) -> float:
        return statistics.median(self.cpu_ms)


def count_queries(fn: Callable[[], Any]) -> tuple[int, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries), [query["sql"] for query in queries.captured_queries]


@dataclass
class Split:
    """Where the time of each request goes: component → ms, one per request."""

    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    current: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def record(self, name: str, seconds: float) -> None:
        self.current[name] += seconds * 1000

    def tally(self, name: str) -> None:
        self.current[name] += 1

    def close_request(self, total_s: float) -> None:
        self.current["request"] = total_s * 1000
        for name, ms in self.current.items():
            self.samples[name].append(ms)
        self.current = defaultdict(float)

    def median(self, name: str) -> float:
        return statistics.median(self.samples[name]) if self.samples[name] else 0.0


@contextlib.contextmanager
def instrumented() -> Iterator[Split]:
    """Time the parts of the annotation views by wrapping the functions they
    call (by module attribute, so no source file changes), and the SQL."""
    from django.db import connection

    import annotations.editing
    import annotations.forms
    import annotations.redraw
    import annotations.rendering
    import annotations.views

    split = Split()

    def wrap(module: Any, attribute: str, name: str) -> tuple[Any, str, Any]:
        original = getattr(module, attribute)

        def timed_call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                split.record(name, time.perf_counter() - started)

        setattr(module, attribute, timed_call)
        return module, attribute, original

    def sql(execute: Any, query: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            split.record("sql", time.perf_counter() - started)
            split.tally("queries")

    patches = [
        wrap(annotations.views, "_answer", "answer"),
        wrap(annotations.redraw, "paragraph", "rows"),
        wrap(annotations.views, "_span_rows", "spans"),
        wrap(annotations.views, "workspace_context", "context"),
        wrap(annotations.views, "render_body", "render_body"),
        wrap(annotations.rendering, "segments", "segments"),
        wrap(annotations.views, "render", "template"),
        wrap(annotations.editing, "create_mention", "create_mention"),
        wrap(annotations.forms, "from_utf16", "from_utf16"),
    ]
    try:
        with connection.execute_wrapper(sql):
            yield split
    finally:
        for module, attribute, original in reversed(patches):
            setattr(module, attribute, original)


# --------------------------------------------------------------------------
# 2 and 3: the server, through the test client


@dataclass
class ServerResult:
    render: Timings
    render_queries: int
    render_sql: list[str]
    render_bytes: int
    small_render: Timings
    small_queries: int
    create: Timings
    accept: Timings
    accept_bytes: int
    create_queries: int
    create_bytes: int
    render_split: Split
    create_split: Split
    spans_after: int
    load_average: tuple[float, float]  # 1-minute, before and after
    profile: str = ""


def login(user: User) -> Client:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def get_page(client: Client, article: Article) -> Any:
    response = client.get(f"/articles/{article.pk}/")
    if response.status_code != 200:
        raise RuntimeError(f"GET article {article.pk} gave {response.status_code}")
    return response


class MentionPoster:
    """Posts new mentions as the browser would: each on a different word of
    the article, in UTF-16 offsets, linked to one of the entities."""

    def __init__(
        self, client: Client, article: Article, entity_ids: Sequence[int], seed: int
    ) -> None:
        from django.urls import reverse

        self.client = client
        self.body = article.body
        self.url = reverse("annotations:mention-create", args=[article.pk])
        self.entity_ids = entity_ids
        self.rng = random.Random(seed)
        # Words that are a mention already would be refused (409) as a
        # second link of the same words.
        from annotations.models import Span

        linked = set(
            Span.objects.filter(article=article, mention__isnull=False).values_list(
                "start", "end"
            )
        )
        self.words = [
            word
            for word in WORD.finditer(self.body)
            if (word.start(), word.end()) not in linked
        ]
        self.rng.shuffle(self.words)

    def post(self) -> Any:
        from annotations.spans import to_utf16

        word = self.words.pop()
        data = {
            "start": to_utf16(self.body, word.start()),
            "end": to_utf16(self.body, word.end()),
            "exact": word.group(),
            "entity": self.rng.choice(self.entity_ids),
            "others": "0",
        }
        response = self.client.post(
            self.url, data, headers={"HX-Request": "true", "HX-Target": "workspace"}
        )
        if response.status_code != 200:
            raise RuntimeError(
                f"POST mention {data} gave {response.status_code}: "
                f"{response.content[:300]!r}"
            )
        return response


def suggestion_urls(article: Article, count: int) -> tuple[Client, list[str]]:
    """A second reviewer, signed in, and the URLs that accept ``count`` of
    the suggested mentions on the article, after the suggester ran on it.
    (The first reviewer's 2,000 spans cover nearly every name it finds.)"""
    from django.db import connection
    from django.urls import reverse

    from annotations.suggest.store import suggest_article
    from annotations.views import _pending_suggestions

    suggest_article(article=article)
    # As autovacuum would after so many new rows: plans for the accepts
    # that follow go by the table as it is now.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE annotations_span")
    pending = [
        row.pk for row in _pending_suggestions(article, None) if row.mention__entity
    ]
    if len(pending) < count:
        raise RuntimeError(f"only {len(pending)} suggestions to accept")
    urls = [
        reverse("annotations:suggestion-accept", args=[article.pk, pk])
        for pk in pending[:: max(1, len(pending) // count)][:count]
    ]
    return login(make_reviewer("bench-reviewer-2")), urls


def bench_server(
    user: User,
    article: Article,
    small: Article,
    entity_ids: Sequence[int],
    requests: int,
    seed: int,
    profile: bool,
) -> ServerResult:
    # Loaded as a server process loads the app: newsreader.wsgi also takes
    # what start-up made out of the garbage collector's sight.
    import newsreader.wsgi  # noqa: F401
    from annotations.models import Span

    load_before = os.getloadavg()[0]
    client = login(user)
    for _ in range(3):  # warm up: URL resolver, templates, connection
        get_page(client, article)
        get_page(client, small)

    render = Timings("GET article")
    small_render = Timings(f"GET article, {SMALL_SPANS} spans")
    for _ in range(requests):
        render.run(lambda: get_page(client, article))
        small_render.run(lambda: get_page(client, small))
    render_queries, render_sql = count_queries(lambda: get_page(client, article))
    small_queries, _ = count_queries(lambda: get_page(client, small))
    render_bytes = len(get_page(client, article).content)

    poster = MentionPoster(client, article, entity_ids, seed)
    for _ in range(3):
        poster.post()
    # The answer carries the side panel's changed rows: one request in all.
    create = Timings("POST mention")
    for _ in range(requests):
        create.run(poster.post)
    create_queries, _ = count_queries(poster.post)
    create_bytes = len(poster.post().content)

    # The machine's suggestions on the article, accepted one by one as a
    # reviewer does with A: each answer carries what the accept changed.
    accept = Timings("POST accept")
    accept_bytes = 0
    second, urls = suggestion_urls(article, requests)
    for url in urls:
        seconds, response = timed(
            lambda url=url: second.post(url, headers={"HX-Request": "true"})
        )
        if response.status_code != 200:
            raise RuntimeError(f"accept gave {response.status_code}")
        accept.add(seconds)
        accept_bytes = max(accept_bytes, len(response.content))

    with instrumented() as render_split:
        for _ in range(max(10, requests // 2)):
            seconds, _ = timed(lambda: get_page(client, article))
            render_split.close_request(seconds)
    with instrumented() as create_split:
        for _ in range(max(10, requests // 2)):
            seconds, _ = timed(poster.post)
            create_split.close_request(seconds)

    text = ""
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            get_page(client, article)
            poster.post()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        out.write("\n== cProfile, 10 GETs + 10 POSTs, by cumulative time\n")
        stats.sort_stats("cumulative").print_stats(35)
        out.write("\n== cProfile, by own time\n")
        stats.sort_stats("tottime").print_stats(25)
        text = out.getvalue()

    return ServerResult(
        render=render,
        render_queries=render_queries,
        render_sql=render_sql,
        render_bytes=render_bytes,
        small_render=small_render,
        small_queries=small_queries,
        create=create,
        create_queries=create_queries,
        create_bytes=create_bytes,
        accept=accept,
        accept_bytes=accept_bytes,
        render_split=render_split,
        create_split=create_split,
        spans_after=Span.objects.filter(article=article).count(),
        load_average=(load_before, os.getloadavg()[0]),
        profile=text,
    )


# --------------------------------------------------------------------------
# 4: headless Chromium against a live server

# Runs before the page's own scripts. It notes when the workspace script adds its
# selectionchange listener (its modules run on, synchronously, to their end)
# and when htmx has processed the body; then selects a word in the text and
# notes when #selection-toolbar shows.
INIT_SCRIPT = """(() => {
  const bench = (window.__bench = {});
  const add = EventTarget.prototype.addEventListener;
  add.call(document, "htmx:load", () => {
    if (bench.htmxLoad === undefined) bench.htmxLoad = performance.now();
  }, true);
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    add.call(this, type, listener, options);
    if (type === "selectionchange" && bench.listener === undefined) {
      bench.listener = performance.now();
      bench.htmxDefined = typeof window.htmx !== "undefined";
      setTimeout(selectWord, 0);
    }
  };
  function selectWord() {
    const toolbar = document.getElementById("selection-toolbar");
    new MutationObserver(() => {
      if (!toolbar.hidden && bench.toolbar === undefined) {
        bench.toolbar = performance.now();
      }
    }).observe(toolbar, { attributes: true, attributeFilter: ["hidden"] });
    const area = document.getElementById("article-body");
    const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const match = /[A-Za-z]{4,}/.exec(walker.currentNode.data);
      if (!match) continue;
      const range = document.createRange();
      range.setStart(walker.currentNode, match.index);
      range.setEnd(walker.currentNode, match.index + match[0].length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      bench.selected = performance.now();
      return;
    }
  }
})();"""

MEASURE_SCRIPT = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const b = window.__bench;
  return {
    ttfb: nav.responseStart, html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd, listener: b.listener, htmxLoad: b.htmxLoad ?? null,
    htmxDefined: b.htmxDefined, selected: b.selected, toolbar: b.toolbar,
    marks: document.querySelectorAll("#article-body mark").length,
    elements: document.getElementsByTagName("*").length,
  };
}"""


@dataclass
class BrowserResult:
    chromium: str
    cold: dict[str, Timings]
    warm: dict[str, Timings]
    marks: int
    elements: int
    errors: list[str]


BROWSER_FIGURES = {
    "ttfb": "first byte of the HTML",
    "html": "HTML received",
    "dcl": "DOMContentLoaded done",
    "ready": "selection script and htmx ready",
    "toolbar": "toolbar shown for a selection made then",
    "load": "load event done",
}


def bench_browser(
    article: Article, session_cookie: tuple[str, str], loads: int
) -> BrowserResult:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import Page, sync_playwright

    server = LiveServerThread("127.0.0.1", StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"
    url = f"{base}/articles/{article.pk}/"
    cold = {key: Timings(label) for key, label in BROWSER_FIGURES.items()}
    warm = {key: Timings(label) for key, label in BROWSER_FIGURES.items()}
    scratch = {key: Timings(label) for key, label in BROWSER_FIGURES.items()}
    errors: list[str] = []
    last: dict[str, Any] = {}

    def load(page: Page, into: dict[str, Timings]) -> None:
        nonlocal last
        page.goto(url, wait_until="load")
        page.wait_for_function(
            "() => window.__bench && window.__bench.toolbar !== undefined"
            " && performance.getEntriesByType('navigation')[0].loadEventEnd > 0",
            timeout=30_000,
        )
        last = page.evaluate(MEASURE_SCRIPT)
        if not last["htmxDefined"]:
            errors.append("window.htmx was not defined when the workspace script ran")
        ready = max(last["listener"], last["htmxLoad"] or 0)
        for key in BROWSER_FIGURES:
            value = ready if key == "ready" else last[key]
            into[key].add(value / 1000)

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_FLAGS
            )
            name, value = session_cookie
            for i in range(loads + 1):
                context = browser.new_context()
                context.add_cookies([{"name": name, "value": value, "url": base}])
                context.add_init_script(INIT_SCRIPT)
                page = context.new_page()
                page.on(
                    "console",
                    lambda m: errors.append(m.text) if m.type == "error" else None,
                )
                page.on("pageerror", lambda e: errors.append(str(e)))
                # The first load warms the server and Chromium; not counted.
                load(page, cold if i else scratch)
                if i:
                    load(page, warm)  # the same tab again: static files cached
                context.close()
            version = browser.version
            browser.close()
    finally:
        server.terminate()
    return BrowserResult(
        version, cold, warm, last["marks"], last["elements"], sorted(set(errors))
    )


# --------------------------------------------------------------------------
# Report


def machine() -> str:
    from django import get_version
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
    return (
        f"{dt.date.today()}; {os.cpu_count()} cores ({cpu}); "
        f"Python {platform.python_version()}, Django {get_version()}, "
        f"PostgreSQL {postgres}"
    )


def describe(plan: Plan, entities: int) -> str:
    nested, crossing = plan.overlaps()
    paragraphs = plan.body.count("\n\n") + 1
    padded = f", {plan.padded:,} of them stray 1-3 words" if plan.padded else ""
    return (
        f"{len(plan.body):,} characters in {paragraphs} paragraphs; "
        f"{len(plan.spans):,} spans: {plan.count('mention'):,} mentions of "
        f"{entities} entities, {len(plan.quotes):,} quotes with "
        f"{plan.count('part'):,} parts and {plan.count('cue'):,} cues; "
        f"{nested:,} spans inside another, {crossing:,} crossing another's "
        f"edge{padded}"
    )


def split_rows(split: Split, *, create: bool) -> list[list[str]]:
    total = split.median("request")
    template = split.median("template")
    rows: list[list[str]] = []

    def row(label: str, ms: float) -> None:
        rows.append([label, f"{ms:.1f}", f"{ms / total:.0%}" if total else ""])

    row("whole request (test client)", total)
    if create:
        # A write answers with what it changed (views._answer), not the page.
        answer = split.median("answer")
        row("  form.span: from_utf16 ×2", split.median("from_utf16"))
        row("  editing.create_mention (SQL included)", split.median("create_mention"))
        row("  _answer: the paragraph and the side panel's rows", answer)
        row(
            "    its spans and suggestions, the count left, the entity rows",
            split.median("rows"),
        )
        row("    render_body", split.median("render_body"))
        row("    template render", template)
        rest = answer - split.median("rows") - template
        row("    the rest (quotes, marks)", rest - split.median("render_body"))
        outside = total - answer - split.median("create_mention")
        outside -= split.median("from_utf16")
        row("  the rest (middleware, session, user, form, review, checks)", outside)
    else:
        context = split.median("context")
        row("  workspace_context", context)
        row("    _span_rows(): the spans' query and rows", split.median("spans"))
        row("    render_body", split.median("render_body"))
        row("      of which spans.segments", split.median("segments"))
        rest = context - split.median("spans") - split.median("render_body")
        row("    the rest (review, loop to Drawn)", rest)
        row("  template render", template)
        row("  the rest (middleware, session, auth)", total - context - template)
    queries = split.median("queries")
    row(f"SQL, in cursor.execute ({queries:.0f} queries; included above)", 0.0)
    rows[-1][1] = f"{split.median('sql'):.1f}"
    rows[-1][2] = f"{split.median('sql') / total:.0%}" if total else ""
    return rows


def report(
    plan: Plan,
    small_plan: Plan,
    entities: int,
    server: ServerResult,
    browser: BrowserResult | None,
    loads: int,
) -> str:
    lines = [f"\n== Workspace benchmark, {machine()}"]
    if browser:
        lines.append(f"Chromium {browser.chromium}")
    lines.append(f"Article: {describe(plan, entities)}")
    lines.append(f"Small article: {describe(small_plan, entities)}")
    lines.append(f"Sample: {plan.body[:240]!r} …")

    summary: list[list[str]] = []
    r, c = server.render, server.create
    summary.append([
        f"GET article, {len(plan.spans):,} spans, p50 / p95 ms",
        f"{r.p50:.1f} / {r.p95:.1f}", f"p95 < {TARGET_RENDER_P95_MS:.0f}",
        verdict(r.p95 < TARGET_RENDER_P95_MS),
    ])  # fmt: skip
    summary.append([
        f"GET article, {len(small_plan.spans):,} spans, p50 / p95 ms",
        f"{server.small_render.p50:.1f} / {server.small_render.p95:.1f}", "", "",
    ])  # fmt: skip
    summary.append([
        f"SQL queries, GET: {len(plan.spans):,} vs {len(small_plan.spans):,} spans",
        f"{server.render_queries} vs {server.small_queries}", "the same",
        verdict(server.render_queries == server.small_queries),
    ])  # fmt: skip
    summary.append([
        "GET article, CPU of the serving thread, p50 ms", f"{r.cpu_p50:.1f}", "", "",
    ])  # fmt: skip
    summary.append(
        ["GET response size", f"{server.render_bytes / 1024:,.0f} KiB", "", ""]
    )
    summary.append([
        "POST mention-create, p50 / p95 ms", f"{c.p50:.1f} / {c.p95:.1f}",
        f"p50 < {TARGET_CREATE_P50_MS:.0f}", verdict(c.p50 < TARGET_CREATE_P50_MS),
    ])  # fmt: skip
    summary.append([
        "POST mention-create, CPU of the serving thread, p50 ms", f"{c.cpu_p50:.1f}",
        "", "",
    ])  # fmt: skip
    summary.append(["SQL queries, POST", f"{server.create_queries}", "", ""])
    summary.append(
        ["POST response size", f"{server.create_bytes / 1024:,.0f} KiB", "", ""]
    )
    a = server.accept
    summary.append([
        "POST accept a suggestion, p50 / p95 ms", f"{a.p50:.1f} / {a.p95:.1f}",
        f"p50 <= {TARGET_ACCEPT_P50_MS:.0f}", verdict(a.p50 <= TARGET_ACCEPT_P50_MS),
    ])  # fmt: skip
    summary.append(
        ["POST accept response size", f"{server.accept_bytes / 1024:,.0f} KiB", "", ""]
    )
    if browser:
        for mode, figures in (("cold", browser.cold), ("warm", browser.warm)):
            for key in ("dcl", "ready", "toolbar"):
                timings = figures[key]
                summary.append([
                    f"Chromium, {mode}: navigation → {timings.label}, median ms",
                    f"{timings.p50:.0f}", f"< {TARGET_INTERACTIVE_MS:.0f}",
                    verdict(timings.p50 < TARGET_INTERACTIVE_MS),
                ])  # fmt: skip
    before, after = server.load_average
    lines.append(
        f"\n== Summary (1-minute load average {before:.1f} before the server "
        f"timings, {after:.1f} after, on {os.cpu_count()} cores)"
    )
    lines.append(table(["figure", "value", "target", "result"], summary))

    lines.append(
        f"\n== Where a GET's time goes, median ms of "
        f"{len(server.render_split.samples['request'])} instrumented requests"
    )
    lines.append(
        table(["part", "ms", "share"], split_rows(server.render_split, create=False))
    )
    lines.append(
        f"\n== Where a POST's time goes, median ms of "
        f"{len(server.create_split.samples['request'])} instrumented requests "
        f"(the article had {server.spans_after:,} spans by the end)"
    )
    lines.append(
        table(["part", "ms", "share"], split_rows(server.create_split, create=True))
    )

    if browser:
        lines.append(
            f"\n== Chromium, ms from navigation start, median of {loads} loads "
            f"(cold: a new browser context each; warm: the same tab again); "
            f"{browser.marks:,} <mark>s, {browser.elements:,} elements in the page"
        )
        rows = [
            [
                timings.label,
                f"{timings.p50:.0f}",
                f"{max(timings.samples_ms):.0f}",
                f"{browser.warm[key].p50:.0f}",
                f"{max(browser.warm[key].samples_ms):.0f}",
            ]
            for key, timings in browser.cold.items()
        ]
        lines.append(
            table(["moment", "cold p50", "cold max", "warm p50", "warm max"], rows)
        )
        lines.append(
            "The toolbar waits out the workspace script's 120 ms "
            "selectionchange debounce. The live server (Django's threaded WSGI "
            "server) opens a database connection for each request."
        )
        if browser.errors:
            lines.append("Console errors: " + "; ".join(browser.errors))
    lines.append(f"\n== The {server.render_queries} queries of a GET")
    lines.extend(f"  {sql[:150]}" for sql in server.render_sql)
    if server.profile:
        lines.append(server.profile)
    return "\n".join(lines)


# --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = common.argument_parser(__doc__, DEFAULT_DATABASE_URL)
    parser.add_argument("--chars", type=int, default=50_000, metavar="N")
    parser.add_argument("--spans", type=int, default=2_000, metavar="N")
    parser.add_argument(
        "--requests", type=int, default=50, help="timed GETs and POSTs each"
    )
    parser.add_argument("--loads", type=int, default=10, help="page loads in Chromium")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--no-browser", action="store_true", help="skip the Chromium timings"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of the views"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    url = args.database_url
    common.fresh_database(url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0, interactive=False)
        with bench_settings():
            entities = make_entities(random.Random(args.seed))
            print(f"Writing the article ({args.chars:,} characters) …", flush=True)
            seconds, plan = timed(
                lambda: plan_article(args.chars, args.spans, args.seed, entities)
            )
            small_plan = plan_article(args.chars, SMALL_SPANS, args.seed + 1, entities)
            print(f"  {describe(plan, len(entities))} ({seconds:.1f} s)", flush=True)
            reviewer = make_reviewer()
            entity_ids = store_entities(entities)
            seconds, article = timed(
                lambda: store_article(
                    plan,
                    title="Ministers and councils at odds over the cost of living",
                    reviewer=reviewer,
                    entity_ids=entity_ids,
                )
            )
            print(f"  stored in {seconds:.1f} s", flush=True)
            small = store_article(
                small_plan,
                title="A lighter day in the council chamber",
                reviewer=reviewer,
                entity_ids=entity_ids,
            )
            print(f"Timing the server ({args.requests} requests each) …", flush=True)
            server = bench_server(
                reviewer,
                article,
                small,
                entity_ids,
                args.requests,
                args.seed,
                args.profile,
            )
            browser = None
            if not args.no_browser:
                print(f"Timing Chromium ({args.loads} loads) …", flush=True)
                client = login(reviewer)  # a session of its own, saved now
                cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
                connections.close_all()  # nothing of the ORM runs with Playwright
                browser = bench_browser(
                    article, (settings.SESSION_COOKIE_NAME, cookie), args.loads
                )
            print(
                report(plan, small_plan, len(entities), server, browser, args.loads),
                flush=True,
            )
    finally:
        connections.close_all()
        if not args.keep:
            common.drop_database(url)


if __name__ == "__main__":
    main()
