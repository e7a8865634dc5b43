"""What reviewers do to an article's annotations, as plain functions.

Views, admin actions and management commands all call these; each runs in
one transaction and checks the text with ``spans.check_span`` before it
saves a span. Permission checks are the caller's (the views').
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_update_with_history

from annotations.models import Assignment, Mention, Quote, Review, Span
from annotations.spans import SpanError, check_span, quote_selector
from newsreader import prepared
from newsreader.models import Alias, Article, Entity
from newsreader.text import normalize_name


class ReviewClosed(Exception):
    """The review was submitted; its spans can no longer change."""


class AlreadyDone(Exception):
    """The review holds this already (a second click, say); nothing changed."""


def start_review(*, article: Article, reviewer) -> Review:
    """The reviewer's review of ``article``, made if need be.

    Its row stays locked until the caller's transaction ends, so two writes
    to one review (a double click) take turns, and the second sees the
    first's spans.
    """
    with transaction.atomic(savepoint=False):
        review, _ = Review.objects.select_for_update().get_or_create(
            article=article, reviewer=reviewer
        )
    review.article = article  # spans check against its body: don't load it again
    return review


# An article's columns but its search vector (as long as the body, and no
# write reads it), then its review's, for open_review.
_ARTICLE = prepared.Columns(Article, table="a", leave_out={"search_vector"})
_REVIEW = prepared.Columns(Review, table="r")
_OPEN_REVIEW = f"""
SELECT {_ARTICLE.sql}, {_REVIEW.sql}
FROM newsreader_article a
LEFT JOIN LATERAL (
    SELECT * FROM annotations_review
    WHERE article_id = a.id AND reviewer_id = %s
    FOR UPDATE
) r ON true
WHERE a.id = %s
"""


def open_review(*, article: int, reviewer) -> Review:
    """The reviewer's review of the article whose pk is ``article``, with
    the article, as ``start_review`` makes and locks it.

    One query when the review exists, as it does for all but a reviewer's
    first write to an article: every write starts here, and the article
    and the locked review were a query each. Article.DoesNotExist if there
    is no such article.
    """
    with prepared.cursor() as cursor:
        cursor.execute(_OPEN_REVIEW, [reviewer.pk, article])
        row = cursor.fetchone()
    if row is None:
        raise Article.DoesNotExist(f"No article {article}.")
    loaded = _ARTICLE.load(row[: len(_ARTICLE)])
    if row[len(_ARTICLE)] is None:
        return start_review(article=loaded, reviewer=reviewer)
    review = _REVIEW.load(row[len(_ARTICLE) :])
    review.article, review.reviewer = loaded, reviewer
    return review


def _open(review: Review, *, for_submitting: bool = False) -> Review:
    if not (review.is_open if for_submitting else review.is_editable):
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


def _alias_key(entity: Entity, surface: str) -> str:
    """The normalized name ``surface`` adds to ``entity``'s aliases: empty
    if it is no name, or the entity's own."""
    key = normalize_name(surface)
    return "" if key == normalize_name(entity.name) else key


def add_alias_if_new(
    entity: Entity, surface: str, *, reviewer_id: int | None = None
) -> Alias | None:
    """Record ``surface`` as a name of ``entity`` unless it is one already:
    the reviewer's own (see ``Alias.proposed_by``), or public."""
    key = _alias_key(entity, surface)
    if not key:
        return None
    alias, created = Alias.objects.get_or_create(
        entity=entity,
        normalized=key,
        defaults={"name": surface.strip(), "proposed_by_id": reviewer_id},
    )
    return alias if created else None


def publish(spans: QuerySet[Span]) -> None:
    """What curation took in (``spans`` of the gold, or that a curator
    accepted) becomes public: the entities they link or quote are confirmed,
    and the words the mentions link them by are public aliases."""
    named = Entity.objects.filter(
        Q(mentions__span__in=spans) | Q(quotes__parts__in=spans)
    ).exclude(status=Entity.Status.CONFIRMED)
    for entity in named.distinct():
        entity.status = Entity.Status.CONFIRMED
        entity.save()
    # Each name once, however many mentions use it.
    names = {
        (mention.entity, normalize_name(mention.span.exact)): mention.span.exact
        for mention in Mention.objects.filter(span__in=spans).select_related(
            "span", "entity"
        )
    }
    if not names:
        return
    private = Q()
    for entity, key in names:
        private |= Q(entity=entity, normalized=key)
    Alias.objects.filter(private).exclude(proposed_by=None).update(proposed_by=None)
    for (entity, _), surface in names.items():
        add_alias_if_new(entity, surface)


def create_mention(
    *,
    review: Review,
    start: int,
    end: int,
    entity: Entity,
    status: str = "accepted",
    origin: str = Span.Origin.HUMAN,
) -> Mention:
    _open(review)
    selector = quote_selector(review.article.body, start, end)
    if status == Span.Status.ACCEPTED:
        _check_room(review, start, end)
    now = timezone.now()
    span = Span(
        article=review.article,
        review=review,
        start=start,
        end=end,
        **selector._asdict(),
        status=status,
        origin=origin,
        created_at=now,
        updated_at=now,
    )
    # One statement where the ORM took seven round trips and a savepoint:
    # the create is what a reviewer repeats all day (bench/reviewers.py).
    with prepared.cursor() as cursor:
        cursor.execute(
            _CREATE_MENTION,
            {
                **selector._asdict(),
                "article": review.article_id,
                "review": review.pk,
                "start": start,
                "end": end,
                "status": status,
                "origin": origin,
                "now": now,
                "entity": entity.pk,
                "alias": _alias_key(entity, selector.exact),
                "name": selector.exact.strip(),
                "proposed_by": review.reviewer_id,
                "user": _history_user_id(),
            },
        )
        (span.pk,) = cursor.fetchone()
    span._state.adding = False
    mention = Mention(span=span, entity=entity)
    mention._state.adding = False
    return mention


# The span, its mention and the name as an alias of the entity (unless it
# is one already: ON CONFLICT), each with the history row simple-history's
# post_save would write.
_CREATE_MENTION = """
WITH span AS (
    INSERT INTO annotations_span (
        article_id, review_id, start, "end", exact, prefix, suffix,
        status, origin, created_at, updated_at
    ) VALUES (
        %(article)s, %(review)s, %(start)s, %(end)s, %(exact)s, %(prefix)s,
        %(suffix)s, %(status)s, %(origin)s, %(now)s, %(now)s
    ) RETURNING *
), span_history AS (
    INSERT INTO annotations_historicalspan (
        id, article_id, review_id, quote_id, start, "end", exact, prefix,
        suffix, status, origin, created_at, updated_at,
        history_date, history_type, history_user_id
    ) SELECT
        id, article_id, review_id, quote_id, start, "end", exact, prefix,
        suffix, status, origin, created_at, updated_at,
        %(now)s, '+', %(user)s
    FROM span
), mention AS (
    INSERT INTO annotations_mention (span_id, entity_id)
    SELECT id, %(entity)s FROM span
    RETURNING *
), mention_history AS (
    INSERT INTO annotations_historicalmention (
        span_id, entity_id, history_date, history_type, history_user_id
    ) SELECT span_id, entity_id, %(now)s, '+', %(user)s FROM mention
), alias AS (
    INSERT INTO newsreader_alias (entity_id, name, normalized, proposed_by_id)
    SELECT %(entity)s, %(name)s, %(alias)s::text, %(proposed_by)s
    WHERE %(alias)s::text <> ''
    ON CONFLICT (entity_id, normalized) DO NOTHING
    RETURNING *
), alias_history AS (
    INSERT INTO newsreader_historicalalias (
        id, entity_id, name, normalized, proposed_by_id,
        history_date, history_type, history_user_id
    ) SELECT
        id, entity_id, name, normalized, proposed_by_id,
        %(now)s, '+', %(user)s
    FROM alias
)
SELECT id FROM span
"""


def _history_user_id() -> int | None:
    """Whom simple-history records for a row saved now: the signed-in user
    of the request being answered (its HistoryRequestMiddleware), or no one."""
    user = getattr(getattr(HistoricalRecords.context, "request", None), "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _check_room(
    review: Review, start: int, end: int, *, besides: Span | None = None
) -> None:
    """AlreadyDone if the review links [start, end) already; SpanError if
    the words cut across a mention of it."""
    for mention in _overlapping_mentions(review, start, end, besides=besides):
        if (mention.start, mention.end) == (start, end):
            raise AlreadyDone(
                f"“{mention.exact}” is already linked to "
                f"{mention.entity}. Click it to link it to another entity."
            )
        _check_not_across(mention, start, end, review.article.body)


class _Linked(NamedTuple):
    start: int
    end: int
    exact: str
    entity: str  # its name


def _overlapping_mentions(
    review: Review, start: int, end: int, *, besides: Span | None = None
) -> list[_Linked]:
    """The review's accepted mentions that share a character with [start, end).

    In SQL: every create asks, and the ORM took longer to build the query
    than PostgreSQL to answer it.
    """
    with prepared.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.start, s."end", s.exact, e.name
            FROM annotations_span s
            JOIN annotations_mention m ON m.span_id = s.id
            JOIN newsreader_entity e ON e.id = m.entity_id
            WHERE s.article_id = %s AND s.review_id = %s AND s.status = 'accepted'
                AND s.start < %s AND s."end" > %s AND s.id IS DISTINCT FROM %s
            """,
            [review.article_id, review.pk, end, start, besides and besides.pk],
        )
        return [_Linked(*row) for row in cursor.fetchall()]


def _check_not_across(mention: _Linked, start: int, end: int, body: str) -> None:
    """SpanError if [start, end) cuts across ``mention``: a name inside another
    ("Lisbon" in "University of Lisbon") is fine, half of one is not."""
    inside = start <= mention.start and mention.end <= end
    around = mention.start <= start and end <= mention.end
    if not (inside or around):
        raise SpanError(
            f"“{body[start:end]}” cuts across “{mention.exact}”, which is "
            f"linked to {mention.entity}. Select all of a name, or part "
            "of one, not the end of one and more."
        )


@transaction.atomic
def change_mention_entity(*, mention: Mention, entity: Entity) -> Mention:
    _open(mention.span.review)
    mention.entity = entity
    mention.save()
    add_alias_if_new(
        entity, mention.span.exact, reviewer_id=mention.span.review.reviewer_id
    )
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
    speaker_description: str = "",
    cue: tuple[int, int] | None = None,
    status: str = "accepted",
    origin: str = Span.Origin.HUMAN,
) -> Quote:
    parts = sorted(parts)
    if not parts:
        raise ValueError("A quote needs at least one part.")
    for (_, end), (start, _) in itertools.pairwise(parts):
        if start < end:
            raise SpanError("A quote's parts cannot overlap each other.")
    _open(review)
    if status == Span.Status.ACCEPTED:
        same = Q()
        for start, end in parts:
            same |= Q(start=start, end=end)
        there = review.spans.filter(
            same, quote__isnull=False, status=Span.Status.ACCEPTED
        ).first()
        if there is not None:
            raise AlreadyDone(f"“{there.exact}” is already part of a quote.")
    if speaker_mention is not None:
        speaker = speaker_mention.entity
    quote = Quote.objects.create(
        article=review.article,
        review=review,
        type=type,
        speaker=speaker,
        speaker_mention=speaker_mention,
        speaker_description="" if speaker is not None else speaker_description,
    )
    for start, end in parts:
        _new_span(review, start, end, quote=quote, status=status, origin=origin)
    if cue:
        quote.cue = _new_span(review, *cue, status=status, origin=origin)
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
    speaker_description: str = "",
) -> Quote:
    """Change a quote's type or speaker; a speaker mention sets both speaker
    fields; a description of the source ("officials") takes the place of
    any speaker entity, as an entity takes the place of a description."""
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
    elif speaker_description:
        quote.speaker = quote.speaker_mention = None
        quote.speaker_description = speaker_description
    if quote.speaker is not None:
        quote.speaker_description = ""
    quote.save()
    return quote


@transaction.atomic
def move_span(*, span: Span, start: int, end: int) -> Span:
    _open(span.review)
    body = span.article.body
    check_span(body, start, end)
    if hasattr(span, "mention") and span.status == Span.Status.ACCEPTED:
        # The review's row is the lock every write to its mentions takes.
        review = Review.objects.select_for_update().get(pk=span.review_id)
        review.article = span.article
        _check_room(review, start, end, besides=span)
    span.start, span.end = start, end
    span.exact, span.prefix, span.suffix = quote_selector(body, start, end)
    span.save()
    if hasattr(span, "mention"):
        add_alias_if_new(
            span.mention.entity, span.exact, reviewer_id=span.review.reviewer_id
        )
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
        doomed.extend(_unused_private_aliases(span))
    if hasattr(span, "cue_of"):
        quote = span.cue_of
        quote.cue = None
        _mark(quote, token).save()
    doomed.append(span)
    for row in doomed:
        _mark(row, token).delete()
    return token


def _unused_private_aliases(span: Span) -> list[Alias]:
    """The reviewer's own aliases for the words of the mention ``span``
    that no other mention of theirs uses: they go with it, so that words
    linked by mistake do not stay in the reviewer's picker."""
    mention = span.mention
    key = normalize_name(span.exact)
    reviewer = span.review.reviewer_id
    others = Span.objects.filter(
        mention__entity=mention.entity,
        review__reviewer=reviewer,
        status=Span.Status.ACCEPTED,
    ).exclude(pk=span.pk)
    if any(
        normalize_name(exact) == key for exact in others.values_list("exact", flat=True)
    ):
        return []
    return list(
        Alias.objects.filter(
            entity=mention.entity, normalized=key, proposed_by_id=reviewer
        )
    )


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
    for model in (Quote, Span, Mention, Alias):
        records = model.history.filter(
            history_change_reason=f"delete {token}", history_user=user
        ).order_by("history_id")
        for record in records:
            # A deleted row comes back as it was; a changed one as it was before.
            rows.append(
                (record if record.history_type == "-" else record.prev_record).instance
            )
    # A mention's span is in the list, so quotes and spans cover every review.
    owned = [row for row in rows if isinstance(row, Quote | Span)]
    if article is not None and any(row.article_id != article.pk for row in owned):
        return 0
    reviews = Review.objects.select_for_update(of=("self",)).select_related("article")
    reviews = reviews.in_bulk({row.review_id for row in owned})
    for review in reviews.values():
        _open(review)
    # Words linked again since the delete cannot be linked twice.
    spans = {row.pk: row for row in owned if isinstance(row, Span)}
    for mention in (row for row in rows if isinstance(row, Mention)):
        span = spans[mention.span_id]
        if span.status == Span.Status.ACCEPTED:
            _check_room(reviews[span.review_id], span.start, span.end)
    for row in rows:
        row._change_reason = f"undo {token}"
        row.save()
    return len(rows)


@transaction.atomic
def submit_review(*, review: Review) -> Review:
    _open(review, for_submitting=True)  # the gold is not submitted again
    review.status = Review.Status.SUBMITTED
    review.submitted_at = timezone.now()
    review.save()
    return review


@transaction.atomic
def reopen_review(*, review: Review) -> Review:
    """A curator gives a submitted review back to its reviewer to change.

    The gold is not reopened: adjudicating again replaces it.
    """
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != Review.Status.SUBMITTED:
        raise AlreadyDone(
            f"{review.reviewer}’s review is not submitted: nothing to reopen."
        )
    review.status, review.submitted_at = Review.Status.IN_PROGRESS, None
    review._change_reason = "reopened"
    review.save()
    return review


# What a curator may set in bulk; "orphaned" is set by re-anchoring alone.
CURATED_STATUSES = (Span.Status.ACCEPTED, Span.Status.REJECTED)


@transaction.atomic
def set_spans_status(*, spans: Iterable[Span], status: str, user=None) -> int:
    """A curator accepts or rejects ``spans``; returns how many changed.

    Works on closed reviews too: this is the curator deciding, not the
    reviewer editing. Orphaned spans are left alone, since their offsets no
    longer fit the text until they are re-attached; so are the machine's
    suggestions when accepting, since with no review they would show on no
    page (one becomes an annotation by joining a review). Accepting
    publishes what the spans name (see ``publish``). Each change goes into
    the history, so a wrong bulk action can be looked up and reverted.
    """
    if status not in CURATED_STATUSES:
        raise ValueError(f"A curator cannot set a span to {status!r}.")
    changed = [
        span
        for span in spans
        if span.status != status
        and span.status != Span.Status.ORPHANED
        and not (status == Span.Status.ACCEPTED and span.review_id is None)
    ]
    now = timezone.now()
    for span in changed:
        span.status, span.updated_at = status, now
    bulk_update_with_history(
        changed,
        Span,
        ["status", "updated_at"],
        default_user=user,
        default_change_reason=f"curator {status}",
    )
    if status == Span.Status.ACCEPTED and changed:
        publish(Span.objects.filter(pk__in=[span.pk for span in changed]))
    return len(changed)


# Suggestions ------------------------------------------------------------------
#
# A suggestion is the machine's span (no review). A reviewer who accepts one
# gets a copy in their own review; one who rejects it gets a rejected copy.
# Either way the machine's row stays for the other reviewers, and the copy's
# position hides the suggestion from this reviewer from then on.


def suggestion_quote(span: Span) -> Quote | None:
    """The quote a suggested span is a part or the cue of, if any (read once
    per span: the answer to an accept asks too)."""
    if span.quote_id is not None:
        return span.quote
    try:
        return span.cue_of
    except Quote.DoesNotExist:
        return None


def _adopt(entity: Entity | None, review: Review) -> None:
    """A suggested entity a reviewer accepts becomes their draft: kept when
    the suggester runs again, and private until curated."""
    if entity is not None and entity.status == Entity.Status.SUGGESTED:
        entity.status = Entity.Status.DRAFT
        entity.proposed_by_id = review.reviewer_id
        entity.save()


def _undecided(review: Review, span: Span, quote: Quote | None) -> None:
    """AlreadyDone if the reviewer accepted or rejected this suggestion: their
    review has a span where it (a quote: its first part) stands."""
    first = quote.parts.order_by("start").first() if quote is not None else span
    if review.spans.filter(start=first.start, end=first.end).exists():
        raise AlreadyDone("You have already accepted or rejected this suggestion.")


def _accepted_speaker(
    review: Review, quote: Quote
) -> tuple[Entity | None, Mention | None]:
    """The speaker a suggested quote gets when the reviewer accepts it.

    The name it is attributed to goes with it: the reviewer's own link of
    those words if they made one (its entity wins), else the suggested link,
    accepted too. If they rejected that link, the quote gets no speaker:
    the machine's guess of who it is was what they rejected.
    """
    if quote.speaker_mention is None:
        return quote.speaker, None
    said = quote.speaker_mention.span
    decided = review.spans.filter(start=said.start, end=said.end)
    own = (
        Mention.objects.filter(span__in=decided, span__status=Span.Status.ACCEPTED)
        .select_related("entity")
        .first()
    )
    if own is not None:
        return own.entity, own
    if decided.filter(status=Span.Status.REJECTED).exists():
        return None, None
    entity = quote.speaker_mention.entity
    mention = create_mention(
        review=review, start=said.start, end=said.end, entity=entity, origin=said.origin
    )
    return entity, mention


@transaction.atomic
def accept_suggestion(*, review: Review, span: Span) -> Span:
    """Make a suggestion the reviewer's own; returns their new span."""
    _open(review)
    quote = suggestion_quote(span)
    _undecided(review, span, quote)
    if quote is not None:
        parts = list(quote.parts.order_by("start"))
        speaker, speaker_mention = _accepted_speaker(review, quote)
        own = create_quote(
            review=review,
            parts=[(part.start, part.end) for part in parts],
            type=quote.type,
            speaker=speaker,
            speaker_mention=speaker_mention,
            speaker_description=quote.speaker_description,
            cue=(quote.cue.start, quote.cue.end) if quote.cue else None,
            origin=span.origin,
        )
        _adopt(own.speaker, review)
        return own.parts.order_by("start").first()
    entity = span.mention.entity
    mention = create_mention(
        review=review, start=span.start, end=span.end, entity=entity, origin=span.origin
    )
    _adopt(entity, review)
    return mention.span


@transaction.atomic
def reject_suggestion(*, review: Review, span: Span) -> None:
    _open(review)
    quote = suggestion_quote(span)
    _undecided(review, span, quote)
    for rejected in quote.parts.all() if quote is not None else [span]:
        _new_span(
            review,
            rejected.start,
            rejected.end,
            status=Span.Status.REJECTED,
            origin=rejected.origin,
        )


@transaction.atomic
def decide_suggestions(
    *, review: Review, suggestions: Iterable[Span], accept: bool
) -> tuple[int, str]:
    """Accept or reject ``suggestions`` (mentions, and quotes by one of their
    parts) at once; returns how many were decided and the token that undoes
    them all (``undo_decisions``).

    The spans the decisions make are marked in the history with the token:
    a review holds nothing else that says which rows one batch made.
    """
    _open(review)
    token = uuid.uuid4().hex
    before = review.spans.order_by("-pk").values_list("pk", flat=True).first() or 0
    decide = accept_suggestion if accept else reject_suggestion
    decided = 0
    for span in suggestions:
        try:
            decide(review=review, span=span)
        except AlreadyDone:
            continue  # decided already, as part of a quote decided before
        decided += 1
    made = review.spans.filter(pk__gt=before).values("pk")
    Span.history.filter(id__in=made, history_type="+").update(
        history_change_reason=f"decide {token}"
    )
    return decided, token


@transaction.atomic
def undo_decisions(*, token: str, user, article: Article) -> int:
    """Take back what ``decide_suggestions`` made under ``token``, once and
    only for the reviewer who made it; returns how many spans went. The
    suggestions are pending for them again."""
    made = Span.history.filter(
        history_change_reason=f"decide {token}", history_type="+", history_user=user
    ).values("id")
    spans = list(
        Span.objects.filter(pk__in=made, article=article).select_related(
            "review", "quote"
        )
    )
    if not spans:
        return 0
    review = Review.objects.select_for_update().get(pk=spans[0].review_id)
    _open(review)
    # Through the delete functions, so an accepted quote goes with its parts,
    # cue and speaker's mention, and aliases made for the mentions go too.
    # Each delete under a token of its own: an undo of this undo would
    # decide them all again, which nobody asked for.
    quotes = {span.quote for span in spans if span.quote_id}
    for quote in quotes:
        delete_quote(quote=quote)
    for span in Span.objects.filter(pk__in=[s.pk for s in spans]).select_related(
        "review", "quote"
    ):
        span.review = review
        delete_span(span=span)
    return len(spans)


def assign(*, articles: Iterable[Article], reviewer, by=None) -> int:
    """Give ``reviewer`` the ``articles`` to review; returns how many are
    new to their queue (an article given twice stays there once)."""
    queue = Assignment.objects.filter(reviewer=reviewer)
    before = queue.count()
    # ignore_conflicts sets no primary keys: count the queue instead.
    Assignment.objects.bulk_create(
        [
            Assignment(article=article, reviewer=reviewer, assigned_by=by)
            for article in articles
        ],
        ignore_conflicts=True,
    )
    return queue.count() - before
