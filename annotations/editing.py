"""What reviewers do to an article's annotations, as plain functions.

Views, admin actions and management commands all call these; each runs in
one transaction and checks the text with ``spans.check_span`` before it
saves a span. Permission checks are the caller's (the views').
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from annotations.models import Mention, Quote, Review, Span
from annotations.spans import check_span, quote_selector
from newsreader.models import Alias, Article, Entity
from newsreader.text import normalize_name


class ReviewClosed(Exception):
    """The review was submitted; its spans can no longer change."""


def start_review(*, article: Article, reviewer) -> Review:
    review, _ = Review.objects.get_or_create(article=article, reviewer=reviewer)
    review.article = article  # spans check against its body: don't load it again
    return review


def _open(review: Review) -> Review:
    if not review.is_open:
        raise ReviewClosed(
            f"This review is {review.get_status_display().lower()}; "
            "it can no longer be changed."
        )
    return review


def _new_span(review: Review, start: int, end: int, **fields) -> Span:
    body = review.article.body
    check_span(body, start, end)
    return Span.objects.create(
        article=review.article,
        review=review,
        start=start,
        end=end,
        **quote_selector(body, start, end)._asdict(),
        **fields,
    )


def add_alias_if_new(entity: Entity, surface: str) -> Alias | None:
    """Record ``surface`` as a name of ``entity`` unless it is one already."""
    key = normalize_name(surface)
    if not key or key == normalize_name(entity.name):
        return None
    alias, created = Alias.objects.get_or_create(
        entity=entity, normalized=key, defaults={"name": surface.strip()}
    )
    return alias if created else None


@transaction.atomic
def create_mention(
    *, review: Review, start: int, end: int, entity: Entity, status: str = "accepted"
) -> Mention:
    span = _new_span(_open(review), start, end, status=status)
    add_alias_if_new(entity, span.exact)
    return Mention.objects.create(span=span, entity=entity)


@transaction.atomic
def change_mention_entity(*, mention: Mention, entity: Entity) -> Mention:
    _open(mention.span.review)
    mention.entity = entity
    mention.save()
    add_alias_if_new(entity, mention.span.exact)
    # Saved one by one, not with update(), so the history (and undo) sees it.
    for quote in Quote.objects.filter(speaker_mention=mention):
        quote.speaker = entity
        quote.save()
    return mention


@transaction.atomic
def create_quote(
    *,
    review: Review,
    parts: Iterable[tuple[int, int]],
    type: str = Quote.Type.DIRECT,
    speaker: Entity | None = None,
    speaker_mention: Mention | None = None,
    cue: tuple[int, int] | None = None,
    status: str = "accepted",
) -> Quote:
    parts = list(parts)
    if not parts:
        raise ValueError("A quote needs at least one part.")
    _open(review)
    if speaker_mention is not None:
        speaker = speaker_mention.entity
    quote = Quote.objects.create(
        article=review.article,
        review=review,
        type=type,
        speaker=speaker,
        speaker_mention=speaker_mention,
    )
    for start, end in parts:
        _new_span(review, start, end, quote=quote, status=status)
    if cue:
        quote.cue = _new_span(review, *cue, status=status)
        quote.save()
    return quote


@transaction.atomic
def add_quote_part(*, quote: Quote, start: int, end: int) -> Span:
    return _new_span(_open(quote.review), start, end, quote=quote)


@transaction.atomic
def set_quote_cue(*, quote: Quote, start: int, end: int) -> Span:
    _open(quote.review)
    old = quote.cue
    quote.cue = _new_span(quote.review, start, end)
    quote.save()
    if old is not None:
        old.delete()
    return quote.cue


@transaction.atomic
def update_quote(
    *,
    quote: Quote,
    type: str | None = None,
    speaker: Entity | None = None,
    speaker_mention: Mention | None = None,
) -> Quote:
    """Change a quote's type or speaker; a speaker mention sets both speaker fields."""
    _open(quote.review)
    if type is not None:
        quote.type = type
    if speaker_mention is not None:
        quote.speaker_mention = speaker_mention
        quote.speaker = speaker_mention.entity
    elif speaker is not None:
        quote.speaker = speaker
        if quote.speaker_mention and quote.speaker_mention.entity_id != speaker.pk:
            quote.speaker_mention = None
    quote.save()
    return quote


@transaction.atomic
def move_span(*, span: Span, start: int, end: int) -> Span:
    _open(span.review)
    body = span.article.body
    check_span(body, start, end)
    span.start, span.end = start, end
    span.exact, span.prefix, span.suffix = quote_selector(body, start, end)
    span.save()
    if hasattr(span, "mention"):
        add_alias_if_new(span.mention.entity, span.exact)
    return span


@transaction.atomic
def delete_span(*, span: Span) -> str:
    """Delete a span and what stands on it; returns the token that undoes it.

    A mention's quotes keep their speaker; a quote's last part takes the
    quote and its cue with it. Every row goes through the history, marked
    with the token, so ``undo`` can put it all back.
    """
    _open(span.review)
    token = uuid.uuid4().hex
    doomed: list = []
    if span.quote_id and span.quote.parts.count() == 1:
        return delete_quote(quote=span.quote, token=token)
    # Links to the span are cleared through the history, not by the cascade,
    # so that undo can set them again.
    if hasattr(span, "mention"):
        for quote in span.mention.quotes.all():
            quote.speaker_mention = None
            _mark(quote, token).save()
        doomed.append(span.mention)
    if hasattr(span, "cue_of"):
        quote = span.cue_of
        quote.cue = None
        _mark(quote, token).save()
    doomed.append(span)
    for row in doomed:
        _mark(row, token).delete()
    return token


@transaction.atomic
def delete_quote(*, quote: Quote, token: str | None = None) -> str:
    _open(quote.review)
    token = token or uuid.uuid4().hex
    # Parts and cue first, each through the history: left to the cascade,
    # they would be deleted without the token and undo could not find them.
    for row in [*quote.parts.all(), *([quote.cue] if quote.cue_id else []), quote]:
        _mark(row, token).delete()
    return token


def _mark(row, token: str):
    row._change_reason = f"delete {token}"
    return row


@transaction.atomic
def undo(*, token: str, user, article: Article | None = None) -> int:
    """Put back what the delete marked ``token`` removed; returns rows restored.

    Only the user who deleted may undo, only once, only while the review is
    open, and (given ``article``) only on that article. Foreign keys are
    checked at commit, so the order of restoring is free.
    """
    if Span.history.filter(history_change_reason=f"undo {token}").exists():
        return 0
    rows = []
    for model in (Quote, Span, Mention):
        records = model.history.filter(
            history_change_reason=f"delete {token}", history_user=user
        ).order_by("history_id")
        for record in records:
            # A deleted row comes back as it was; a changed one as it was before.
            rows.append(
                (record if record.history_type == "-" else record.prev_record).instance
            )
    # A mention's span is in the list, so quotes and spans cover every review.
    owned = [row for row in rows if not isinstance(row, Mention)]
    if article is not None and any(row.article_id != article.pk for row in owned):
        return 0
    for review in Review.objects.filter(pk__in={row.review_id for row in owned}):
        _open(review)
    for row in rows:
        row._change_reason = f"undo {token}"
        row.save()
    return len(rows)


@transaction.atomic
def submit_review(*, review: Review) -> Review:
    _open(review)
    review.status = Review.Status.SUBMITTED
    review.submitted_at = timezone.now()
    review.save()
    return review
