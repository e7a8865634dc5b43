"""Annotations in and out: JSONL (the seed gold shape), W3C JSON-LD and a quotes CSV.

Export works on reviews: each review is one JSONL line, one JSON-LD
AnnotationCollection, and a CSV row per quote. Only accepted spans go out;
suggested, rejected and orphaned ones are not anyone's annotation yet.
The other tools' formats (``annotations.formats``) are written from the
same records (``review_records``).

Import reads JSONL, and Label Studio's and doccano's exports, back as one
named reviewer's reviews. The record format and its loading are
``annotations.gold``'s, shared with the seed command.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from annotations.editing import start_review
from annotations.export import web_annotations
from annotations.formats import doccano, label_studio
from annotations.gold import GoldError, load_gold
from annotations.models import Quote, Review, Span
from annotations.spans import SpanError
from newsreader.models import Alias, Article, Entity
from newsreader.roles import REVIEWER
from newsreader.text import canonical_body

# Reviews are read this many at a time, each batch with its spans and quotes.
CHUNK = 100
QUOTES_CSV_HEADER = [
    "article_id",
    "article",
    "source",
    "date",
    "speaker",
    "words",
    "type",
    "reviewer",
]


def _accepted(queryset: QuerySet) -> QuerySet:
    return queryset.filter(status=Span.Status.ACCEPTED).order_by("start", "end")


# Exports name entities by their public aliases: a reviewer's are theirs.
_PUBLIC_ALIASES = Alias.objects.public()


def with_annotations(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Reviews with everything an export reads, in a fixed number of queries."""
    return (
        reviews.select_related("article__source", "reviewer")
        .prefetch_related(
            Prefetch(
                "spans",
                queryset=_accepted(Span.objects.filter(mention__isnull=False))
                .select_related("mention__entity")
                .prefetch_related(
                    Prefetch("mention__entity__aliases", queryset=_PUBLIC_ALIASES)
                ),
                to_attr="mention_spans",
            ),
            Prefetch(
                "quotes",
                queryset=Quote.objects.select_related(
                    "speaker", "cue", "speaker_mention__span"
                )
                .prefetch_related(
                    Prefetch("parts", queryset=_accepted(Span.objects)),
                    Prefetch("speaker__aliases", queryset=_PUBLIC_ALIASES),
                )
                .order_by("pk"),
            ),
        )
        .order_by("article", "reviewer__username")
    )


# ---- JSONL ---------------------------------------------------------------------


def review_record(review: Review) -> dict:
    """One review in the seed gold shape, plus where it came from.

    Offsets index ``text``, the article's body. A quote of several parts
    is one item a part, the parts sharing a ``group`` number; a cue is its
    word plus ``cue_start``/``cue_end``; ``speaker_start``/``speaker_end``
    are the mention the reviewer attributed the quote to.
    """
    article = review.article
    quotes: list[dict] = []
    speakers: list[Entity] = []
    rows = [quote for quote in review.quotes.all() if quote.parts.all()]
    rows.sort(key=lambda quote: quote.parts.all()[0].start)
    for number, quote in enumerate(rows, 1):
        parts = quote.parts.all()
        common: dict = {
            "speaker": quote.speaker.name if quote.speaker_id else None,
            "type": quote.type,
        }
        if quote.speaker_description:
            common["speaker_description"] = quote.speaker_description
        named = quote.speaker_mention.span if quote.speaker_mention else None
        if named is not None and named.status == Span.Status.ACCEPTED:
            common.update(speaker_start=named.start, speaker_end=named.end)
        cue = quote.cue
        if cue is not None and cue.status == Span.Status.ACCEPTED:
            common.update(cue=cue.exact, cue_start=cue.start, cue_end=cue.end)
        if len(parts) > 1:
            common["group"] = number
        for part in parts:
            quotes.append(
                {"start": part.start, "end": part.end, "text": part.exact, **common}
            )
        if quote.speaker_id:
            speakers.append(quote.speaker)

    entities: dict[int, dict] = {}
    for span in review.mention_spans:
        entity = span.mention.entity
        if entity.pk not in entities:
            entities[entity.pk] = _entity_item(entity)
        entities[entity.pk]["mentions"].append(
            {"start": span.start, "end": span.end, "text": span.exact}
        )
    # A speaker no mention names still needs its kind and aliases.
    for entity in speakers:
        if entity.pk not in entities:
            entities[entity.pk] = _entity_item(entity)

    return {
        "id": str(article.pk),
        "source": article.source.name if article.source_id else "",
        "url": article.url,
        "title": article.title,
        "published_at": (
            article.published_at.isoformat() if article.published_at else None
        ),
        "reviewer": review.reviewer.get_username(),
        "review_status": review.status,
        "text": article.body,
        "quotes": quotes,
        "entities": list(entities.values()),
    }


def _entity_item(entity: Entity) -> dict:
    return {
        "name": entity.name,
        "kind": entity.kind,
        "aliases": sorted(alias.name for alias in entity.aliases.all()),
        "mentions": [],
    }


def review_records(reviews: QuerySet[Review]) -> Iterator[dict]:
    """``review_record`` of each review, read a batch at a time."""
    for review in with_annotations(reviews).iterator(chunk_size=CHUNK):
        yield review_record(review)


def export_jsonl(reviews: QuerySet[Review]) -> Iterator[str]:
    """Each review as one line of JSON, newline included."""
    for record in review_records(reviews):
        yield json.dumps(record, ensure_ascii=False) + "\n"


# ---- W3C Web Annotation JSON-LD -------------------------------------------------


def export_jsonld(
    reviews: QuerySet[Review], absolute: Callable[[str], str]
) -> list[dict]:
    """An AnnotationCollection a review, as ``annotations.export`` draws one."""
    spans = _accepted(Span.objects).select_related(
        "review__reviewer", "mention__entity", "quote__speaker", "quote__cue"
    )
    return [
        web_annotations(review.article, review.spans.all(), absolute)
        for review in reviews.select_related("article")
        .prefetch_related(Prefetch("spans", queryset=spans))
        .order_by("article", "reviewer__username")
        .iterator(chunk_size=CHUNK)
    ]


# ---- Quotes CSV -----------------------------------------------------------------


def export_quotes_csv(reviews: QuerySet[Review]) -> Iterator[str]:
    """A header, then one row a quote: who said which words, where and when."""
    rows = (
        quote_csv_row(
            review.article,
            item["speaker"] or item.get("speaker_description", ""),
            item["words"],
            item["type"],
            review.reviewer.get_username(),
        )
        for review in with_annotations(reviews).iterator(chunk_size=CHUNK)
        for item in _quote_items(review_record(review))
    )
    return quotes_csv(rows)


def quote_csv_row(
    article: Article, speaker: str, words: str, type: str, reviewer: str
) -> list:
    """A row under ``QUOTES_CSV_HEADER``."""
    return [
        article.pk,
        _cell(article.title),
        _cell(article.source.name if article.source_id else ""),
        article.published_at.date().isoformat() if article.published_at else "",
        _cell(speaker),
        _cell(words),
        type,
        reviewer,
    ]


def quotes_csv(rows: Iterable[list]) -> Iterator[str]:
    """The header, then each of ``rows`` (``quote_csv_row``s) as a line of
    CSV, one at a time: for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in itertools.chain([QUOTES_CSV_HEADER], rows):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue()


def _quote_items(record: dict) -> Iterator[dict]:
    """The record's quotes, the parts of one quote joined by " … "."""
    groups: dict[object, list[dict]] = {}
    for index, item in enumerate(record["quotes"]):
        groups.setdefault(item.get("group", f"single {index}"), []).append(item)
    for parts in groups.values():
        yield {**parts[0], "words": " … ".join(part["text"] for part in parts)}


def _cell(text: str) -> str:
    # A cell starting with one of these is a formula to a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# ---- Import -------------------------------------------------------------------------


@dataclass
class ImportReport:
    reviewer: str
    # What the numbers of ``errors`` count: a file's lines, or its tasks.
    unit: str = "line"
    articles: int = 0
    mentions: int = 0
    quotes: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.articles} article(s) read as {self.reviewer}'s review: "
            f"{self.mentions} new mention(s), {self.quotes} new quote(s)"
        )
        if self.errors:
            text += f"; {len(self.errors)} {self.unit}(s) skipped"
        return text + "."


def reviewer_named(name: str):
    """The user called ``name``; made if missing, in the reviewer group.

    A user made here cannot sign in until someone sets a password.
    """
    User = get_user_model()
    name = name.strip() if isinstance(name, str) else ""
    field = User._meta.get_field(User.USERNAME_FIELD)
    try:
        field.run_validators(name)
        if not name:
            raise ValidationError("A reviewer needs a name.")
    except ValidationError as error:
        raise GoldError(f"{name!r} cannot be a user name: {' '.join(error)}") from None
    user = User.objects.filter(**{User.USERNAME_FIELD: name}).first()
    if user is None:
        user = User(**{User.USERNAME_FIELD: name})
        user.set_unusable_password()
        user.save()
        group, _ = Group.objects.get_or_create(name=REVIEWER)
        user.groups.add(group)
    return user


def find_article(record: dict) -> Article:
    """The article a record is about: by URL, then by text, then by id.

    The match is only a guess until ``load_gold`` has checked the record's
    text against the body; a wrong guess fails there with a message.
    """
    text = record["text"]
    if not isinstance(text, str) or not text.strip():
        raise GoldError("The record has no text.")
    articles = Article.objects.order_by("pk")
    url = record.get("url")
    if url and (article := articles.filter(url=url).first()):
        return article
    body_hash = Article.hash_body(canonical_body(text))
    if article := articles.filter(body_sha256=body_hash).first():
        return article
    key = str(record.get("id", ""))
    by_id = key.isascii() and key.isdecimal()
    if by_id and (article := articles.filter(pk=int(key)).first()):
        return article
    raise GoldError("No article has this URL or this text; import the article first.")


@transaction.atomic
def import_record(*, record: dict, reviewer, status: str) -> Review:
    """Load one record into ``reviewer``'s review of its article; returns the review
    with ``loaded`` (what was new) set."""
    if not isinstance(record, dict):
        raise GoldError("A line must be a JSON object.")
    article = find_article(record)
    review = start_review(article=article, reviewer=reviewer)
    before = (review.status, review.submitted_at)
    # Loading adds to the review whatever its status: the curator importing
    # is not the reviewer editing. The status is put back, or set, after.
    review.status = Review.Status.IN_PROGRESS
    review.loaded = load_gold(review=review, record=record)
    review.status = status if before[0] == Review.Status.IN_PROGRESS else before[0]
    if review.status != Review.Status.IN_PROGRESS and review.submitted_at is None:
        review.submitted_at = timezone.now()
    if (review.status, review.submitted_at) != before:
        review.save(update_fields=["status", "submitted_at"])
    return review


def import_jsonl(
    *,
    file: Iterable[str | bytes],
    reviewer_name: str,
    status: str = Review.Status.SUBMITTED,
) -> ImportReport:
    """Read gold-shaped JSONL as ``reviewer_name``'s reviews, a line at a time.

    A line that cannot be read or placed is rolled back alone and reported
    with its number; the other lines are imported. What the review holds
    already is not added again, so a second import of a file adds nothing.
    A new review gets ``status``; an existing one keeps its own.
    """
    return _import(
        _lines(file, lambda record: record),
        reviewer_name=reviewer_name,
        status=status,
    )


def import_doccano(
    *,
    file: Iterable[str | bytes],
    reviewer_name: str,
    status: str = Review.Status.SUBMITTED,
) -> ImportReport:
    """Read doccano's JSONL export as ``import_jsonl`` reads ours."""
    return _import(
        _lines(file, doccano.record_from_line),
        reviewer_name=reviewer_name,
        status=status,
    )


def import_label_studio(
    *, data: str | bytes, reviewer_name: str, status: str = Review.Status.SUBMITTED
) -> ImportReport:
    """Read Label Studio's JSON export (a list of tasks) as ``import_jsonl``
    reads ours, a task at a time."""
    try:
        tasks = json.loads(data)
    except UnicodeDecodeError:
        raise GoldError("The file is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise GoldError(
            f"Not JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from None
    if not isinstance(tasks, list):
        raise GoldError("Label Studio's JSON export is a list of tasks; this is not.")
    return _import(
        (
            (number, functools.partial(label_studio.record_from_task, task))
            for number, task in enumerate(tasks, 1)
        ),
        reviewer_name=reviewer_name,
        status=status,
        unit="task",
    )


def _lines(
    file: Iterable[str | bytes], read: Callable[[object], dict]
) -> Iterator[tuple[int, Callable[[], dict | None]]]:
    """Each line's number, and how to read it: ``read`` of its JSON, or
    None for a blank line."""

    def record(line: str | bytes) -> dict | None:
        if isinstance(line, bytes):
            line = line.decode("utf-8")
        return read(json.loads(line)) if line.strip() else None

    for number, line in enumerate(file, 1):
        yield number, functools.partial(record, line)


def _import(
    items: Iterable[tuple[int, Callable[[], dict | None]]],
    *,
    reviewer_name: str,
    status: str,
    unit: str = "line",
) -> ImportReport:
    if status not in Review.Status.values:
        raise GoldError(f"{status!r} is not a review status.")
    reviewer = reviewer_named(reviewer_name)
    report = ImportReport(reviewer=reviewer.get_username(), unit=unit)
    for number, read in items:
        try:
            record = read()
            if record is None:
                continue
            review = import_record(record=record, reviewer=reviewer, status=status)
        except UnicodeDecodeError:
            report.errors.append((number, f"The {unit} is not UTF-8 text."))
        except json.JSONDecodeError as error:
            report.errors.append((number, f"Not JSON: {error.msg}."))
        except KeyError as error:
            report.errors.append((number, f"A required field is missing: {error}."))
        except (GoldError, SpanError) as error:
            report.errors.append((number, str(error)))
        except (TypeError, ValueError, AttributeError) as error:
            report.errors.append((number, f"A field has the wrong type ({error})."))
        else:
            report.articles += 1
            report.mentions += review.loaded.mentions
            report.quotes += review.loaded.quotes
    return report
