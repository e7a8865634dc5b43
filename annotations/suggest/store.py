"""Storing suggestions: the one part of the suggester that reads the entity
table and writes rows.

``suggest_articles`` stores what detection finds as spans with status
``suggested``, no review and origin ``rules`` (or ``model``), with their
mentions and quotes, replacing the article's earlier suggestions that no
one has acted on. A speaker missing from the entity table is proposed as a
new entity with status ``suggested``.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import spacy
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from annotations.models import Mention, Quote, Span
from annotations.spans import quote_selector
from annotations.suggest.detect import detect_all, load_model
from annotations.suggest.gazetteer import Gazetteer, GazetteerEntry
from annotations.suggest.results import RULES, FoundMention, FoundQuote, Suggestions
from newsreader.models import Alias, Entity


def model_name() -> str:
    """The configured pipeline's name or folder; empty for the rules alone."""
    return settings.NEWSREADER_SPACY_MODEL


def configured_model() -> spacy.language.Language | None:
    name = model_name()
    return load_model(name) if name else None


# Articles stored in one transaction (``suggest_articles``).
BATCH_SIZE = 200


_gazetteer_cache: dict[tuple, Gazetteer] = {}


def _table_version() -> tuple:
    """Changes whenever a confirmed entity or an alias is added, changed or
    deleted: counts, newest primary keys and newest history rows. Entities
    the suggester proposes do not count, so proposing one keeps the cache."""
    confirmed = Q(status=Entity.Status.CONFIRMED)
    return (
        tuple(
            Entity.objects.aggregate(
                n=Count("pk", filter=confirmed), top=Max("pk", filter=confirmed)
            ).values()
        ),
        tuple(Alias.objects.aggregate(n=Count("pk"), top=Max("pk")).values()),
        Entity.history.filter(confirmed).aggregate(top=Max("history_id"))["top"],
        Alias.history.aggregate(top=Max("history_id"))["top"],
    )


def table_names() -> Iterable[tuple[str, GazetteerEntry]]:
    """Every confirmed entity's name and aliases, as ``Gazetteer`` takes them.

    A merged entity's names find the entity it was merged into.
    """
    rows = Entity.objects.values_list("pk", "name", "kind", "merged_into", "status")
    by_pk = {
        pk: (name, kind, target, status) for pk, name, kind, target, status in rows
    }

    def canonical(pk: int) -> int:
        seen = set()
        while by_pk[pk][2] is not None and pk not in seen:
            seen.add(pk)
            pk = by_pk[pk][2]
        return pk

    entries = {
        pk: GazetteerEntry(pk, name, kind)
        for pk, (name, kind, _, status) in by_pk.items()
        if status == Entity.Status.CONFIRMED
    }
    for pk, (name, *_) in by_pk.items():
        target = entries.get(canonical(pk))
        if target is not None:
            yield name, target
    # A reviewer's alias waits for curation: words linked by mistake
    # ("against", "called") would otherwise be suggested everywhere.
    public = Alias.objects.public()
    for entity_pk, alias in public.values_list("entity", "name").iterator(
        chunk_size=5000
    ):
        target = entries.get(canonical(entity_pk))
        if target is not None:
            yield alias, target


def gazetteer_from_db() -> Gazetteer:
    """The entity table's gazetteer, built again only when the table has
    changed since the last call in this process (see ``_table_version``)."""
    version = _table_version()
    cached = _gazetteer_cache.get(version)
    if cached is None:
        cached = Gazetteer(table_names())
        _gazetteer_cache.clear()
        _gazetteer_cache[version] = cached
        # Its half a million objects live as long as the process, and each
        # full garbage collection walked them all: 5% of the time spent
        # storing suggestions. Out of the collector's sight, they are still
        # freed when the gazetteer is dropped (they form no cycles).
        gc.freeze()
    return cached


@dataclass
class SuggestSummary:
    articles: int = 0
    mentions: int = 0
    quotes: int = 0
    new_entities: int = 0
    replaced: int = 0  # earlier suggested spans removed

    def __add__(self, other: SuggestSummary) -> SuggestSummary:
        return SuggestSummary(
            *(
                a + b
                for a, b in zip(vars(self).values(), vars(other).values(), strict=True)
            )
        )

    def __str__(self) -> str:
        articles = "1 article" if self.articles == 1 else f"{self.articles} articles"
        return (
            f"{articles}: {self.mentions} mentions, "
            f"{self.quotes} quotes, {self.new_entities} new entities proposed, "
            f"{self.replaced} earlier suggestions replaced"
        )


def suggest_article(*, article, gazetteer: Gazetteer | None = None) -> SuggestSummary:
    """Store fresh suggestions for one article; see ``suggest_articles``."""
    return suggest_articles(articles=[article], gazetteer=gazetteer)


def suggest_articles(
    *,
    articles: Iterable,
    gazetteer: Gazetteer | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[SuggestSummary], None] | None = None,
) -> SuggestSummary:
    """Find and store suggestions for ``articles``, one transaction a batch of
    ``batch_size``; ``progress`` gets the running total after each batch.

    Each article's earlier suggestions that no one has acted on (spans with
    status ``suggested`` and no review, the mentions on them, quotes whose
    parts are all such) are deleted first, so running again gives the same
    rows. A suggestion a reviewer rejected is not made again. Rows are
    written with a few bulk inserts for the whole batch, without history:
    suggestions are the machine's, and accepting one is the first change
    worth recording.

    When another batch follows, a writer thread stores this one on a
    connection of its own while this thread finds the next one's
    suggestions: Postgres's inserts and foreign-key checks then take no
    time of the detection's. Inside a transaction the caller holds (tests,
    ``seed``), which a second connection could not see, every batch is
    stored here, in that transaction.
    """
    batches = itertools.batched(articles, batch_size)
    batch = next(batches, None)
    if batch is None:
        return SuggestSummary()
    gazetteer = gazetteer or gazetteer_from_db()
    model = configured_model()
    total = SuggestSummary()

    def add(summary: SuggestSummary) -> None:
        nonlocal total
        total += summary
        if progress:
            progress(total)

    writer: ThreadPoolExecutor | None = None
    pending: Future[SuggestSummary] | None = None
    try:
        while batch is not None:
            found = dict(
                zip(
                    [article.pk for article in batch],
                    detect_all([article.body for article in batch], gazetteer, model),
                    strict=True,
                )
            )
            following = next(batches, None)
            if pending is not None:
                add(pending.result())
                pending = None
            if following is None or connection.in_atomic_block:
                add(_store_batch(batch, found))
            else:
                writer = writer or ThreadPoolExecutor(max_workers=1)
                pending = writer.submit(_store_batch, batch, found)
            batch = following
    finally:
        if writer is not None:
            # The thread's connection closes with it, once its last batch is
            # in. (connections.close_all closes the calling thread's; a bound
            # connection.close would be this thread's.)
            writer.submit(connections.close_all)
            writer.shutdown()
    return total


def _store_batch(articles: Sequence, found: dict[int, Suggestions]) -> SuggestSummary:
    with transaction.atomic():
        return _store(list(articles), found)


def _store(articles: list, found: dict[int, Suggestions]) -> SuggestSummary:
    ids = [article.pk for article in articles]
    machine = {"review__isnull": True, "article__in": ids}
    stale_entities = set(
        Mention.objects.filter(
            span__status=Span.Status.SUGGESTED,
            span__review__isnull=True,
            span__article__in=ids,
            entity__status=Entity.Status.SUGGESTED,
        ).values_list("entity", flat=True)
    )
    # Raw deletes, in an order of our own: the ORM's delete would write a
    # history row for each of thousands of machine suggestions, one by one.
    # Foreign keys are checked at commit.
    stale = Span.objects.filter(**machine, status=Span.Status.SUGGESTED)
    acted_on = Span.objects.filter(**machine).exclude(status=Span.Status.SUGGESTED)
    acted_quotes = acted_on.exclude(quote=None).values("quote")
    doomed = Quote.objects.filter(**machine).exclude(pk__in=acted_quotes)
    # Quotes that stay let go of the spans and mentions about to go.
    staying = Quote.objects.exclude(pk__in=doomed)
    staying.filter(cue__in=stale).update(cue=None)
    staying.filter(speaker_mention__span__in=stale).update(speaker_mention=None)
    db = Span.objects.db
    Mention.objects.filter(span__in=stale)._raw_delete(db)
    doomed._raw_delete(db)
    replaced = stale._raw_delete(db)
    # Rejected suggestions stay rejected: the same span is not offered again.
    rejected = set(
        Span.objects.filter(**machine, status=Span.Status.REJECTED).values_list(
            "article", "start", "end"
        )
    )
    summary = SuggestSummary(articles=len(articles), replaced=replaced)
    # Names to propose: one query finds those proposed before (by any run).
    new_names = {
        (m.name, m.kind)
        for suggestions in found.values()
        for m in suggestions.mentions
        if m.entity is None
    }
    proposed: dict[tuple[str, str], Entity] = {}
    if new_names:
        for entity in Entity.objects.filter(
            status=Entity.Status.SUGGESTED, name__in={name for name, _ in new_names}
        ).order_by("pk"):
            proposed.setdefault((entity.name, entity.kind), entity)

    def entity_for(mention: FoundMention) -> int:
        if mention.entity is not None:
            return mention.entity.key
        key = (mention.name, mention.kind)
        if key not in proposed:
            proposed[key] = Entity.objects.create_named(
                name=mention.name, kind=mention.kind, status=Entity.Status.SUGGESTED
            )
            summary.new_entities += 1
        return proposed[key].pk

    # What to write, article by article; rejected spans are left out.
    kept: list[tuple[object, list[FoundMention], list[FoundQuote]]] = []
    n_spans = 0
    for article in articles:
        article_id = article.pk
        suggestions = found[article_id]
        mentions = [
            m
            for m in suggestions.mentions
            if (article_id, m.start, m.end) not in rejected
        ]
        quotes = [
            q for q in suggestions.quotes if (article_id, *q.parts[0]) not in rejected
        ]
        kept.append((article, mentions, quotes))
        n_spans += len(mentions) + sum(len(q.parts) + bool(q.cue) for q in quotes)
    # Ids are drawn ahead from the sequences, so that rows can name each other
    # before any is written (the foreign keys are checked at commit).
    span_ids = iter(_next_ids(Span, n_spans))
    quote_ids = iter(_next_ids(Quote, sum(len(quotes) for _, _, quotes in kept)))
    # The time as text, which COPY parses: psycopg's datetime dumper would
    # take longer than all the rest of a span's row, twice a row.
    now = timezone.now().isoformat()
    suggested = Span.Status.SUGGESTED.value
    span_rows: list[tuple] = []
    mention_rows: list[tuple[int, int]] = []
    quote_rows: list[tuple] = []

    def span(
        article_id: int, body: str, start: int, end: int, *, origin=RULES, quote_id=None
    ) -> int:
        span_id = next(span_ids)
        exact, prefix, suffix = quote_selector(body, start, end)
        span_rows.append(
            (span_id, article_id, quote_id, start, end, exact, prefix, suffix)
            + (origin, suggested, now, now)
        )
        return span_id

    for article, mentions, quotes in kept:
        article_id, body = article.pk, article.body
        # id() of a found mention -> its span's id and its entity's.
        stored: dict[int, tuple[int, int]] = {}
        for m in mentions:
            row = (
                span(article_id, body, m.start, m.end, origin=m.origin),
                entity_for(m),
            )
            stored[id(m)] = row
            mention_rows.append(row)
        for quote in quotes:
            quote_id = next(quote_ids)
            mention_id, speaker = stored.get(id(quote.speaker_mention), (None, None))
            if speaker is None and quote.antecedent is not None:
                # "she said" of a person the table lacks: the one proposed.
                _, speaker = stored.get(id(quote.antecedent), (None, None))
            if speaker is None and quote.speaker is not None:
                speaker = quote.speaker.key
            cue_id = span(article_id, body, *quote.cue) if quote.cue else None
            # "Officials said": a source with no entity is kept as written.
            described = (
                quote.speaker_name[:DESCRIPTION_LENGTH] if speaker is None else ""
            )
            quote_rows.append(
                (quote_id, article_id, speaker, mention_id, cue_id, quote.type)
                + (described, quote.confidence, now, now)
            )
            for start, end in quote.parts:
                span(article_id, body, start, end, quote_id=quote_id)
    _copy(Span, _SPAN_COLUMNS, span_rows)
    _copy(Mention, ("span_id", "entity_id"), mention_rows)
    _copy(Quote, _QUOTE_COLUMNS, quote_rows)
    # Proposals of the earlier run that this one did not make again.
    if stale_entities:
        Entity.objects.filter(
            pk__in=stale_entities,
            status=Entity.Status.SUGGESTED,
            mentions__isnull=True,
            quotes__isnull=True,
            merged_from__isnull=True,
        ).delete()

    summary.mentions = len(mention_rows)
    summary.quotes = len(quote_rows)
    return summary


@cache
def _sequence(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        return cursor.fetchone()[0]


def _next_ids(model, n: int) -> list[int]:
    """``n`` fresh primary keys from the table's own sequence."""
    if not n:
        return []
    sequence = _sequence(model._meta.db_table, model._meta.pk.column)
    with connection.cursor() as cursor:
        # The sequence named by a constant: pg_get_serial_sequence in the
        # select list would look it up again for every id, twenty times slower.
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, n]
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Rows into ``model``'s table by COPY: a tenth of ``bulk_create``'s
    time for thousands of suggested spans, as no model instance is built."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(column) for column in columns)
    )
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


_SPAN_COLUMNS = (
    *("id", "article_id", "quote_id", "start", "end", "exact", "prefix", "suffix"),
    *("origin", "status", "created_at", "updated_at"),
)


DESCRIPTION_LENGTH = Quote._meta.get_field("speaker_description").max_length
_QUOTE_COLUMNS = (
    *("id", "article_id", "speaker_id", "speaker_mention_id", "cue_id", "type"),
    *("speaker_description", "confidence", "created_at", "updated_at"),
)
