"""Reviews as doccano JSONL (sequence labelling), and doccano's export read back.

A line a review: ``text``; ``label``, ``[start, end, label]`` triples for
a project without relations; ``entities`` (``id``, ``label``,
``start_offset``, ``end_offset``) and ``relations`` (``id``, ``from_id``,
``to_id``, ``type``) for one with them, the shape doccano 1.8 exports;
and the article's ``article_id``, ``title`` and ``url`` and the
``reviewer``, which doccano keeps as the example's metadata and exports
again. The labels and relations are those of ``annotations.formats``.
doccano has nowhere to put a source the text describes ("officials"):
those quotes go without a speaker.

doccano counts offsets in UTF-16 code units, as JavaScript does (issue
#2290), unless the project counts grapheme clusters, which this does not
read: they are converted both ways, and a position inside a character is
an error.
"""

from __future__ import annotations

from annotations.formats import (
    CUE,
    CUE_OF,
    PART,
    QUOTE_LABELS,
    SPEAKER,
    Region,
    Regions,
    mentions,
    quotes,
)
from annotations.gold import GoldError
from annotations.spans import from_utf16, to_utf16


def line(record: dict) -> dict:
    text = record["text"]
    entities: list[dict] = []
    relations: list[dict] = []

    def entity(start: int, end: int, label: str) -> int:
        key = len(entities) + 1
        entities.append(
            {
                "id": key,
                "label": label,
                "start_offset": to_utf16(text, start),
                "end_offset": to_utf16(text, end),
            }
        )
        return key

    def relation(source: int, target: int, label: str) -> None:
        relations.append(
            {
                "id": len(relations) + 1,
                "from_id": source,
                "to_id": target,
                "type": label,
            }
        )

    keys = {
        (m.start, m.end, m.entity): entity(m.start, m.end, m.kind)
        for m in mentions(record)
    }
    for quote in quotes(record):
        label = QUOTE_LABELS[quote.type]
        first, *others = [entity(p.start, p.end, label) for p in quote.parts]
        for other in others:
            relation(first, other, PART)
        if cue := quote.cue:
            relation(entity(cue.start, cue.end, CUE), first, CUE_OF)
        if named := quote.speaker_mention:
            relation(keys[named.start, named.end, named.entity], first, SPEAKER)
    return {
        "text": text,
        "label": [[e["start_offset"], e["end_offset"], e["label"]] for e in entities],
        "entities": entities,
        "relations": relations,
        "article_id": record["id"],
        "title": record["title"],
        "url": record["url"],
        "reviewer": record["reviewer"],
    }


def record_from_line(line: dict) -> dict:
    """The gold record of one line of doccano's export: ``entities`` and
    ``relations`` when it has them, else ``label``."""
    if not isinstance(line, dict):
        raise GoldError("A line must be a JSON object.")
    text = line["text"]
    if not isinstance(text, str):
        raise GoldError("The line has no text.")
    regions = Regions(text=text)
    if "entities" in line:
        marked = [
            (e["id"], e["start_offset"], e["end_offset"], e["label"])
            for e in line["entities"]
        ]
        regions.relations = [
            (r["from_id"], r["to_id"], r["type"]) for r in line.get("relations") or []
        ]
    else:
        marked = [(n, *triple) for n, triple in enumerate(line["label"])]
    for key, start16, end16, label in marked:
        start, end = from_utf16(text, start16), from_utf16(text, end16)
        regions.regions.append(Region(key, start, end, label, text[start:end]))
    return regions.record(id=line.get("article_id"), url=line.get("url"))
