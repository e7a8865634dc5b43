"""How good the suggestions are, against gold files in JSONL.

Two gold shapes are read alike: the seed's (``fixtures/seed/gold.jsonl``:
quotes typed ``direct``/``partial``, ``speaker`` a full name, ``entities``
with their mentions) and the quote development set's (quotes typed
``direct``/``mixed``/``indirect``, ``attribution`` grouping the parts of one
quote, ``speaker`` as written with ``speaker_start``/``speaker_end``, no
entities). Gold ``mixed`` is our ``partial``: the development set gives
the whole reported clause, the seed and the suggester the quoted words in
it, so a mixed part is scored as the quoted words it holds (``gold_quotes``).

The suggester runs on each record's own ``text`` (its article need not be
stored), with the entity table as its gazetteer (and, on request, the gold's
own entities) and the configured language model. Scores are micro-averaged
over all records; matching stays within one record:

- parts: each part of a quote is a span; a suggested part matches a gold
  part when they share at least half of the longer (``overlap``), or when
  their boundaries are equal (exact);
- quotes: the parts of one quote together; matched by
  ``agreement.parts_overlap``, as reviewers' quotes are;
- speakers: of the matched quotes whose gold names a speaker, the share
  named right (``judge_speaker``): strictly, by the words, or only by the
  surname, on separate lines;
- mentions: as parts, over the records that list their ``entities``.

Each figure comes per quote type (``direct``, ``partial``, ``indirect``:
a suggestion of one type against gold of that type) and for all the types
together, the types then ignored.

The arithmetic is in small pure functions, tested by hand-made examples.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import spacy

from annotations import agreement
from annotations.suggest.detect import detect
from annotations.suggest.gazetteer import Gazetteer, GazetteerEntry
from annotations.suggest.lexicon import AMBIGUOUS, CLOSE_DOUBLE, CLOSE_SINGLE
from annotations.suggest.quotes import find_quoted
from annotations.suggest.results import (
    DIRECT,
    INDIRECT,
    PARTIAL,
    FoundMention,
    FoundQuote,
    Suggestions,
)
from annotations.suggest.store import configured_model, model_name, table_names
from newsreader.text import normalize_name

MIN_OVERLAP = 0.5
TYPES = (DIRECT, PARTIAL, INDIRECT)
# The gold types as the development set spells them, onto ours.
GOLD_TYPES = {DIRECT: DIRECT, PARTIAL: PARTIAL, "mixed": PARTIAL, INDIRECT: INDIRECT}
SPLITS = ("all", "develop", "held-out")
# One article in this many is held out (see ``is_held_out``).
HELD_OUT_ONE_IN = 5

Span = tuple[int, int]
Names = list[tuple[str, GazetteerEntry]]


class GoldFileError(ValueError):
    """A gold file that cannot be read; the message says where and why."""


# Counting --------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 from counts; an empty side scores 0.

    >>> Score(tp=3, predicted=4, gold=6).f1
    0.6
    """

    tp: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.tp + other.tp,
            self.predicted + other.predicted,
            self.gold + other.gold,
        )

    def as_dict(self) -> dict:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "predicted": self.predicted,
            "gold": self.gold,
        }


NO_SCORE = Score(0, 0, 0)


@dataclass(frozen=True)
class Verdict:
    """How one suggested speaker compares with the gold one (see
    ``judge_speaker``)."""

    strict: bool = False
    same_words: bool = False
    surname_only: bool = False


@dataclass(frozen=True)
class Speakers:
    """Speaker counts over matched quotes whose gold names a speaker.

    ``credited`` is strict or same words: the headline where the gold
    locates its speakers' words (``worded`` of the ``judged``), strict where
    it does not.

    >>> Speakers.of([Verdict(strict=True), Verdict(surname_only=True)], worded=0)
    Speakers(judged=2, strict=1, credited=1, surname_only=1, worded=0)
    """

    judged: int = 0
    strict: int = 0
    credited: int = 0
    surname_only: int = 0
    worded: int = 0

    @classmethod
    def of(cls, verdicts: Sequence[Verdict], *, worded: int) -> Speakers:
        return cls(
            judged=len(verdicts),
            strict=sum(v.strict for v in verdicts),
            credited=sum(v.strict or v.same_words for v in verdicts),
            surname_only=sum(v.surname_only for v in verdicts),
            worded=worded,
        )

    def __add__(self, other: Speakers) -> Speakers:
        return Speakers(
            *(
                a + b
                for a, b in zip(vars(self).values(), vars(other).values(), strict=True)
            )
        )

    def share(self, count: int) -> float:
        return count / self.judged if self.judged else 0.0

    def as_dict(self) -> dict:
        def line(count: int) -> dict:
            return {"accuracy": round(self.share(count), 4), "right": count}

        return {
            "judged": self.judged,
            "with_gold_speaker_words": self.worded,
            "strict": line(self.strict),
            "strict_or_same_words": line(self.credited),
            "surname_only": line(self.surname_only),
        }


@dataclass(frozen=True)
class TypeScores:
    """The figures for one quote type, or for all types together."""

    parts_overlap: Score = NO_SCORE
    parts_exact: Score = NO_SCORE
    quotes_overlap: Score = NO_SCORE
    speakers: Speakers = field(default_factory=Speakers)

    def __add__(self, other: TypeScores) -> TypeScores:
        return TypeScores(
            *(
                a + b
                for a, b in zip(vars(self).values(), vars(other).values(), strict=True)
            )
        )

    def as_dict(self) -> dict:
        return {
            "parts_overlap": self.parts_overlap.as_dict(),
            "parts_exact": self.parts_exact.as_dict(),
            "quotes_overlap": self.quotes_overlap.as_dict(),
            "speakers": self.speakers.as_dict(),
        }


# Spans and matching ----------------------------------------------------------


def overlap(a: Span, b: Span) -> float:
    """Characters the spans share, as a share of the longer one.

    >>> overlap((0, 10), (5, 10)), overlap((0, 10), (10, 20))
    (0.5, 0.0)
    """
    shared = min(a[1], b[1]) - max(a[0], b[0])
    longer = max(a[1] - a[0], b[1] - b[0])
    return max(shared, 0) / longer if longer > 0 else 0.0


def overlapping_pairs(a: Sequence[Span], b: Sequence[Span]) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)`` of spans of ``a`` and ``b`` sharing a character.

    A sweep over both sorted by start, so that only spans that meet are
    paired: comparing every gold span with every suggestion is what made a
    whole corpus slow.

    >>> overlapping_pairs([(0, 5), (10, 20)], [(4, 12), (20, 30), (12, 15)])
    [(0, 0), (1, 0), (1, 2)]
    """
    events = sorted(
        [(span[0], 0, i) for i, span in enumerate(a) if span[0] < span[1]]
        + [(span[0], 1, j) for j, span in enumerate(b) if span[0] < span[1]]
    )
    spans = (a, b)
    active: tuple[list[int], list[int]] = ([], [])
    pairs = []
    for start, side, index in events:
        other = 1 - side
        # Spans of the other side that end by this start meet nothing later.
        active[other][:] = [k for k in active[other] if spans[other][k][1] > start]
        for k in active[other]:
            pairs.append((index, k) if side == 0 else (k, index))
        active[side].append(index)
    return sorted(pairs)


def best_pairs(
    scored: Iterable[tuple[float, int, int]], min_score: float
) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` from ``(score, i, j)``, the highest scores first, each
    ``i`` and each ``j`` used once, none below ``min_score``.

    >>> best_pairs([(0.8, 0, 0), (1.0, 1, 0), (0.6, 0, 1), (0.4, 2, 2)], 0.5)
    [(0, 1), (1, 0)]
    """
    pairs, left, right = [], set(), set()
    for score, i, j in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if score < min_score or i in left or j in right:
            continue
        pairs.append((i, j))
        left.add(i)
        right.add(j)
    return sorted(pairs)


def match(
    predicted: Sequence[Span],
    gold: Sequence[Span],
    *,
    min_overlap: float | None = None,
) -> list[tuple[int, int]]:
    """Pairs ``(predicted index, gold index)``, each side used at most once.

    Without ``min_overlap`` spans must be equal; with it, the pairs with the
    largest overlap are taken first.

    >>> match([(0, 5), (6, 9)], [(0, 5), (6, 10)])
    [(0, 0)]
    >>> match([(0, 5), (6, 9)], [(0, 5), (6, 10)], min_overlap=0.5)
    [(0, 0), (1, 1)]
    """
    if min_overlap is None:
        where: dict[Span, list[int]] = {}
        for j, span in enumerate(gold):
            where.setdefault(span, []).append(j)
        pairs = []
        for i, span in enumerate(predicted):
            if where.get(span):
                pairs.append((i, where[span].pop(0)))
        return pairs
    return best_pairs(
        (
            (overlap(predicted[i], gold[j]), i, j)
            for i, j in overlapping_pairs(predicted, gold)
        ),
        min_overlap,
    )


def match_quotes(
    predicted: Sequence[Sequence[Span]],
    gold: Sequence[Sequence[Span]],
    *,
    min_overlap: float = MIN_OVERLAP,
) -> list[tuple[int, int]]:
    """Pairs ``(predicted index, gold index)`` of quotes (each a list of
    parts) whose ``agreement.parts_overlap`` is at least ``min_overlap``, the best
    first, each quote used once. Only quotes with parts that meet are
    compared.

    >>> match_quotes([[(0, 10), (20, 30)], [(40, 50)]], [[(40, 48)], [(0, 10)]])
    [(0, 1), (1, 0)]
    """
    owners_a = [i for i, parts in enumerate(predicted) for _ in parts]
    owners_b = [j for j, parts in enumerate(gold) for _ in parts]
    flat_a = [part for parts in predicted for part in parts]
    flat_b = [part for parts in gold for part in parts]
    candidates = {
        (owners_a[i], owners_b[j]) for i, j in overlapping_pairs(flat_a, flat_b)
    }
    return best_pairs(
        ((agreement.parts_overlap(predicted[i], gold[j]), i, j) for i, j in candidates),
        min_overlap,
    )


# Speakers --------------------------------------------------------------------


def same_name(
    gold_name: str,
    predicted_name: str,
    *,
    gold_entry: GazetteerEntry | None = None,
    predicted_entry: GazetteerEntry | None = None,
) -> bool:
    """Whether two speakers are strictly the same: one entity, or one full
    name once normalised. A shared surname is not enough.

    >>> same_name("Feridun Sinirlioğlu", "FERIDUN SINIRLIOGLU")
    True
    >>> same_name("Ana Ruiz", "Luis Ruiz"), same_name("Ana Ruiz", "")
    (False, False)
    """
    if gold_entry and predicted_entry and gold_entry.key == predicted_entry.key:
        return True
    gold_key = normalize_name(gold_name)
    return bool(gold_key) and gold_key == normalize_name(predicted_name)


def same_surname(gold_name: str, predicted_name: str) -> bool:
    """Whether the names end in the same word once normalised.

    >>> same_surname("Ana Ruiz", "Luis RUIZ"), same_surname("Ana Ruiz", "Ana")
    (True, False)
    """
    gold_key, predicted_key = normalize_name(gold_name), normalize_name(predicted_name)
    return (
        bool(gold_key and predicted_key)
        and gold_key.split()[-1] == predicted_key.split()[-1]
    )


def _meets(a: Span | None, b: Span) -> bool:
    return a is not None and a[0] < b[1] and b[0] < a[1]


def same_words(
    gold_words: Span,
    predicted: FoundQuote,
    mentions: Sequence[FoundMention],
    quotes: Sequence[FoundQuote] = (),
) -> bool:
    """Whether the suggestion took the gold's speaker words for its speaker.

    The gold gives its speaker as written ("he", "the minister", "Trump").
    A suggestion is credited when the words it took by the cue
    (``speaker_words``) or its speaker mention share a character with the
    gold's words, or when the suggester read those words as the person it
    made the speaker: a mention it found there names them (the same entity,
    or the same name), or another of its ``quotes`` took those words for
    them (“A,” he said. “B.”: B is the person "he" was read as).
    """
    if not predicted.speaker_name and predicted.speaker is None:
        return False
    if _meets(predicted.speaker_words, gold_words):
        return True
    if predicted.speaker_mention is not None and _meets(
        (predicted.speaker_mention.start, predicted.speaker_mention.end), gold_words
    ):
        return True
    name = normalize_name(predicted.speaker_name)
    for mention in mentions:
        if not _meets((mention.start, mention.end), gold_words):
            continue
        if (
            mention.entity is not None
            and predicted.speaker is not None
            and mention.entity.key == predicted.speaker.key
        ):
            return True
        if name and normalize_name(mention.name) == name:
            return True
    return any(
        other is not predicted
        and _meets(other.speaker_words, gold_words)
        and _same_speaker(other, predicted)
        for other in quotes
    )


def _same_speaker(a: FoundQuote, b: FoundQuote) -> bool:
    if a.speaker is not None and b.speaker is not None:
        return a.speaker.key == b.speaker.key
    return bool(a.speaker_name) and normalize_name(a.speaker_name) == normalize_name(
        b.speaker_name
    )


@dataclass(frozen=True)
class GoldQuote:
    """A gold quote: its parts, each part's type, and who spoke."""

    parts: tuple[Span, ...]
    types: tuple[str, ...]
    speaker: str | None = None
    # Where the gold's ``speaker`` stands in the text, when it says.
    speaker_words: Span | None = None

    def of_types(self, types: Collection[str]) -> GoldQuote | None:
        """The quote with only its parts of ``types``; None if none is."""
        kept = [
            (p, t) for p, t in zip(self.parts, self.types, strict=True) if t in types
        ]
        if not kept:
            return None
        return replace(
            self, parts=tuple(p for p, _ in kept), types=tuple(t for _, t in kept)
        )


def judge_speaker(
    gold: GoldQuote,
    predicted: FoundQuote,
    *,
    gazetteer: Gazetteer,
    mentions: Sequence[FoundMention],
    quotes: Sequence[FoundQuote] = (),
) -> Verdict:
    """The suggested speaker of a matched quote against the gold's.

    Strict: the same entity or the same full name; same words (only where
    the gold locates its speaker): see ``same_words``; surname only: not
    strict, but the same last word.
    """
    assert gold.speaker
    strict = same_name(
        gold.speaker,
        predicted.speaker_name,
        gold_entry=gazetteer.lookup(gold.speaker),
        predicted_entry=predicted.speaker,
    )
    return Verdict(
        strict=strict,
        same_words=gold.speaker_words is not None
        and same_words(gold.speaker_words, predicted, mentions, quotes),
        surname_only=not strict and same_surname(gold.speaker, predicted.speaker_name),
    )


def score_quotes(
    predicted: Sequence[FoundQuote],
    gold: Sequence[GoldQuote],
    judge: Callable[[GoldQuote, FoundQuote], Verdict],
) -> TypeScores:
    """Parts, quotes and speakers of one record's suggestions against its
    gold, whatever their types (filter both sides first)."""
    predicted_parts = [part for quote in predicted for part in quote.parts]
    gold_parts = [part for quote in gold for part in quote.parts]
    pairs = match_quotes([q.parts for q in predicted], [q.parts for q in gold])
    verdicts, worded = [], 0
    for i, j in pairs:
        if gold[j].speaker:
            verdicts.append(judge(gold[j], predicted[i]))
            worded += gold[j].speaker_words is not None
    return TypeScores(
        parts_overlap=_score(predicted_parts, gold_parts, min_overlap=MIN_OVERLAP),
        parts_exact=_score(predicted_parts, gold_parts),
        quotes_overlap=Score(len(pairs), len(predicted), len(gold)),
        speakers=Speakers.of(verdicts, worded=worded),
    )


def _score(
    predicted: Sequence[Span], gold: Sequence[Span], *, min_overlap=None
) -> Score:
    return Score(
        len(match(predicted, gold, min_overlap=min_overlap)), len(predicted), len(gold)
    )


# Reading gold files ----------------------------------------------------------


def read_gold(path: Path) -> list[dict]:
    """The records of a gold JSONL file; blank lines are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise GoldFileError(f"Cannot read {path}: {error.strerror or error}.") from None
    except UnicodeDecodeError:
        raise GoldFileError(f"{path} is not UTF-8 text.") from None
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise GoldFileError(
                f"{path}, line {number}: not JSON ({error.msg})."
            ) from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise GoldFileError(f"{path}, line {number}: a record needs a 'text'.")
        for key in ("quotes", "entities"):
            if not isinstance(record.get(key, []), list):
                raise GoldFileError(f"{path}, line {number}: '{key}' must be a list.")
        for quote in record.get("quotes", []):
            if problem := _quote_problem(quote, len(record["text"])):
                raise GoldFileError(f"{path}, line {number}: {problem}")
        records.append(record)
    return records


def _quote_problem(quote: object, length: int) -> str:
    """What is wrong with a gold quote item, or "" if nothing is."""
    if not isinstance(quote, dict):
        return "a quote must be an object."
    start, end = quote.get("start"), quote.get("end")
    if not (type(start) is int and type(end) is int and 0 <= start < end <= length):
        return f"quote {start}–{end} is not a span of the text."
    if quote.get("type", DIRECT) not in GOLD_TYPES:
        return f"{quote['type']!r} is not a quote type ({', '.join(GOLD_TYPES)})."
    return ""


def gold_quotes(record: dict) -> list[GoldQuote]:
    """A record's gold quotes, the parts sharing an ``attribution`` (or our
    own export's ``group``) together, any other item a quote alone. An item
    without a type is direct, as the seed loader has it.

    >>> [(q.parts, q.types) for q in gold_quotes({"text": "-" * 12, "quotes": [
    ...     {"start": 0, "end": 4, "attribution": "E1", "type": "mixed"},
    ...     {"start": 9, "end": 12, "type": "direct"},
    ...     {"start": 5, "end": 8, "attribution": "E1", "type": "direct"}]})]
    [(((0, 4), (5, 8)), ('partial', 'direct')), (((9, 12),), ('direct',))]
    """
    groups: dict[object, list[dict]] = {}
    for index, item in enumerate(record.get("quotes", [])):
        key = item.get("attribution", item.get("group"))
        groups.setdefault(("group", key) if key is not None else index, []).append(item)
    quotes = []
    for items in groups.values():
        speaker = next((i["speaker"] for i in items if i.get("speaker")), None)
        worded = next(
            (
                i
                for i in items
                if i.get("speaker")
                and type(i.get("speaker_start")) is int
                and type(i.get("speaker_end")) is int
            ),
            None,
        )
        parts = [
            (part, GOLD_TYPES[i.get("type", DIRECT)])
            for i in items
            for part in (
                _quoted_words(record["text"], i["start"], i["end"])
                if i.get("type") == "mixed"
                else [(i["start"], i["end"])]
            )
        ]
        quotes.append(
            GoldQuote(
                parts=tuple(part for part, _ in parts),
                types=tuple(kind for _, kind in parts),
                speaker=speaker,
                speaker_words=(
                    (worded["speaker_start"], worded["speaker_end"]) if worded else None
                ),
            )
        )
    return quotes


def _quoted_words(text: str, start: int, end: int) -> list[Span]:
    """The quoted words of a mixed part ``text[start:end]``, as the seed
    and the suggester take a partial quote; the whole part if it quotes
    nothing.

    >>> _quoted_words("He said it was “a disaster” and “a mess”.", 11, 40)
    [(16, 26), (33, 39)]
    """
    found = find_quoted(text[start:end])
    return [(start + s, start + e) for quote in found for s, e in quote.parts] or [
        (start, end)
    ]


def gold_mentions(record: dict) -> list[Span]:
    return [
        (m["start"], m["end"])
        for entity in record.get("entities", [])
        for m in entity.get("mentions", [])
    ]


# Splitting -------------------------------------------------------------------


def is_held_out(record_id: str) -> bool:
    """Whether the article of this id is held out: one in five, by the
    sha256 of the id, so the split never changes and needs no list.

    >>> [n for n in range(10) if is_held_out(f"article-{n}")]
    [0, 4, 6]
    """
    digest = hashlib.sha256(str(record_id).encode("utf-8")).hexdigest()
    return int(digest, 16) % HELD_OUT_ONE_IN == 0


def in_split(record: dict, split: str) -> bool:
    """Whether a record belongs to ``split`` (``all``, ``develop`` or
    ``held-out``). A record without an ``id`` cannot be split and is always
    in.

    >>> in_split({"text": ""}, "held-out"), in_split({"id": "article-1"}, "all")
    (True, True)
    """
    if split not in SPLITS:
        raise ValueError(f"{split!r} is not a split ({', '.join(SPLITS)}).")
    if split == "all" or record.get("id") is None:
        return True
    return is_held_out(record["id"]) == (split == "held-out")


def parse_types(value: str) -> tuple[str, ...]:
    """Quote types from a comma list, in our order; ``mixed`` is ``partial``.

    >>> parse_types("indirect, mixed")
    ('partial', 'indirect')
    >>> parse_types("direkt")
    Traceback (most recent call last):
    ...
    ValueError: 'direkt' is not a quote type: use direct, partial, indirect.
    """
    chosen = set()
    for word in value.split(","):
        word = word.strip().lower()
        if word not in GOLD_TYPES:
            raise ValueError(f"{word!r} is not a quote type: use {', '.join(TYPES)}.")
        chosen.add(GOLD_TYPES[word])
    return tuple(t for t in TYPES if t in chosen)


# The gazetteer ---------------------------------------------------------------


def gold_entities(records: Iterable[dict]) -> Names:
    """The names and aliases of the gold files' own entities, for a gazetteer."""
    names = []
    for record in records:
        for entity in record.get("entities", []):
            entry = GazetteerEntry(
                ("gold", normalize_name(entity["name"])),
                entity["name"],
                entity.get("kind", "OTHER"),
            )
            for name in [entity["name"], *entity.get("aliases", [])]:
                names.append((name, entry))
    return names


def gazetteer_names(records: Sequence[dict], *, with_gold_entities: bool) -> Names:
    """The entity table's names and aliases, and the gold's on request."""
    names = list(table_names())
    if with_gold_entities:
        names += gold_entities(records)
    return names


@dataclass(frozen=True)
class GazetteerSize:
    """How much the suggester knew: entities, and their names and aliases.

    >>> e = GazetteerEntry(1, "Haider al-Abadi", "PERSON")
    >>> GazetteerSize.of([("Haider al-Abadi", e), ("Abadi", e), ("ABADI", e)])
    GazetteerSize(entities=1, names=2)
    """

    entities: int
    names: int

    @classmethod
    def of(cls, names: Names) -> GazetteerSize:
        return cls(
            entities=len({entry.key for _, entry in names}),
            names=len({(normalize_name(n), entry.key) for n, entry in names}),
        )


# The run ---------------------------------------------------------------------


@dataclass
class Report:
    records: int = 0
    types: tuple[str, ...] = TYPES
    split: str = "all"
    gazetteer: GazetteerSize = GazetteerSize(0, 0)
    model: str | None = None
    # None when no record lists its entities: nothing to score mentions on.
    mentions_exact: Score | None = None
    mentions_overlap: Score | None = None
    # One row per chosen type, and "all" for the chosen types together.
    rows: dict[str, TypeScores] = field(default_factory=dict)
    # Suggested quoted words that no gold part touches, by what they look
    # like (see ``not_quote_kind``).
    not_quotes: Counter[str] = field(default_factory=Counter)

    def add(self, other: Report) -> None:
        self.records += other.records
        if other.mentions_exact is not None:
            self.mentions_exact = (self.mentions_exact or NO_SCORE) + (
                other.mentions_exact
            )
            self.mentions_overlap = (self.mentions_overlap or NO_SCORE) + (
                other.mentions_overlap or NO_SCORE
            )
        for key, row in other.rows.items():
            self.rows[key] = self.rows.get(key, TypeScores()) + row
        self.not_quotes.update(other.not_quotes)

    def as_dict(self) -> dict:
        mentions = None
        if self.mentions_exact is not None and self.mentions_overlap is not None:
            mentions = {
                "exact": self.mentions_exact.as_dict(),
                "overlap": self.mentions_overlap.as_dict(),
            }
        return {
            "records": self.records,
            "split": self.split,
            "types": list(self.types),
            "gazetteer": {
                "entities": self.gazetteer.entities,
                "names": self.gazetteer.names,
            },
            "model": self.model,
            "mentions": mentions,
            "quotes": {key: row.as_dict() for key, row in self.rows.items()},
            "not_quotes": {kind: self.not_quotes[kind] for kind in NOT_QUOTE_KINDS},
        }

    def as_text(self) -> str:
        header = (
            f"{'':32} {'P':>6} {'R':>6} {'F1':>6} {'TP':>6} {'found':>6} {'gold':>6}"
        )

        def score_line(label: str, score: Score) -> str:
            return (
                f"{label:32} {score.precision:6.3f} {score.recall:6.3f} "
                f"{score.f1:6.3f} {score.tp:6} {score.predicted:6} {score.gold:6}"
            )

        lines = [header]
        if self.mentions_exact is None or self.mentions_overlap is None:
            lines.append("mentions: no gold entities")
        else:
            lines.append(score_line("mentions, exact", self.mentions_exact))
            lines.append(score_line("mentions, overlap ≥ 0.5", self.mentions_overlap))
        for key, row in self.rows.items():
            if key == "all" and self.types != TYPES:
                lines.append(f"all chosen types ({', '.join(self.types)})")
            else:
                lines.append(ROW_LABELS[key])
            lines.append(score_line("  parts, overlap ≥ 0.5", row.parts_overlap))
            lines.append(score_line("  parts, exact", row.parts_exact))
            lines.append(score_line("  quotes, overlap ≥ 0.5", row.quotes_overlap))
            lines.extend(_speaker_lines(row.speakers))
        if self.not_quotes:
            kinds = ", ".join(
                f"{NOT_QUOTE_KINDS[kind]} {self.not_quotes[kind]}"
                for kind in NOT_QUOTE_KINDS
            )
            lines.append(
                f"quoted words suggested that no gold part touches "
                f"({self.not_quotes.total()}): {kinds}"
            )
        return "\n".join(lines)


ROW_LABELS = {
    DIRECT: "direct",
    PARTIAL: "partial (gold mixed)",
    INDIRECT: "indirect",
    "all": "all types together",
}


def _speaker_lines(speakers: Speakers) -> list[str]:
    def line(label: str, count: int, note: str = "") -> str:
        if not speakers.judged:
            return f"  {label:30} {'n/a':>6} (no matched quote has a gold speaker)"
        return (
            f"  {label:30} {speakers.share(count):6.3f} "
            f"({count} of {speakers.judged} matched quotes{note})"
        )

    lines = []
    if speakers.worded:
        lines.append(
            line(
                "speakers, strict or same words",
                speakers.credited,
                f"; {speakers.worded} with gold speaker words",
            )
        )
    lines.append(line("speakers, strict", speakers.strict))
    lines.append(line("speakers, surname only", speakers.surname_only))
    return lines


def score_record(
    record: dict,
    found: Suggestions,
    gazetteer: Gazetteer,
    *,
    types: Sequence[str] = TYPES,
) -> Report:
    """One record's figures for what the suggester ``found`` in its text:
    a row per type in ``types``, suggestions of that type against gold of
    that type, and an "all" row, ``types`` together against each other."""
    report = Report(records=1, types=tuple(types))
    if "entities" in record:
        gold_spans = gold_mentions(record)
        spans = [(m.start, m.end) for m in found.mentions]
        report.mentions_exact = _score(spans, gold_spans)
        report.mentions_overlap = _score(spans, gold_spans, min_overlap=MIN_OVERLAP)

    def judge(gold: GoldQuote, predicted: FoundQuote) -> Verdict:
        return judge_speaker(
            gold,
            predicted,
            gazetteer=gazetteer,
            mentions=found.mentions,
            quotes=found.quotes,
        )

    gold = gold_quotes(record)
    report.not_quotes = not_quotes(record, found)
    for key, chosen in [*((t, (t,)) for t in types), ("all", tuple(types))]:
        report.rows[key] = score_quotes(
            [q for q in found.quotes if q.type in chosen],
            [q for q in (g.of_types(chosen) for g in gold) if q is not None],
            judge,
        )
    return report


NOT_QUOTE_KINDS = {
    "headline": "in a headline",
    "caption": "in a caption",
    "title": "titles of works",
    "nickname": "nicknames",
    "scare": "scare quotes",
    "other": "other",
}


def not_quotes(record: dict, found: Suggestions) -> Counter[str]:
    """The suggester's quoted words (direct and partial quotes' parts)
    that no gold part of any type touches, by ``not_quote_kind``."""
    gold = [(q["start"], q["end"]) for q in record.get("quotes", [])]
    return Counter(
        not_quote_kind(record["text"], part)
        for quote in found.quotes
        if quote.type in {DIRECT, PARTIAL}
        for part in quote.parts
        if not any(_meets(part, span) for span in gold)
    )


def not_quote_kind(text: str, part: Span) -> str:
    """What the quoted words ``part`` of ``text`` look like, when they are
    no one's words: in the headline (the text's first line); in a caption
    (a short paragraph that ends with no full stop); the title of a work
    (two words or more, each long one capitalised); a nickname (a
    capitalised word or three between two: Donald “The Donald” Trump); a
    scare quote (three words or fewer); else other.

    >>> text = "Watching “Jaws” Again\\nShe called it “The Big Fish Story” and “dumb”."
    >>> [not_quote_kind(text, span) for span in [(10, 14), (37, 55), (62, 66)]]
    ['headline', 'title', 'scare']
    >>> text = "Riots.\\nDonald “The Donald” Trump spoke at length here today."
    >>> not_quote_kind(text, (15, 25))
    'nickname'
    """
    start, end = part
    paragraph_start = text.rfind("\n", 0, start) + 1
    if paragraph_start == 0:
        return "headline"
    paragraph_end = text.find("\n", end)
    paragraph = text[paragraph_start : None if paragraph_end < 0 else paragraph_end]
    bare = paragraph.rstrip().rstrip(CLOSING_MARKS)
    if len(paragraph.split()) <= 12 and not bare.endswith((".", "?", "!")):
        return "caption"
    words = text[start:end].rstrip(".,;:?!").split()
    long_words = [w for w in words if len(w) > 3]
    capitalised = long_words and all(w[0].isupper() for w in long_words)
    if len(words) <= 3 and capitalised:
        before = text[max(paragraph_start, start - 30) : start - 1].split()
        after = text[end + 1 : end + 30].split()
        if before and after and before[-1][:1].isupper() and after[0][:1].isupper():
            return "nickname"
    if len(words) >= 2 and capitalised:
        return "title"
    return "scare" if len(words) <= 3 else "other"


CLOSING_MARKS = "".join(CLOSE_DOUBLE | CLOSE_SINGLE | AMBIGUOUS.keys())


def evaluate(
    records: Iterable[dict],
    gazetteer: Gazetteer,
    *,
    types: Sequence[str] = TYPES,
    model: spacy.language.Language | None = None,
) -> Report:
    total = Report(types=tuple(types))
    for record in records:
        found = detect(record["text"], gazetteer, model=model)
        total.add(score_record(record, found, gazetteer, types=types))
    return total


def run(
    records: Sequence[dict],
    *,
    with_gold_entities: bool = False,
    types: Sequence[str] = TYPES,
    split: str = "all",
) -> Report:
    """Evaluate the records of ``split`` with the entity table's gazetteer
    (and the gold's entities on request) and the configured model, the
    report saying which of each."""
    chosen = [record for record in records if in_split(record, split)]
    names = gazetteer_names(chosen, with_gold_entities=with_gold_entities)
    report = evaluate(
        chosen,
        Gazetteer(names),
        types=types,
        model=configured_model(),
    )
    report.split = split
    report.gazetteer = GazetteerSize.of(names)
    report.model = model_name() or None
    return report
