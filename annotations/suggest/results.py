"""What detection finds, as the stages hand it on and ``store`` writes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotations.suggest.gazetteer import GazetteerEntry


PERSON, ORG, PLACE, OTHER = "PERSON", "ORG", "PLACE", "OTHER"
RULES, MODEL = "rules", "model"
DIRECT, PARTIAL, INDIRECT = "direct", "partial", "indirect"


class SuggestError(Exception):
    """The suggester cannot run as configured; the message says why."""


@dataclass
class FoundMention:
    start: int
    end: int
    text: str
    # None for a name the entity table lacks: ``name`` and ``kind`` then
    # describe the entity to propose.
    entity: GazetteerEntry | None
    name: str
    kind: str
    origin: str = RULES

    @property
    def is_new(self) -> bool:
        return self.entity is None


@dataclass
class FoundQuote:
    parts: list[tuple[int, int]]
    type: str
    cue: tuple[int, int] | None
    # The mention naming the speaker next to the cue, when there is one.
    speaker_mention: FoundMention | None
    # Who spoke: the mention's entity, a pronoun's antecedent, or a new name.
    speaker: GazetteerEntry | None
    speaker_name: str
    confidence: float
    # The words naming the speaker by the cue, a pronoun's or a role's too.
    speaker_words: tuple[int, int] | None = None
    # The mention elsewhere that names the speaker a pronoun, a role or a
    # quote carried on from the one before stands for: a new person's only
    # link to the quote.
    antecedent: FoundMention | None = None


@dataclass
class Suggestions:
    mentions: list[FoundMention] = field(default_factory=list)
    quotes: list[FoundQuote] = field(default_factory=list)


def flatten(quotes: Sequence[FoundQuote]) -> list[tuple[int, int, FoundQuote]]:
    """Each part of each quote, with its quote."""
    return [(start, end, quote) for quote in quotes for start, end in quote.parts]
