"""Annotations in other tools' formats: spaCy, CoNLL-2003, brat, Label Studio
and doccano.

Every format is written from review records (``interchange.review_record``:
the gold JSONL shape, offsets in code points of ``text``), and the two read
back (Label Studio, doccano) are turned into such records, which
``interchange.import_record`` loads with all its checks. This module holds
what several formats share: a record's mentions and quotes as the formats
see them, and the way regions with labels and relations become a record.

Label Studio and doccano mark flat labelled regions, so they share one set
of labels: the entity kinds for mentions, the quote types in capitals for a
quote's parts, and ``CUE``; relations ``part`` (a quote's first part to each
other part), ``cue`` (a cue to its quote) and ``speaker`` (the mention that
names the speaker to the quote).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotations.gold import GoldError, quote_groups
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


# ---- Import: labelled regions to a record -----------------------------------------


@dataclass
class Region:
    key: object
    start: int
    end: int
    label: str
    text: str


@dataclass
class Regions:
    """What a task or line of Label Studio or doccano marked."""

    text: str
    regions: list[Region] = field(default_factory=list)
    # (from key, to key, relation label)
    relations: list[tuple[object, object, str]] = field(default_factory=list)
    # A source the text describes, by the key of a quote part it belongs to.
    descriptions: dict[object, str] = field(default_factory=dict)

    def record(self, **fields) -> dict:
        """The gold record these regions make: mentions (each linked to the
        entity its words name, as an alias or name, made if missing) and
        quotes with their parts, cue and speaker.

        Offsets are checked against the body by ``load_gold``; here only
        that the labels and relations make sense.
        """
        by_key: dict[object, Region] = {}
        for region in self.regions:
            if region.label not in LABELS:
                raise GoldError(
                    f"{region.label!r} is not one of the labels {', '.join(LABELS)}."
                )
            if region.key in by_key:
                raise GoldError(f"Two regions have the id {region.key!r}.")
            by_key[region.key] = region

        def region_of(key: object) -> Region:
            if key not in by_key:
                raise GoldError(f"A relation points at {key!r}, which is no region.")
            return by_key[key]

        def is_quote(region: Region) -> bool:
            return region.label in QUOTE_LABELS.values()

        # Each quote part starts as its own quote; "part" relations join them.
        quote_of = {r.key: r.key for r in self.regions if is_quote(r)}

        def root(key: object) -> object:
            while quote_of[key] != key:
                key = quote_of[key]
            return key

        cues: dict[object, list[Region]] = {}
        speakers: dict[object, list[Region]] = {}
        linked_cues: set[object] = set()
        for source, target, label in self.relations:
            first, second = region_of(source), region_of(target)
            if label == PART and is_quote(first) and is_quote(second):
                quote_of[root(first.key)] = root(second.key)
                continue
            if label not in (CUE_OF, SPEAKER):
                raise GoldError(
                    f"A relation {label!r} from {first.text!r} to {second.text!r} "
                    f"is not one of {', '.join(RELATIONS)} between the right labels."
                )
            quote, other = (second, first) if is_quote(second) else (first, second)
            wanted = (
                other.label == CUE
                if label == CUE_OF
                else other.label in EntityKind.values
            )
            if not is_quote(quote) or not wanted:
                raise GoldError(
                    f"A {label!r} relation links {first.text!r} and {second.text!r}; "
                    f"it goes between a quote and a "
                    f"{'cue' if label == CUE_OF else 'mention'}."
                )
            (cues if label == CUE_OF else speakers).setdefault(quote.key, []).append(
                other
            )
            if label == CUE_OF:
                linked_cues.add(other.key)
        for region in self.regions:
            if region.label == CUE and region.key not in linked_cues:
                raise GoldError(
                    f"The cue {region.text!r} at {region.start}–{region.end} "
                    "belongs to no quote."
                )

        groups: dict[object, list[Region]] = {}
        for key in quote_of:
            groups.setdefault(root(key), []).append(by_key[key])
        items = []
        for number, parts in enumerate(
            sorted(groups.values(), key=lambda g: min(r.start for r in g)), 1
        ):
            items += self._quote_items(number, parts, cues, speakers)

        entities: dict[tuple[str, str], dict] = {}
        for region in self.regions:
            if region.label in EntityKind.values:
                entity = entities.setdefault(
                    (region.text, region.label),
                    {"name": region.text, "kind": region.label, "mentions": []},
                )
                entity["mentions"].append(
                    {"start": region.start, "end": region.end, "text": region.text}
                )
        return {
            **fields,
            "text": self.text,
            "entities": list(entities.values()),
            "quotes": items,
        }

    def _quote_items(
        self,
        number: int,
        parts: list[Region],
        cues: dict[object, list[Region]],
        speakers: dict[object, list[Region]],
    ) -> list[dict]:
        parts.sort(key=lambda r: r.start)
        words = " … ".join(part.text for part in parts)
        if len({part.label for part in parts}) > 1:
            raise GoldError(f"The parts of the quote {words!r} differ in type.")
        found_cues = [c for part in parts for c in cues.get(part.key, [])]
        found_speakers = [s for part in parts for s in speakers.get(part.key, [])]
        if len(found_cues) > 1 or len(found_speakers) > 1:
            raise GoldError(f"The quote {words!r} has more than one cue or speaker.")
        described = [
            self.descriptions[p.key] for p in parts if p.key in self.descriptions
        ]
        common: dict = {
            "type": parts[0].label.lower(),
            "speaker": found_speakers[0].text if found_speakers else None,
        }
        if found_speakers:
            common.update(
                speaker_start=found_speakers[0].start,
                speaker_end=found_speakers[0].end,
            )
        elif described:
            common["speaker_description"] = described[0]
        if found_cues:
            cue = found_cues[0]
            common.update(cue=cue.text, cue_start=cue.start, cue_end=cue.end)
        if len(parts) > 1:
            common["group"] = number
        return [
            {"start": part.start, "end": part.end, "text": part.text, **common}
            for part in parts
        ]
