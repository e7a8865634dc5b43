"""Gold annotations in the JSONL shape of ``shared/seed/gold.jsonl``.

One article a record: ``text``, ``quotes`` (start, end, text, speaker, cue,
type) and ``entities`` (name, kind, aliases, mentions). Offsets index the
record's own ``text``, which may differ from the stored body in white space
only; they are moved onto the body and checked before anything is saved.
"""

from __future__ import annotations

import re

from django.db import transaction

from annotations import editing
from annotations.models import Mention, Quote, Review
from annotations.spans import offset_map, paragraph_of
from newsreader.models import Entity, EntityKind
from newsreader.text import normalize_name


class GoldError(ValueError):
    pass


def resolve_entity(name: str, kind: str = EntityKind.PERSON) -> Entity:
    """The canonical entity called ``name`` (by name or alias), made if missing."""
    entity = (
        Entity.objects.canonical().filter(name=name).first()
        or Entity.objects.canonical()
        .filter(aliases__normalized=normalize_name(name), kind=kind)
        .first()
    )
    return entity or Entity.objects.create_named(name=name, kind=kind)


@transaction.atomic
def load_gold(*, review: Review, record: dict) -> None:
    """Add a gold record's mentions and quotes to an open ``review``."""
    body = review.article.body
    to_body = offset_map(record["text"], body)

    def place(item: dict) -> tuple[int, int]:
        start, end = to_body[item["start"]], to_body[item["end"]]
        if body[start:end] != item["text"]:
            raise GoldError(
                f"{item['text']!r} at {item['start']}–{item['end']} "
                "is not in the article there."
            )
        return start, end

    entities: dict[str, Entity] = {}
    for item in record.get("entities", []):
        entity = resolve_entity(item["name"], item.get("kind", EntityKind.OTHER))
        entities[item["name"]] = entity
        for alias in item.get("aliases", []):
            editing.add_alias_if_new(entity, alias)
        for mention in item.get("mentions", []):
            start, end = place(mention)
            editing.create_mention(review=review, start=start, end=end, entity=entity)

    for item in record.get("quotes", []):
        start, end = place(item)
        speaker = entities.get(item["speaker"]) or resolve_entity(item["speaker"])
        cue = find_cue(body, start, end, item["cue"]) if item.get("cue") else None
        editing.create_quote(
            review=review,
            parts=[(start, end)],
            type=item.get("type") or Quote.Type.DIRECT,
            speaker=speaker,
            speaker_mention=nearest_mention(review, speaker, cue or (start, end)),
            cue=cue,
        )


def find_cue(body: str, start: int, end: int, word: str) -> tuple[int, int] | None:
    """The occurrence of the cue ``word`` nearest the quote, in its paragraph."""
    paragraph = paragraph_of(body, start)
    best = None
    for match in re.finditer(rf"\b{re.escape(word)}\b", body):
        if paragraph_of(body, match.start()) != paragraph:
            continue
        if match.start() < end and match.end() > start:
            continue  # inside the quoted words themselves
        distance = max(start - match.end(), match.start() - end)
        if best is None or distance < best[0]:
            best = (distance, match.start(), match.end())
    return (best[1], best[2]) if best else None


def nearest_mention(
    review: Review, entity: Entity, near: tuple[int, int]
) -> Mention | None:
    """The review's mention of ``entity`` closest to ``near``, in its paragraph."""
    body = review.article.body
    paragraph = paragraph_of(body, near[0])
    candidates = [
        mention
        for mention in Mention.objects.filter(
            span__review=review, entity=entity
        ).select_related("span")
        if paragraph_of(body, mention.span.start) == paragraph
    ]
    return min(
        candidates,
        key=lambda m: abs(m.span.start - near[0]),
        default=None,
    )
