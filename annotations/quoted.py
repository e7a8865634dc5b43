"""Who is quoted, where, and with whom: from the curated annotations only,
what readers see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import batched

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
)
from django.db.models.functions import TruncMonth

from annotations import interchange
from annotations.models import NEWEST, CuratedQuote, Mention, Quote, Review, Span
from newsreader.models import SEARCH_CONFIG, Article, Entity, Source


def _with_parts(quotes: QuerySet[Quote], *related: str) -> QuerySet[Quote]:
    """``quotes`` with their parts in reading order, their speakers and
    articles (not their text) and any other ``related``."""
    parts = Prefetch("parts", queryset=Span.objects.order_by("start", "-end"))
    return (
        quotes.select_related("article__source", "speaker", *related)
        .prefetch_related(parts)
        .defer("article__body", "article__search_vector")
    )


def _words(parts: Sequence[Span]) -> str:
    return " … ".join(part.exact for part in parts)


def saying(quotes: QuerySet[CuratedQuote], text: str) -> QuerySet[CuratedQuote]:
    """Those of ``quotes`` whose words match ``text`` (web search syntax:
    "quoted phrase", or, -not)."""
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    return quotes.filter(words=query)


def speakers_named(text: str, user, limit: int = 3) -> QuerySet[Entity]:
    """The speakers of curated quotes whose name or alias fits ``text``,
    best first: what a search of the quoted words that found nothing may
    have meant ("Sinirlioglu" is said by him, not in his words)."""
    return (
        Entity.objects.visible_to(user)
        .canonical()
        .search(text, user=user)
        .filter(Exists(CuratedQuote.objects.filter(speaker=OuterRef("pk"))))[:limit]
    )


def newest(
    quotes: QuerySet[CuratedQuote], limit: int | None = None
) -> tuple[list[int], bool]:
    """The ids of the ``limit`` newest of ``quotes``, newest first, and
    whether there were more.

    One query picks them; counting and paging then take no query, and only
    the quotes of the page shown are read.
    """
    pks = quotes.order_by(*NEWEST).values_list("quote", flat=True)
    if limit is None:
        return list(pks), False
    pks = list(pks[: limit + 1])
    return pks[:limit], len(pks) > limit


@dataclass(frozen=True)
class QuoteLine:
    """A quote as a list shows it: its words, and its article opened at it."""

    quote: Quote
    words: str
    url: str


def lines(pks: Sequence[int]) -> list[QuoteLine]:
    """The quotes of ``pks`` with their parts, speakers and articles, in the
    order of ``pks`` (``newest``'s), one article's in reading order."""
    quotes = _with_parts(Quote.objects.filter(pk__in=pks))
    by_pk = {quote.pk: quote for quote in quotes}
    place = {}  # each article's, in the order of pks
    for pk in pks:
        if pk in by_pk:
            place.setdefault(by_pk[pk].article_id, len(place))
    said = {pk: list(quote.parts.all()) for pk, quote in by_pk.items()}
    order = sorted(
        (pk for pk in by_pk if said[pk]),
        key=lambda pk: (place[by_pk[pk].article_id], said[pk][0].start),
    )
    return [
        QuoteLine(
            by_pk[pk],
            _words(said[pk]),
            f"{by_pk[pk].article.get_absolute_url()}?span={said[pk][0].pk}",
        )
        for pk in order
    ]


def _speakers(counts: QuerySet[CuratedQuote], attribute: str) -> list[Entity]:
    """The speakers of ``counts`` (speaker, count rows), in their order,
    each with its count as ``attribute``."""
    ranked = dict(counts)
    speakers = Entity.objects.in_bulk(ranked)
    for pk, count in ranked.items():
        setattr(speakers[pk], attribute, count)
    return [speakers[pk] for pk in ranked]


def quoted_with(entity: Entity, limit: int = 10) -> list[Entity]:
    """The others quoted in the articles that quote ``entity``, by how many
    of those articles quote them (``articles``)."""
    articles = CuratedQuote.objects.filter(speaker=entity).values("article")
    counts = (
        CuratedQuote.objects.filter(article__in=articles, speaker__isnull=False)
        .exclude(speaker=entity)
        .values_list("speaker")
        .annotate(articles=Count("article", distinct=True))
        .order_by("-articles", "speaker__name")[:limit]
    )
    return _speakers(counts, "articles")


def quotes_about(entity: Entity) -> QuerySet[CuratedQuote]:
    """Others' quotes in the articles that mention ``entity``."""
    articles = Article.objects.mentioning(entity).values("pk")
    return CuratedQuote.objects.filter(article__in=articles).exclude(speaker=entity)


def _month(published: str) -> TruncMonth:
    """The first day of the month of ``published``."""
    return TruncMonth(published, output_field=DateField())


def _by_month(queryset: QuerySet, published: str) -> dict[dt.date, int]:
    months = (
        queryset.filter(**{f"{published}__isnull": False})
        .annotate(month=_month(published))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["month"]: row["count"] for row in months}


def monthly_counts(entity: Entity) -> dict[str, dict[dt.date, int]]:
    """Quotes by ``entity`` and mentions of them per month of publication
    (articles without a date are left out)."""
    mentions = Mention.objects.filter(
        entity=entity,
        span__status=Span.Status.ACCEPTED,
        span__review__status=Review.Status.ADJUDICATED,
    )
    return {
        "quotes": _by_month(
            CuratedQuote.objects.filter(speaker=entity), "published_at"
        ),
        "mentions": _by_month(mentions, "span__article__published_at"),
    }


CSV_CHUNK = 2000


def csv_rows(found: QuerySet[CuratedQuote]) -> Iterator[list]:
    """The quotes ``found``, newest first, as rows under
    ``QUOTES_CSV_HEADER``; read in chunks, for a response that streams
    every match."""
    pks = found.order_by(*NEWEST).values_list("quote", flat=True)
    for chunk in batched(pks.iterator(chunk_size=CSV_CHUNK), CSV_CHUNK):
        quotes = _with_parts(
            Quote.objects.filter(pk__in=chunk), "review__reviewer"
        ).in_bulk()
        # A quote deleted since its id was read is left out, not a crash
        # halfway through the download.
        for quote in (quotes[pk] for pk in chunk if pk in quotes):
            yield interchange.quote_csv_row(
                quote.article,
                quote.speaker_label,
                _words(quote.parts.all()),
                quote.type,
                quote.review.reviewer.get_username(),
            )


def top_speakers(limit: int) -> list[Entity]:
    """The ``limit`` speakers with the most quotes (``quoted``), most first."""
    counts = (
        CuratedQuote.objects.filter(speaker__isnull=False)
        .values_list("speaker")
        .annotate(quoted=Count("pk"))
        .order_by("-quoted", "speaker__name")[:limit]
    )
    return _speakers(counts, "quoted")


def outlet_monthly_counts(limit: int) -> dict[str, dict[dt.date, int]]:
    """Quotes per month of publication for each of the ``limit`` outlets
    with the most quotes in dated articles, most first."""
    dated = CuratedQuote.objects.filter(
        source__isnull=False, published_at__isnull=False
    )
    top = list(
        dated.values_list("source", flat=True)
        .annotate(quotes=Count("pk"))
        .order_by("-quotes", "source__name")[:limit]
    )
    months = (
        dated.filter(source__in=top)
        .annotate(month=_month("published_at"))
        .values_list("source", "source__name", "month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    names: dict[int, str] = {}
    counts: dict[int, dict[dt.date, int]] = {pk: {} for pk in top}
    for source, name, month, count in months:
        names[source] = name
        counts[source][month] = count
    return {names[pk]: counts[pk] for pk in top}


@dataclass(frozen=True)
class Reach:
    """How widely an outlet quotes: its quotes with a named speaker, how
    many speakers, and how many of the quotes are its ten most quoted
    speakers'."""

    outlet: Source
    quotes: int
    speakers: int
    top_ten: int

    @property
    def top_ten_share(self) -> float:
        return self.top_ten / self.quotes


def outlet_reach() -> list[Reach]:
    """Every outlet with a quote by a named speaker, most such quotes first."""
    per_speaker = (
        CuratedQuote.objects.filter(source__isnull=False, speaker__isnull=False)
        .values(outlet=F("source"), who=F("speaker"))
        .annotate(quotes=Count("pk"))
        .order_by()
    )
    sql, params = per_speaker.query.sql_with_params()
    # Ranking speakers within an outlet is a window over these counts,
    # grouped again by outlet: more than the ORM nests.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT outlet, sum(quotes)::int, count(*)::int,
                sum(quotes) FILTER (WHERE rank <= 10)::int
            FROM (
                SELECT outlet, quotes, row_number() OVER (
                    PARTITION BY outlet ORDER BY quotes DESC, who
                ) AS rank
                FROM ({sql}) AS per_speaker
            ) AS ranked
            GROUP BY outlet
            """,
            params,
        )
        rows = cursor.fetchall()
    outlets = Source.objects.in_bulk([outlet for outlet, *_ in rows])
    reach = [Reach(outlets[outlet], *counts) for outlet, *counts in rows]
    return sorted(reach, key=lambda row: (-row.quotes, row.outlet.name))
