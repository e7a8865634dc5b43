"""Keeping spans on their words when a curator edits an article's body.

``update_article_body`` saves the new text and re-anchors every span of the
article (every review's, suggestions too) in the same transaction: a span
follows its words, or becomes ``orphaned`` with its old offsets and context
kept for the curator, who re-attaches it by hand (``reattach_span``). The
arithmetic is ``spans.TextEdit``'s; nothing here measures text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from annotations.models import Span
from annotations.spans import TextEdit, check_span, quote_selector
from newsreader.models import Article
from newsreader.text import canonical_body

# History change reasons: what happened to a span, for the curator who looks.
MOVED = "body edited: span moved"
ORPHANED = "body edited: span orphaned"
RESTORED = "body edited: span found again"
REATTACHED = "re-attached by hand"

_FIELDS = ["start", "end", "exact", "prefix", "suffix", "status", "updated_at"]


@dataclass(frozen=True)
class ReanchorResult:
    """What an edit of the body did to the article's spans."""

    changed: bool  # whether the body changed at all
    kept: int = 0  # spans still at the same offsets
    moved: int = 0  # spans on the same words at new offsets
    orphaned: int = 0  # spans that lost their place in this edit
    restored: int = 0  # spans orphaned before and placed again by this edit

    @property
    def total(self) -> int:
        """Every span that had a place before the edit, plus those restored."""
        return self.kept + self.moved + self.orphaned + self.restored


@transaction.atomic
def update_article_body(*, article: Article, body: str, user=None) -> ReanchorResult:
    """Save ``body`` (made canonical) as the article's text and re-anchor its spans.

    Spans whose words the edit kept follow them; the others become
    ``orphaned`` with their old offsets, words and context, never deleted.
    A span orphaned by an earlier edit is placed again when this edit types
    its words back with their context. Each change is in the span's history.
    """
    body = canonical_body(body)
    if not body:
        raise ValueError("An article needs some text.")
    # Locked: two curators saving at once must not re-anchor against a body
    # the other has already replaced.
    old = (
        Article.objects.select_for_update()
        .values_list("body", flat=True)
        .get(pk=article.pk)
    )
    article.body = body
    article.body_sha256 = Article.hash_body(body)
    if old == body:
        return ReanchorResult(changed=False)
    article.save(update_fields=["body", "body_sha256"])

    edit = TextEdit(old, body)
    now = timezone.now()
    kept = 0
    moved: list[Span] = []
    orphaned: list[Span] = []
    restored: list[Span] = []
    for span in Span.objects.filter(article=article).order_by("pk"):
        selector = {"exact": span.exact, "prefix": span.prefix, "suffix": span.suffix}
        if span.status == Span.Status.ORPHANED:
            placed = edit.find(**selector)
            if placed is not None:
                span.status = previous_status(span)
                _place(span, body, placed, now)
                restored.append(span)
            continue
        placed = edit.place(**selector, start=span.start, end=span.end)
        if placed is None:
            span.status, span.updated_at = Span.Status.ORPHANED, now
            orphaned.append(span)
        elif _place(span, body, placed, now):
            moved.append(span)
        else:
            kept += 1
    _update(moved + orphaned + restored)
    for spans, reason in [(moved, MOVED), (orphaned, ORPHANED), (restored, RESTORED)]:
        # No fields: the history rows only, the rows were written above.
        bulk_update_with_history(
            spans, Span, [], default_user=user, default_change_reason=reason
        )
    return ReanchorResult(
        changed=True,
        kept=kept,
        moved=len(moved),
        orphaned=len(orphaned),
        restored=len(restored),
    )


def _update(spans: list[Span]) -> None:
    """Write ``_FIELDS`` of ``spans`` in one statement.

    ``bulk_update`` builds a CASE per field over every row: for 2,000 spans
    that took seconds in Django and Postgres alike; a join on arrays takes
    milliseconds.
    """
    if not spans:
        return
    quote = connection.ops.quote_name
    fields = [Span._meta.get_field(name) for name in ["id", *_FIELDS]]
    columns = [quote(field.column) for field in fields]
    types = [
        "integer" if field.name in ("id", "start", "end") else "text"
        for field in fields
    ]
    types[-1] = "timestamptz"
    assignments = ", ".join(f"{column} = v.{column}" for column in columns[1:])
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Span._meta.db_table)} AS s SET {assignments} "
            f"FROM unnest({arrays}) AS v({', '.join(columns)}) "
            f"WHERE s.{columns[0]} = v.{columns[0]}",
            [[getattr(span, field.attname) for span in spans] for field in fields],
        )


def _place(span: Span, body: str, placed: tuple[int, int], now) -> bool:
    """Put ``span`` at ``placed`` with its new context; whether anything changed."""
    start, end = placed
    selector = quote_selector(body, start, end)
    old = (span.start, span.end, span.prefix, span.suffix)
    span.start, span.end = start, end
    span.prefix, span.suffix = selector.prefix, selector.suffix
    if (start, end, selector.prefix, selector.suffix) == old:
        return False
    span.updated_at = now
    return True


def previous_status(span: Span) -> str:
    """The status ``span`` had before it was orphaned, from its history.

    Spans without a history (made before it was kept) are taken to be what
    they look like: a machine's suggestion without a review, else accepted.
    """
    earlier = (
        span.history.exclude(status=Span.Status.ORPHANED)
        .order_by("-history_date", "-history_id")
        .values_list("status", flat=True)
        .first()
    )
    if earlier:
        return earlier
    if span.review_id is None and span.origin != Span.Origin.HUMAN:
        return Span.Status.SUGGESTED
    return Span.Status.ACCEPTED


@transaction.atomic
def reattach_span(
    *, span: Span, start: int, end: int, exact: str | None = None, user=None
) -> Span:
    """Put ``span`` on ``body[start:end]`` by hand, with its status from before.

    ``exact``, when given, must be the words there (the page shows the
    curator what they choose; the server checks it). The span takes those
    words, which may differ from its old ones. Raises ``SpanError``.
    """
    body = span.article.body
    check_span(body, start, end, exact)
    selector = quote_selector(body, start, end)
    span.start, span.end = start, end
    span.exact, span.prefix, span.suffix = selector
    if span.status == Span.Status.ORPHANED:
        span.status = previous_status(span)
    span._change_reason = REATTACHED
    if user is not None:
        span._history_user = user
    span.save()
    return span
