"""The rows a reviewer's write is answered with, read with SQL of our own.

A write's answer (``views._answer``) redraws a paragraph and the side
panel's rows that changed. Built with the ORM, its queries cost more in
Python (compiling the joins, making the rows) than in PostgreSQL, and the
create it answers is what a reviewer repeats all day (bench/reviewers.py).
Its statements go to PostgreSQL together, in one round trip, and are
planned once per connection (newsreader.prepared). The
rows are those ``views._span_rows`` and ``views._entity_rows`` make for
the whole page.
"""

from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

from annotations.models import Quote
from newsreader import prepared
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
    r.reviewer_id AS review__reviewer, u.username AS review__reviewer__username,
    q.type, q.speaker_id, q.speaker_description, speaker.name
FROM annotations_span s
LEFT JOIN annotations_review r ON r.id = s.review_id AND r.article_id = s.article_id
LEFT JOIN auth_user u ON u.id = r.reviewer_id
LEFT JOIN annotations_mention m ON m.span_id = s.id
LEFT JOIN newsreader_entity e ON e.id = m.entity_id
LEFT JOIN annotations_quote cue ON cue.cue_id = s.id AND cue.article_id = s.article_id
LEFT JOIN annotations_quote q
    ON q.id = coalesce(s.quote_id, cue.id) AND q.article_id = s.article_id
LEFT JOIN newsreader_entity speaker ON speaker.id = q.speaker_id
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
# ``views._suggestion_count`` counts them: a mention each (unless the review
# holds its words), a quote once (unless it holds its first part's), a cue
# not at all. The words the review holds are a few dozen, hashed once; the
# suggestions are hundreds, and probing an index for each was most of the
# count's time.
_UNDECIDED = """
WITH suggested AS (
    SELECT s.id, s.start, s."end", s.quote_id,
        (s.start, s."end") IN (
            SELECT own.start, own."end" FROM annotations_span own
            WHERE own.review_id = %(review)s
        ) AS held
    FROM annotations_span s
    WHERE s.article_id = %(article)s AND s.review_id IS NULL
        AND s.status = 'suggested'
        AND NOT EXISTS (
            SELECT FROM annotations_quote cue
            WHERE cue.article_id = %(article)s AND cue.cue_id = s.id
        )
)
SELECT (
    SELECT count(*) FROM suggested s
    WHERE s.quote_id IS NULL AND NOT (
        s.held AND EXISTS (SELECT FROM annotations_mention m WHERE m.span_id = s.id)
    )
) + (
    SELECT count(*) FROM (
        SELECT DISTINCT ON (quote_id) held FROM suggested
        WHERE quote_id IS NOT NULL
        ORDER BY quote_id, start, "end" DESC
    ) first_part
    WHERE NOT first_part.held
)
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


class Redraw(NamedTuple):
    rows: list[Row]  # the spans to draw, in reading order
    quotes: dict[int, Quote]  # the quotes their parts and cues draw, by pk
    undecided: int  # the suggestions in the article left to decide
    entities: list[Entity]  # with ``count`` and ``first``, as _ENTITIES


def paragraph(
    *,
    article: int,
    review: int,
    start: int,
    end: int,
    others: bool,
    linked: int | None,
    entities: list[int],
) -> Redraw:
    """The spans to draw in [start, end), how many suggestions in the
    article are left to decide, and the entities of ``entities`` that the
    review's accepted mentions link, each with ``count`` (its mentions)
    and ``first`` (the first one's span).

    The suggestions elsewhere are counted, not read: on a long article
    they are thousands, and reading them was most of an accept's time.
    """
    where = {"article": article, "review": review, "start": start, "end": end}
    where |= {"others": others, "linked": linked, "only": entities}
    rows, quotes, found = [], {}, []
    with prepared.pipeline() as execute:
        # The database fits in memory, so a page read through an index
        # costs about what a page of a whole table does: told so, the
        # planner looks up the paragraph's few spans' mentions by index
        # instead of hashing every mention there is. Until the write's
        # transaction ends.
        execute("SELECT set_config('random_page_cost', '1.1', true)")
        spans = execute(_SPANS, where)
        counted = execute(_UNDECIDED, where)
        linking = execute(_ENTITIES, where) if entities else None
        for values in spans.fetchall():
            row = Row._make(values[: len(Row._fields)])
            rows.append(row)
            if quote_pk := row.quote_id or row.cue_of:
                quotes.setdefault(
                    quote_pk, _quote(quote_pk, *values[len(Row._fields) :])
                )
        (undecided,) = counted.fetchone()
        if linking is not None:
            for pk, kind, name, slug, count, first in linking.fetchall():
                entity = Entity(id=pk, kind=kind, name=name, slug=slug)
                entity.count, entity.first = count, first
                found.append(entity)
    return Redraw(rows, quotes, undecided, found)


def _quote(
    pk: int, type: str, speaker: int | None, description: str, name: str | None
) -> Quote:
    """The quote as ``views._draw`` labels its marks: its type and speaker."""
    quote = Quote(id=pk, type=type, speaker_id=speaker, speaker_description=description)
    if speaker is not None:
        quote.speaker = Entity(id=speaker, name=name)
    return quote
