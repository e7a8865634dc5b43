"""Which entity a stretch of text most likely names."""

from __future__ import annotations

from django.db.models import Count, Q

from annotations.models import Span
from newsreader.models import Article, Entity, EntityQuerySet

# Weights on top of trigram similarity (0 to 1): an entity already named in
# this article, or often in this source, is the likelier one.
IN_ARTICLE = 0.3
IN_SOURCE = 0.15


def candidates(
    text: str, *, article: Article, kind: str = "", limit: int = 8
) -> list[Entity]:
    """Entities for ``text``, best first, each with ``score``, ``in_article``
    and ``in_source`` counts of accepted mentions."""
    entities: EntityQuerySet = Entity.objects.canonical()
    entities = entities.search(text) if text.strip() else entities.order_by("name")
    if kind:
        entities = entities.filter(kind=kind)
    accepted = Q(mentions__span__status=Span.Status.ACCEPTED)
    ranked = entities.annotate(
        in_article=Count(
            "mentions",
            filter=accepted & Q(mentions__span__article=article),
            distinct=True,
        ),
        in_source=Count(
            "mentions",
            filter=accepted & Q(mentions__span__article__source=article.source_id),
            distinct=True,
        ),
    )[: limit * 3]
    found = list(ranked)
    for entity in found:
        entity.score = (
            getattr(entity, "score", 0.0)
            + IN_ARTICLE * (entity.in_article > 0)
            + IN_SOURCE * min(entity.in_source, 10) / 10
        )
    found.sort(key=lambda e: (-e.score, e.name))
    return found[:limit]
