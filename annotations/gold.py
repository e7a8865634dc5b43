"""Gold annotations in the JSONL shape of ``fixtures/seed/gold.jsonl``.

One article a record: ``text``, ``quotes`` (start, end, text, speaker, cue,
type) and ``entities`` (name, kind, aliases, mentions). Offsets index the
record's own ``text``, which may differ from the stored body in white space
only; they are moved onto the body and checked before anything is saved.

Our own export (``annotations.interchange``) adds optional keys that this
loader reads back: ``group`` (quote items that are parts of one quote),
``cue_start``/``cue_end`` (where the cue is, not just its word),
``speaker_start``/``speaker_end`` (which of the record's mentions names the
speaker), a null ``speaker`` for a quote nobody has attributed yet, and
``speaker_description`` for a source no entity stands for ("officials").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction

from annotations import editing
from annotations.models import Mention, Quote, Review, Span
from annotations.spans import offset_map, paragraph_of
from newsreader.models import Entity, EntityKind
from newsreader.text import normalize_name


class GoldError(ValueError):
    pass


def resolve_entity(name: str, kind: str = EntityKind.PERSON) -> Entity:
    """The canonical entity called ``name`` (by name or alias), made if missing.

    An entity of the same name and ``kind`` wins over a namesake of another
    kind (Paris the place, Paris the person).
    """
    if not isinstance(name, str) or not name.strip():
        raise GoldError(f"{name!r} is not an entity name.")
    if kind not in EntityKind.values:
        raise GoldError(f"{kind!r} is not an entity kind ({', '.join(EntityKind)}).")
    canonical = Entity.objects.canonical().order_by("pk")
    entity = (
        canonical.filter(name=name, kind=kind).first()
        or canonical.filter(name=name).first()
        or canonical.filter(aliases__normalized=normalize_name(name), kind=kind).first()
    )
    return entity or Entity.objects.create_named(name=name, kind=kind)


@dataclass
class Loaded:
    """What ``load_gold`` added; what the review had already is not counted."""

    mentions: int = 0
    quotes: int = 0


@transaction.atomic
def load_gold(*, review: Review, record: dict) -> Loaded:
    """Add a gold record's mentions and quotes to an open ``review``.

    A mention (same words, same entity) or quote (same parts) the review
    has already is skipped, so loading a record twice adds nothing.
    """
    body = review.article.body
    text = record["text"]
    to_body = offset_map(text, body)

    def offsets(item: dict, start: str, end: str, words: str) -> tuple[int, int]:
        first, last = item[start], item[end]
        if not (
            type(first) is int and type(last) is int and 0 <= first < last <= len(text)
        ):
            raise GoldError(f"{words!r}: {first}–{last} is not a span of the text.")
        return to_body[first], to_body[last]

    def place(item: dict, start: str = "start", end: str = "end") -> tuple[int, int]:
        words = item["text"] if start == "start" else item["cue"]
        first, last = offsets(item, start, end, words)
        if body[first:last] != words:
            raise GoldError(
                f"{words!r} at {item[start]}–{item[end]} is not in the article there."
            )
        return first, last

    loaded = Loaded()
    had_mentions = set(
        Mention.objects.filter(span__review=review).values_list(
            "span__start", "span__end", "entity"
        )
    )
    entities: dict[str, Entity] = {}
    for item in record.get("entities") or []:
        entity = resolve_entity(item["name"], item.get("kind", EntityKind.OTHER))
        entities[item["name"]] = entity
        for alias in item.get("aliases") or []:
            editing.add_alias_if_new(entity, alias)
        for mention in item.get("mentions") or []:
            start, end = place(mention)
            if (start, end, entity.pk) in had_mentions:
                continue
            editing.create_mention(review=review, start=start, end=end, entity=entity)
            had_mentions.add((start, end, entity.pk))
            loaded.mentions += 1

    had_quotes = {
        tuple(sorted((part.start, part.end) for part in quote.parts.all()))
        for quote in review.quotes.prefetch_related("parts")
    }
    for items in quote_groups(record.get("quotes") or []):
        parts = [place(item) for item in items]
        if tuple(sorted(parts)) in had_quotes:
            continue
        first = items[0]
        start, end = parts[0]
        if first.get("cue") and "cue_start" in first:
            cue = place(first, "cue_start", "cue_end")
        elif first.get("cue"):
            cue = find_cue(body, start, end, first["cue"])
        else:
            cue = None
        speaker = speaker_mention = None
        if "speaker_start" in first:
            where = offsets(first, "speaker_start", "speaker_end", "speaker")
            speaker_mention = _mention_at(review, where)
            speaker = speaker_mention.entity
        elif name := first.get("speaker"):
            speaker = entities.get(name) or resolve_entity(name)
            speaker_mention = nearest_mention(review, speaker, cue or (start, end))
        quote_type = first.get("type") or Quote.Type.DIRECT
        if quote_type not in Quote.Type.values:
            raise GoldError(f"{quote_type!r} is not a quote type.")
        editing.create_quote(
            review=review,
            parts=parts,
            type=quote_type,
            speaker=speaker,
            speaker_mention=speaker_mention,
            speaker_description=_description(first),
            cue=cue,
        )
        had_quotes.add(tuple(sorted(parts)))
        loaded.quotes += 1
    return loaded


def _mention_at(review: Review, where: tuple[int, int]) -> Mention:
    mention = (
        Mention.objects.filter(
            span__review=review,
            span__start=where[0],
            span__end=where[1],
            span__status=Span.Status.ACCEPTED,
        )
        .select_related("entity", "span")
        .first()
    )
    if mention is None:
        raise GoldError(
            f"The speaker at {where[0]}–{where[1]} is none of the record's mentions."
        )
    return mention


def _description(item: dict) -> str:
    """A quote item's ``speaker_description``, a source no entity stands
    for ("officials")."""
    described = item.get("speaker_description") or ""
    longest = Quote._meta.get_field("speaker_description").max_length
    if not isinstance(described, str) or len(described) > longest:
        raise GoldError(
            f"speaker_description must be text of {longest} characters at most."
        )
    return described.strip()


def quote_groups(items: list[dict]) -> list[list[dict]]:
    """Quote items, those sharing a ``group`` together as one quote's parts."""
    groups: dict[object, list[dict]] = {}
    for index, item in enumerate(items):
        key = item.get("group")
        groups.setdefault(("group", key) if key is not None else index, []).append(item)
    return list(groups.values())


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
