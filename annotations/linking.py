"""Which entity a stretch of text most likely names."""

from __future__ import annotations

from django.db.models import Count, Q, Value

from annotations.models import Review, Span
from newsreader.models import Article, Entity

# Weights on top of trigram similarity (0 to 1): an entity the reviewer has
# already linked in this article, or one the curated set often names in
# this source, is the likelier one.
IN_ARTICLE = 0.3
IN_SOURCE = 0.15


def candidates(
    text: str, *, article: Article, reviewer, kind: str = "", limit: int = 8
) -> list[Entity]:
    """Entities for ``text``, best first, with ``score``, ``in_article`` and
    ``in_source``.

    ``in_article`` counts the reviewer's own mentions in this article and
    ``in_source`` the curated mentions in the source's other articles: the
    reviewer's page hides other people's work here, so the ranking must not
    hint at it either.
    """
    entities = Entity.objects.canonical().visible_to(reviewer)
    entities = (
        entities.search(text, user=reviewer)
        if text.strip()
        else entities.order_by("name")
    )
    if kind:
        entities = entities.filter(kind=kind)
    accepted = Q(mentions__span__status=Span.Status.ACCEPTED)
    in_source = (
        Count(
            "mentions",
            filter=accepted
            & Q(
                mentions__span__article__source=article.source_id,
                mentions__span__review__status=Review.Status.ADJUDICATED,
            )
            & ~Q(mentions__span__article=article),
            distinct=True,
        )
        if article.source_id
        else Value(0)
    )
    found = list(
        entities.annotate(
            in_article=Count(
                "mentions",
                filter=accepted
                & Q(
                    mentions__span__article=article,
                    mentions__span__review__reviewer=reviewer,
                ),
                distinct=True,
            ),
            in_source=in_source,
        )[: limit * 3]
    )
    for entity in found:
        entity.score = (
            getattr(entity, "score", 0.0)
            + IN_ARTICLE * (entity.in_article > 0)
            + IN_SOURCE * min(entity.in_source, 10) / 10
        )
    found.sort(key=lambda e: (-e.score, e.name))
    return found[:limit]
