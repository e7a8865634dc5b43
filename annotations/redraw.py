"""The rows a reviewer's write is answered with, read with SQL of our own.

A write's answer (``views._answer``) redraws a paragraph and the side
panel's rows that changed. Built with the ORM, its queries cost more in
Python (compiling the joins, making the rows) than in PostgreSQL, and the
create it answers is what a reviewer repeats all day (bench/reviewers.py).
The rows are those ``views._span_rows`` and ``views._entity_rows`` make for
the whole page.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from django.db import connection

from newsreader.models import Entity

# A row of _SPANS, named as views._span_rows names its rows.
Row = namedtuple(
    "Row",
    "pk start end exact review_id quote_id mention__entity mention__entity__kind"
    " mention__entity__name cue_of review__reviewer review__reviewer__username",
)

# Whether the review holds the words of span ``s``.
_HELD = """EXISTS (
    SELECT FROM annotations_span own
    WHERE own.review_id = %(review)s AND own.start = s.start AND own."end" = s."end"
)"""

# The spans the reviewer sees in [start, end) (their own accepted ones, and
# others' submitted ones with ``others``, as ``views.visible_spans``) and
# the suggestions there they have not decided (as
# ``views._pending_suggestions``: a suggested quote, its parts and cue, is
# decided by its first part in reading order).
_SPANS = f"""
SELECT
    s.id AS pk, s.start, s."end", s.exact, s.review_id, s.quote_id,
    m.entity_id AS mention__entity, e.kind AS mention__entity__kind,
    e.name AS mention__entity__name, cue.id AS cue_of,
    r.reviewer_id AS review__reviewer, u.username AS review__reviewer__username
FROM annotations_span s
LEFT JOIN annotations_review r ON r.id = s.review_id
LEFT JOIN auth_user u ON u.id = r.reviewer_id
LEFT JOIN annotations_mention m ON m.span_id = s.id
LEFT JOIN newsreader_entity e ON e.id = m.entity_id
LEFT JOIN annotations_quote cue ON cue.cue_id = s.id
WHERE s.article_id = %(article)s AND s.start < %(end)s AND s."end" > %(start)s AND (
    s.review_id IS NULL AND s.status = 'suggested' AND CASE
        WHEN s.quote_id IS NULL AND cue.id IS NULL
            THEN m.span_id IS NULL OR NOT {_HELD}
        ELSE NOT EXISTS (
            SELECT FROM annotations_span own
            WHERE own.review_id = %(review)s AND (own.start, own."end") = (
                SELECT part.start, part."end" FROM annotations_span part
                WHERE part.quote_id = coalesce(s.quote_id, cue.id)
                ORDER BY part.start, part."end" DESC
                LIMIT 1
            )
        )
    END
    OR s.status = 'accepted' AND (
        s.review_id = %(review)s OR %(others)s AND r.status = 'submitted'
    )
    OR s.id = %(linked)s AND s.status <> 'orphaned'
)
ORDER BY s.start, s."end" DESC
"""

# How many of the article's suggestions the review has not decided, as
# ``views._suggestion_count`` counts them: a mention each, a quote once (by
# its first part, not held, and no part before it), a cue not at all.
_UNDECIDED = f"""
SELECT count(*)
FROM annotations_span s
LEFT JOIN annotations_mention m ON m.span_id = s.id
WHERE s.article_id = %(article)s AND s.review_id IS NULL
    AND s.status = 'suggested'
    AND NOT EXISTS (SELECT FROM annotations_quote cue WHERE cue.cue_id = s.id)
    AND CASE
        WHEN s.quote_id IS NULL THEN m.span_id IS NULL OR NOT {_HELD}
        ELSE NOT {_HELD} AND NOT EXISTS (
            SELECT FROM annotations_span part
            WHERE part.quote_id = s.quote_id AND (
                part.start < s.start OR part.start = s.start AND part."end" > s."end"
            )
        )
    END
"""

_ENTITIES = """
SELECT
    e.id, e.kind, e.name, e.slug, count(*) AS count,
    (array_agg(s.id ORDER BY s.start, s."end" DESC))[1] AS first
FROM newsreader_entity e
JOIN annotations_mention m ON m.entity_id = e.id
JOIN annotations_span s ON s.id = m.span_id
WHERE s.review_id = %(review)s AND s.status = 'accepted' AND e.id = ANY(%(only)s)
GROUP BY e.id
"""


def paragraph(
    *,
    article: int,
    review: int,
    start: int,
    end: int,
    others: bool,
    linked: int | None,
) -> tuple[list[Any], int]:
    """The spans to draw in [start, end), in reading order, and how many
    suggestions in the article are left to decide.

    The suggestions elsewhere are counted, not read: on a long article
    they are thousands, and reading them was most of an accept's time.
    """
    where = {"article": article, "review": review, "start": start, "end": end}
    with connection.cursor() as cursor:
        cursor.execute(_SPANS, {**where, "others": others, "linked": linked})
        rows = [Row._make(values) for values in cursor.fetchall()]
        cursor.execute(_UNDECIDED, where)
        (undecided,) = cursor.fetchone()
    return rows, undecided


def entities(*, review: int, only: list[int]) -> list[Entity]:
    """The entities of ``only`` that the review's accepted mentions link,
    each with ``count`` (its mentions) and ``first`` (the first one's span)."""
    return list(Entity.objects.raw(_ENTITIES, {"review": review, "only": only}))
