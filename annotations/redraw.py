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

# The spans the reviewer sees in [start, end) (their own accepted ones, and
# others' submitted ones with ``others``, as ``views.visible_spans``), and
# all of the article's suggestions, each saying whether the review holds
# its words (``decided``).
_SPANS = """
SELECT
    s.id AS pk, s.start, s."end", s.exact, s.review_id, s.quote_id,
    m.entity_id AS mention__entity, e.kind AS mention__entity__kind,
    e.name AS mention__entity__name, cue.id AS cue_of,
    r.reviewer_id AS review__reviewer, u.username AS review__reviewer__username,
    s.review_id IS NULL AND EXISTS (
        SELECT FROM annotations_span own
        WHERE own.review_id = %(review)s
            AND own.start = s.start AND own."end" = s."end"
    ) AS decided
FROM annotations_span s
LEFT JOIN annotations_review r ON r.id = s.review_id
LEFT JOIN auth_user u ON u.id = r.reviewer_id
LEFT JOIN annotations_mention m ON m.span_id = s.id
LEFT JOIN newsreader_entity e ON e.id = m.entity_id
LEFT JOIN annotations_quote cue ON cue.cue_id = s.id
WHERE s.article_id = %(article)s AND (
    (s.review_id IS NULL AND s.status = 'suggested')
    OR s.start < %(end)s AND s."end" > %(start)s AND (
        s.status = 'accepted' AND (
            s.review_id = %(review)s OR %(others)s AND r.status = 'submitted'
        )
        OR s.id = %(linked)s AND s.status <> 'orphaned'
    )
)
ORDER BY s.start, s."end" DESC
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


def spans_and_suggestions(
    *,
    article: int,
    review: int,
    start: int,
    end: int,
    others: bool,
    linked: int | None,
) -> tuple[list[Any], list[Any]]:
    """(the visible spans in [start, end), the article's suggestions), each
    in reading order, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_SPANS, locals())
        Row = namedtuple("Row", [column.name for column in cursor.description])
        rows = [Row(*values) for values in cursor.fetchall()]
    return (
        [row for row in rows if row.review_id is not None],
        [row for row in rows if row.review_id is None],
    )


def entities(*, review: int, only: list[int]) -> list[Entity]:
    """The entities of ``only`` that the review's accepted mentions link,
    each with ``count`` (its mentions) and ``first`` (the first one's span)."""
    return list(Entity.objects.raw(_ENTITIES, {"review": review, "only": only}))
