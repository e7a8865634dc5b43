"""Tokens, sentences and paragraphs: the ``Article`` every stage reads and marks."""

from __future__ import annotations

import bisect
import re
from functools import cache, cached_property
from typing import TYPE_CHECKING

import numpy as np
import spacy
from spacy.attrs import IDX, IS_PUNCT, LENGTH, NORM, ORTH
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc, Token

from annotations.suggest.lexicon import PARAGRAPHS
from annotations.suggest.results import ORG, PERSON, FoundMention
from newsreader.text import normalize_name

_LETTER_OR_DIGIT = re.compile(r"[^\W_]")

if TYPE_CHECKING:
    from annotations.suggest.gazetteer import Gazetteer


def _token_norm(text: str) -> str:
    return normalize_name(text) or text


@cache
def pipeline() -> spacy.language.Language:
    """The blank English pipeline, built once per process: its tokenizer
    alone (see ``_sentence_starts`` for sentences).

    Each word's NORM is its ``normalize_name`` form (casefolded, accents
    and curly apostrophes folded), computed once per distinct word (spaCy
    caches lexemes), so the matchers below compare names without regard to
    case or accents at C speed.
    """
    nlp = spacy.blank("en")
    nlp.vocab.lex_attr_getters[NORM] = _token_norm
    for lexeme in nlp.vocab:
        lexeme.norm_ = _token_norm(lexeme.orth_)
    # The tokenizer caches how it split each chunk, 10,000 by default: too
    # few for news, whose chunks carry punctuation ("said.", "“We").
    nlp.tokenizer.max_cache_size = 200_000
    return nlp


@cache
def pattern_tokenizer():
    """A second tokenizer on the same vocabulary, for entity names: tokenising
    100,000 names with the first would fill its cache with names and leave
    no room for article text (ten times slower)."""
    return spacy.blank("en", vocab=pipeline().vocab).tokenizer


@cache
def _sentence_end_orths() -> np.ndarray:
    vocab = pipeline().vocab
    return np.array(
        sorted(vocab.strings.add(char) for char in Sentencizer.default_punct_chars),
        dtype=np.uint64,
    )


def _sentence_starts(orths: np.ndarray, is_punct: np.ndarray) -> list[int]:
    """The tokens that start sentences, as spaCy's sentencizer finds them
    but without its Python loop over every token (a quarter of detection).

    A sentence starts at the first word (a token neither punctuation nor a
    sentence-ending mark) after a sentence-ending mark: in ``Mr. Okafor
    left. “We won,” she said`` that is ``We``, not the quotation mark, and
    ``Mr.`` is one token that ends nothing.
    """
    if not len(orths):
        return [0]
    marks = _sentence_end_orths()
    # Membership by binary search: np.isin sorts both arrays, ten times slower.
    ends = marks[np.searchsorted(marks, orths).clip(max=len(marks) - 1)] == orths
    words = np.flatnonzero(~(ends | is_punct.astype(bool)))
    # Sentence ends before each word; a word starts a sentence when one
    # stands between it and the word before.
    ends_before = np.concatenate(([0], np.cumsum(ends)))[words]
    starts = words[np.diff(ends_before, prepend=0) > 0]
    return [0, *starts[starts > 0].tolist()]


def is_name_token(text: str) -> bool:
    return text[:1].isupper() and any(c.isalpha() for c in text)


def tokenize(text: str) -> Doc:
    # Newlines become spaces of the same length, so offsets hold: spaCy
    # tokenises a word with a newline in it ten times slower. Paragraphs are
    # read from the text itself.
    return pipeline().make_doc(text.replace("\n", " "))


class Article:
    """One text and its tokens (from ``tokenize``), with what the passes
    below share."""

    def __init__(
        self, text: str, doc: Doc, gazetteer: Gazetteer, parsed: Doc | None = None
    ) -> None:
        self.text = text
        self.gazetteer = gazetteer
        self.doc = doc
        # The language model's analysis of these tokens less the spaces
        # (``detect.parse_all``), when one ran; ``aligned`` maps it back.
        self.parsed = parsed
        array = doc.to_array([IDX, LENGTH, NORM, ORTH, IS_PUNCT])
        self.starts = array[:, 0].tolist()
        self.ends = (array[:, 0] + array[:, 1]).tolist()
        self.norm_array = array[:, 2]
        self.norms = self.norm_array.tolist()
        self.sentence_starts = _sentence_starts(array[:, 3], array[:, 4])
        # Paragraph breaks: where each ends, and where the next one starts.
        breaks = list(PARAGRAPHS.finditer(text))
        self.breaks = [m.start() for m in breaks]
        self.paragraph_starts = [m.end() for m in breaks]
        # Each paragraph's number, counting only those with a word in them:
        # a line of "." or "___" between two quotes does not part them.
        numbers, number = [], -1
        for start, end in zip(
            [0, *self.paragraph_starts], [*self.breaks, len(text)], strict=True
        ):
            number += bool(_LETTER_OR_DIGIT.search(text, start, end))
            numbers.append(number)
        self.paragraph_numbers = numbers
        self.mentions: list[FoundMention] = []
        self.mention_at_end: dict[int, FoundMention] = {}  # last token -> mention
        self.mention_at_start: dict[int, FoundMention] = {}
        # One flag a token: inside a mention; inside a quote, marks included.
        self.taken = bytearray(len(self.doc))
        self.quoted = bytearray(len(self.doc))
        # Mentions outside quotes, by position, for pronouns to look back on.
        self.people: list[tuple[int, FoundMention]] = []
        self.orgs: list[tuple[int, FoundMention]] = []
        # Who spoke, by where the cue starts, as quotes are attributed.
        self.said: list[tuple[int, FoundMention]] = []

    # Offsets --------------------------------------------------------------

    def token_at(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.starts, char) - 1)

    def span_text(self, first: int, last: int) -> str:
        return self.text[self.starts[first] : self.ends[last]]

    def paragraph_bounds(self, char: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.breaks, char)
        start = 0 if index == 0 else self.paragraph_starts[index - 1]
        end = self.breaks[index] if index < len(self.breaks) else len(self.text)
        return start, end

    def paragraph_number(self, char: int) -> int:
        """Which paragraph holds ``char``, among those with words."""
        return self.paragraph_numbers[bisect.bisect_right(self.breaks, char)]

    def previous_paragraph_start(self, char: int) -> int:
        index = bisect.bisect_right(self.breaks, char)
        return 0 if index < 2 else self.paragraph_starts[index - 2]

    def sentence_bounds(self, token: int) -> tuple[int, int]:
        """Token range of the sentence holding ``token``, within its paragraph."""
        index = bisect.bisect_right(self.sentence_starts, token) - 1
        first = self.sentence_starts[index]
        last = (
            self.sentence_starts[index + 1]
            if index + 1 < len(self.sentence_starts)
            else len(self.doc)
        )
        para_start, para_end = self.paragraph_bounds(self.starts[token])
        while first < token and self.starts[first] < para_start:
            first += 1
        while last > token + 1 and self.starts[last - 1] >= para_end:
            last -= 1
        return first, last

    def aligned(self, parsed: int) -> int:
        """The token that the parse's token ``parsed`` is: the model reads
        these tokens less those of spaces (``detect.model_input``)."""
        return self._words[parsed]

    def parsed_token(self, token: int) -> Token:
        """The parse's token for the article's ``token`` (not a space)."""
        return self.parsed[bisect.bisect_left(self._words, token)]

    @cached_property
    def _words(self) -> list[int]:
        # Only with a parse: the rules alone never need it.
        return [i for i, token in enumerate(self.doc) if not token.is_space]

    # Mentions -------------------------------------------------------------

    def add_mention(self, first: int, last: int, mention: FoundMention) -> None:
        self.mentions.append(mention)
        self.mention_at_end[last] = mention
        self.mention_at_start[first] = mention
        self.taken[first : last + 1] = b"\x01" * (last + 1 - first)

    def remove_mention(self, first: int, last: int, mention: FoundMention) -> None:
        self.mentions.remove(mention)
        del self.mention_at_end[last]
        del self.mention_at_start[first]
        self.taken[first : last + 1] = bytes(last + 1 - first)

    def mention_over(self, i: int) -> FoundMention | None:
        """The mention holding token ``i``, if one does."""
        j = i
        while j >= 0 and self.taken[j]:
            mention = self.mention_at_start.get(j)
            if mention is not None:
                return mention if self.token_at(mention.end - 1) >= i else None
            j -= 1
        return None

    def add_person(self, first: int, last: int, mention: FoundMention) -> None:
        """A person's mention found after ``index_people``: pronouns and
        surnames further on may point back to it."""
        self.add_mention(first, last, mention)
        bisect.insort(self.people, (mention.start, mention), key=lambda p: p[0])

    def add_speaker(self, char: int, mention: FoundMention) -> None:
        """Who spoke at the cue at ``char``: a pronoun further on may be them."""
        bisect.insort(self.said, (char, mention), key=lambda s: s[0])

    def index_people(self) -> None:
        self.people = sorted(
            (m.start, m)
            for m in self.mentions
            if m.kind == PERSON and not self.quoted[self.token_at(m.start)]
        )
        self.orgs = sorted(
            (m.start, m)
            for m in self.mentions
            if m.kind == ORG and not self.quoted[self.token_at(m.start)]
        )

    def last_before(self, char: int, kind: str) -> FoundMention | None:
        found = self.people if kind == PERSON else self.orgs
        index = bisect.bisect_left(found, (char,), key=lambda item: (item[0],))
        return found[index - 1][1] if index else None
