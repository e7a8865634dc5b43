"""Annotations in other tools' formats: spaCy, CoNLL-2003, brat, Label Studio
and doccano.

Every format is written from review records (``interchange.review_record``:
the gold JSONL shape, offsets in code points of ``text``). This module holds
what several formats share: a record's mentions and quotes as the formats
see them.

Label Studio and doccano mark flat labelled regions, so they share one set
of labels: the entity kinds for mentions, the quote types in capitals for a
quote's parts, and ``CUE``; relations ``part`` (a quote's first part to each
other part), ``cue`` (a cue to its quote) and ``speaker`` (the mention that
names the speaker to the quote).
"""

from __future__ import annotations

from dataclasses import dataclass

from annotations.gold import quote_groups
from annotations.models import Quote
from newsreader.models import EntityKind

CUE = "CUE"
QUOTE_LABELS = {value: value.upper() for value in Quote.Type.values}
LABELS = [*EntityKind.values, *QUOTE_LABELS.values(), CUE]
PART, CUE_OF, SPEAKER = "part", "cue", "speaker"
RELATIONS = [PART, CUE_OF, SPEAKER]


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    kind: str
    entity: str


@dataclass(frozen=True, order=True)
class Words:
    start: int
    end: int
    text: str


@dataclass
class RecordQuote:
    parts: list[Words]
    type: str
    speaker: str | None
    speaker_description: str
    # The mention the quote is attributed to: the reviewer's, else the
    # speaker's mention nearest the quote, else none.
    speaker_mention: Mention | None
    cue: Words | None


def mentions(record: dict) -> list[Mention]:
    """The record's mentions in reading order."""
    found = [
        Mention(m["start"], m["end"], m["text"], entity["kind"], entity["name"])
        for entity in record["entities"]
        for m in entity["mentions"]
    ]
    return sorted(found, key=lambda m: (m.start, -m.end))


def quotes(record: dict) -> list[RecordQuote]:
    """The record's quotes in reading order, each with its parts together."""
    named = mentions(record)
    result = []
    for items in quote_groups(record["quotes"]):
        first = items[0]
        parts = sorted(Words(i["start"], i["end"], i["text"]) for i in items)
        cue = None
        if "cue_start" in first:
            cue = Words(first["cue_start"], first["cue_end"], first["cue"])
        result.append(
            RecordQuote(
                parts=parts,
                type=first["type"],
                speaker=first["speaker"],
                speaker_description=first.get("speaker_description", ""),
                speaker_mention=_speaker_mention(first, parts[0], named),
                cue=cue,
            )
        )
    return sorted(result, key=lambda quote: quote.parts[0].start)


def _speaker_mention(item: dict, near: Words, named: list[Mention]) -> Mention | None:
    if "speaker_start" in item:
        where = (item["speaker_start"], item["speaker_end"])
        return next((m for m in named if (m.start, m.end) == where), None)
    candidates = [m for m in named if m.entity == item["speaker"]]
    return min(candidates, key=lambda m: abs(m.start - near.start), default=None)
