"""How good the suggestions are, against gold files in the seed's JSONL shape.

The suggester runs on each record's own ``text`` (its article need not be
stored), with the entity table as its gazetteer and, on request, the gold's
own entities too. Scores are micro-averaged over all records:

- mentions, exact: same start and end; overlap: they share at least half of
  the longer of the two (each gold mention matched once);
- quotes: each part of a suggested quote against each gold quote, by the
  same overlap rule and by exact boundaries;
- speakers: of the quote pairs matched by overlap, the share whose speaker
  is the gold one: the same entity, the same name once normalised, or the
  same surname.

The arithmetic is in small pure functions, tested by hand-made examples.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotations.suggest.detect import detect
from annotations.suggest.gazetteer import Gazetteer, GazetteerEntry
from annotations.suggest.results import flatten
from annotations.suggest.store import table_names
from newsreader.text import normalize_name

MIN_OVERLAP = 0.5


class GoldFileError(ValueError):
    """A gold file that cannot be read; the message says where and why."""


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


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Characters the spans share, as a share of the longer one.

    >>> overlap((0, 10), (5, 10)), overlap((0, 10), (10, 20))
    (0.5, 0.0)
    """
    shared = min(a[1], b[1]) - max(a[0], b[0])
    longer = max(a[1] - a[0], b[1] - b[0])
    return max(shared, 0) / longer if longer > 0 else 0.0


def match(
    predicted: Sequence[tuple[int, int]],
    gold: Sequence[tuple[int, int]],
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
        where = {span: i for i, span in reversed(list(enumerate(gold)))}
        pairs, used = [], set()
        for i, span in enumerate(predicted):
            j = where.get(span)
            if j is not None and j not in used:
                pairs.append((i, j))
                used.add(j)
        return pairs
    candidates = sorted(
        (
            (-overlap(p, g), i, j)
            for i, p in enumerate(predicted)
            for j, g in enumerate(gold)
            if p[0] < g[1] and g[0] < p[1]
        ),
    )
    pairs, left, right = [], set(), set()
    for negative, i, j in candidates:
        if -negative < min_overlap or i in left or j in right:
            continue
        pairs.append((i, j))
        left.add(i)
        right.add(j)
    return sorted(pairs)


def same_person(
    gold_name: str,
    predicted_name: str,
    *,
    gold_entry: GazetteerEntry | None = None,
    predicted_entry: GazetteerEntry | None = None,
) -> bool:
    """Whether two speakers are the same: one entity, one normalised name,
    or one surname.

    >>> same_person("Feridun Sinirlioğlu", "SINIRLIOGLU")
    True
    >>> same_person("Ilya Rogachev", "Rogachyov")
    False
    """
    if gold_entry and predicted_entry and gold_entry.key == predicted_entry.key:
        return True
    gold_key, predicted_key = normalize_name(gold_name), normalize_name(predicted_name)
    if not gold_key or not predicted_key:
        return False
    return (
        gold_key == predicted_key or gold_key.split()[-1] == predicted_key.split()[-1]
    )


@dataclass
class Report:
    records: int = 0
    mentions_exact: Score = field(default_factory=lambda: Score(0, 0, 0))
    mentions_overlap: Score = field(default_factory=lambda: Score(0, 0, 0))
    quotes_overlap: Score = field(default_factory=lambda: Score(0, 0, 0))
    quotes_exact: Score = field(default_factory=lambda: Score(0, 0, 0))
    speakers_right: int = 0
    speakers_judged: int = 0

    @property
    def speaker_accuracy(self) -> float:
        return (
            self.speakers_right / self.speakers_judged if self.speakers_judged else 0.0
        )

    def as_dict(self) -> dict:
        return {
            "records": self.records,
            "mentions_exact": self.mentions_exact.as_dict(),
            "mentions_overlap": self.mentions_overlap.as_dict(),
            "quotes_overlap": self.quotes_overlap.as_dict(),
            "quotes_exact": self.quotes_exact.as_dict(),
            "speakers": {
                "accuracy": round(self.speaker_accuracy, 4),
                "right": self.speakers_right,
                "judged": self.speakers_judged,
            },
        }

    def as_text(self) -> str:
        rows = [
            ("mentions, exact", self.mentions_exact),
            ("mentions, overlap ≥ 0.5", self.mentions_overlap),
            ("quotes, overlap ≥ 0.5", self.quotes_overlap),
            ("quotes, exact", self.quotes_exact),
        ]
        lines = [
            f"{'':24} {'P':>6} {'R':>6} {'F1':>6} {'TP':>6} {'found':>6} {'gold':>6}"
        ]
        for label, score in rows:
            lines.append(
                f"{label:24} {score.precision:6.3f} {score.recall:6.3f} "
                f"{score.f1:6.3f} {score.tp:6} {score.predicted:6} {score.gold:6}"
            )
        lines.append(
            f"{'speakers, on matched':24} {self.speaker_accuracy:6.3f} "
            f"({self.speakers_right} of {self.speakers_judged} quotes)"
        )
        return "\n".join(lines)


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
        records.append(record)
    return records


def gold_entities(records: Iterable[dict]) -> list[tuple[str, GazetteerEntry]]:
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


def build_gazetteer(records: Sequence[dict], *, with_gold_entities: bool) -> Gazetteer:
    names = list(table_names())
    if with_gold_entities:
        names += gold_entities(records)
    return Gazetteer(names)


def evaluate_record(record: dict, gazetteer: Gazetteer) -> Report:
    text = record["text"]
    found = detect(text, gazetteer)
    report = Report(records=1)

    gold_mentions = [
        (m["start"], m["end"])
        for entity in record.get("entities", [])
        for m in entity.get("mentions", [])
    ]
    predicted_mentions = [(m.start, m.end) for m in found.mentions]
    report.mentions_exact = _score(predicted_mentions, gold_mentions)
    report.mentions_overlap = _score(
        predicted_mentions, gold_mentions, min_overlap=MIN_OVERLAP
    )

    gold_quotes = record.get("quotes", [])
    gold_spans = [(q["start"], q["end"]) for q in gold_quotes]
    parts = flatten(found.quotes)
    predicted_spans = [(start, end) for start, end, _ in parts]
    report.quotes_exact = _score(predicted_spans, gold_spans)
    pairs = match(predicted_spans, gold_spans, min_overlap=MIN_OVERLAP)
    report.quotes_overlap = Score(len(pairs), len(predicted_spans), len(gold_spans))
    for i, j in pairs:
        gold_speaker = gold_quotes[j].get("speaker")
        if not gold_speaker:
            continue
        quote = parts[i][2]
        report.speakers_judged += 1
        if quote.speaker_name and same_person(
            gold_speaker,
            quote.speaker_name,
            gold_entry=gazetteer.lookup(gold_speaker),
            predicted_entry=quote.speaker,
        ):
            report.speakers_right += 1
    return report


def _score(predicted, gold, *, min_overlap: float | None = None) -> Score:
    return Score(
        len(match(predicted, gold, min_overlap=min_overlap)), len(predicted), len(gold)
    )


def evaluate(records: Iterable[dict], gazetteer: Gazetteer) -> Report:
    total = Report()
    for record in records:
        one = evaluate_record(record, gazetteer)
        total.records += 1
        for name in (
            "mentions_exact",
            "mentions_overlap",
            "quotes_overlap",
            "quotes_exact",
        ):
            setattr(total, name, getattr(total, name) + getattr(one, name))
        total.speakers_right += one.speakers_right
        total.speakers_judged += one.speakers_judged
    return total
