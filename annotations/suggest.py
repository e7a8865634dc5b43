"""Machine suggestions: entity mentions, quotes and their speakers.

Two halves. ``find_suggestions(text, gazetteer)`` is pure detection: a spaCy
blank English tokenizer (no model download), sentences ended as spaCy's
sentencizer ends them, a PhraseMatcher over every entity name and alias,
quotation marks read by a small state machine, cue words and speakers found
next to them. It returns code point offsets into ``text`` and touches no
database, so ``evaluate`` can run it on gold files whose articles are not
stored.

``suggest_article(article=...)`` stores what it finds as spans with status
``suggested``, no review and origin ``rules`` (or ``model``), with their
mentions and quotes, replacing the article's earlier suggestions that no one
has acted on. A speaker missing from the entity table is proposed as a new
PERSON entity with status ``suggested``.

Matching ignores case and accents ("SINIRLIOGLU" finds Feridun
Sinirlioğlu), except that an all-lowercase word never matches a capitalised
name ("turkey" the bird, "us" the pronoun) and an acronym only matches in
capitals.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import re
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import spacy
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from spacy.attrs import IDX, IS_PUNCT, LENGTH, NORM, ORTH
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from annotations.models import Mention, Quote, Span
from annotations.spans import quote_selector
from newsreader.models import Alias, Entity
from newsreader.text import normalize_name


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PERSON, ORG, PLACE, OTHER = "PERSON", "ORG", "PLACE", "OTHER"
RULES, MODEL = "rules", "model"
DIRECT, PARTIAL, INDIRECT = "direct", "partial", "indirect"

# Reporting verbs and phrases. Only these, outside quotation marks, make a
# quote's attribution.
CUES = sorted(
    _words(
        "said says say saying told tells tell telling added adds adding asked asks "
        "asking warned warns insisted insists insisting stated explained explains "
        "explaining noted notes noting claimed argued argues replied replies wrote "
        "writes declared declares stressed stresses continued recalled recalls "
        "acknowledged admitted admits urged urges commented remarked responded "
        "observed concluded confirmed confirms announced announces tweeted posted "
        "reported suggested called calling calls dubbed branded described "
        "describing describes"
    )
) + ["according to", "went on", "went on to say"]
# Reported speech without marks counts only with a plain speech verb and a
# clause after it; "announced that" and the like report events, not words.
INDIRECT_CUES = _words(
    "said says told tells added adds warned warns insisted insists stated "
    "explained explains noted notes claimed argued argues stressed stresses "
    "admitted acknowledged"
)
# Cues whose speaker stands before them ("Abadi told France 24 ...").
SUBJECT_ONLY_CUES = frozenset({"told", "tells", "tell", "telling"})
# Cues whose speaker follows them ("according to the minister").
OBJECT_CUES = frozenset({"according to"})
# Cues that say what their object is ("called the closure “reckless”"): they
# attribute only a quote after their object, in their clause, since most
# uses ("a town called Marion") quote no one.
NAMING_CUES = _words(
    "called calling calls dubbed branded described describing describes"
)
# Words that open another clause: a cue after one of them, after the quote,
# reports other words ("Fans chanted “…” although the chairman said ...").
CLAUSE_BREAKS = frozenset({"although", "while", "whereas", "but", "which"})
# Words joining a second verb to its sentence's subject ("… and said").
COORDINATORS = frozenset({"and", "but"})
CLAUSE_STARTERS = frozenset({"he", "she", "it", "they", "we", "there", "i"})
# Words before a cue that deny the speech ("would not say", "declined to
# say whether"): the cue reports nothing.
NEGATIONS = frozenset({"not", "n't", "never"})
REFUSALS = _words("declined declines declining refused refuses refusing")

PRONOUNS = {"he": PERSON, "she": PERSON, "they": ORG}
# What gives a person's gender in the text itself, for "he" and "she": a
# title just before the name, or the pronoun just after their cue.
GENDERS = {"he": "m", "she": "f"}
GENDERED_TITLES = dict.fromkeys(_words("mr sir lord king prince"), "m") | (
    dict.fromkeys(
        _words(
            "mrs ms miss dame lady queen princess spokeswoman chairwoman "
            "congresswoman councilwoman businesswoman"
        ),
        "f",
    )
)
ROLE_NOUNS = _words(
    "minister president premier chancellor spokesman spokeswoman spokesperson "
    "official officer general senator governor mayor secretary ambassador "
    "envoy diplomat chief director chairman chairwoman chair leader commander "
    "prosecutor judge lawyer attorney head executive founder ceo king queen "
    "prince pope bishop lawmaker legislator mp congressman congresswoman "
    "representative negotiator adviser advisor analyst economist researcher "
    "professor scientist doctor coach captain manager boss councilor councillor "
    "speaker sergeant owner"
)
DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "its"})
# Words before a name that belong to the title, not the name.
TITLE_WORDS = _words(
    "mr mr. mrs mrs. ms ms. dr dr. prof prof. sir dame lord lady rev rev. "
    "president prime minister foreign defence defense interior finance "
    "secretary general gen gen. lieutenant lt lt. colonel col col. major "
    "captain capt sergeant admiral senator sen sen. rep rep. representative "
    "governor gov gov. mayor chancellor king queen prince princess pope judge "
    "justice chief director spokesman spokeswoman spokesperson ambassador "
    "commissioner deputy vice state chairman chairwoman ceo coach officer "
    "former acting senior top councilor councillor city ward congresswoman "
    "congressman speaker leader sgt sgt. boss cllr cllr. councilman "
    "councilwoman alderman insp insp. inspector det det. detective supt supt. "
    "superintendent constable pc cmdr cmdr. commander financial operating "
    "executive"
)
# Abbreviated titles, by the role noun that names the same office.
TITLE_ROLES = {
    "sen": "senator",
    "gov": "governor",
    "rep": "representative",
    "gen": "general",
    "sgt": "sergeant",
    "capt": "captain",
    "prof": "professor",
    "dr": "doctor",
    "cllr": "councillor",
    "insp": "inspector",
    "det": "detective",
    "supt": "superintendent",
    "cmdr": "commander",
}
# How a demonym used as a noun ends: "the Spaniard", "the Irishman".
DEMONYM_ENDINGS = ("ian", "ean", "can", "ese", "man", "ard", "i")
POSSESSIVES = frozenset({"'s", "’s", "'", "’"})
NAME_PARTICLES = _words(
    "al el bin ibn bint abu de da di del della der den van von le la du dos das "
    "st st. mc"
)
# Capitalised words that stand before "said" and are not names.
NOT_NAMES = _words(
    "i he she it we they you this that these those there here who which what "
    "the a an officials official police witnesses analysts experts residents "
    "authorities critics sources reports observers others some many most "
    "several both all everyone someone nobody people government ministry "
    "spokesman spokeswoman spokesperson statement monday tuesday wednesday "
    "thursday friday saturday sunday january february march april may june "
    "july august september october november december but and or so then "
    "meanwhile however also later earlier yesterday today tonight "
    "diplomats lawmakers leaders officers troops soldiers doctors scientists "
    "researchers investigators prosecutors lawyers economists"
)

# The last word of an organisation's name, not a person's, or its first before
# "of" or "for" ("Department for Transport").
ORGANISATION_WORDS = _words(
    "authority agency ministry council party bank company group association "
    "institute university committee commission union federation corporation "
    "inc inc. ltd ltd. plc police army navy service office department board "
    "court organisation organization foundation fund trust society club "
    "airlines airways network league coalition alliance foods holdings "
    "corp corp. co co. llc college school hospital partners "
    "capital motors industries energy media"
)

# Words before a place or a body that is not the subject: "Students at
# Kirklees College", "Lena Ortiz of New Mexico".
PREPOSITIONS = _words("of for from at in with by near on inside outside")

# Capitalised at the start of a sentence, before a name.
LEADING_WORDS = _words(
    "on in at by for with from and but as after before when while if since "
    "until despite meanwhile however"
)

_MARKS = re.compile(r"[\"'“”„‟«»‘’‚‛‹›]")
_OPEN_DOUBLE = frozenset("“„‟«")
_CLOSE_DOUBLE = frozenset("”»")
_OPEN_SINGLE = frozenset("‘‚‛‹")
_CLOSE_SINGLE = frozenset("’›")
_PARAGRAPHS = re.compile(r"\n\s*")
_WORD = re.compile(r"\w", re.UNICODE)
_SENTENCE_END = frozenset(".!?")
# How the first part of a quote broken by its attribution ends: “We tried,”
_BROKEN_OFF = frozenset(",—–…:")
# What ends a sentence or a clause, outside quotation marks.
_CLAUSE_ENDS = frozenset({".", ";", ":", "!", "?"})
_CLAUSE_PUNCTUATION = _CLAUSE_ENDS | {","}
# What stands before the opening mark of a quote that is its own utterance.
_BEFORE_DIRECT = frozenset({",", ":", ";", "—", "–", "-", "(", ".", "!", "?"}) | (
    _CLOSE_DOUBLE | _CLOSE_SINGLE | {'"', "'"}
)
_AMBIGUOUS = {"'": "single", '"': "double"}
# What may stand right before an opening mark.
_BEFORE_OPENING = frozenset(" \n\t([{—–-/:")


class SuggestError(Exception):
    """The suggester cannot run as configured; the message says why."""


# --------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class GazetteerEntry:
    """One entity as the suggester knows it: ``key`` is its primary key (or,
    for a gold file's own entities, any hashable)."""

    key: Hashable
    name: str
    kind: str


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


@dataclass
class Suggestions:
    mentions: list[FoundMention] = field(default_factory=list)
    quotes: list[FoundQuote] = field(default_factory=list)


# --------------------------------------------------------------------------
# The pipeline and the gazetteer


def _token_norm(text: str) -> str:
    return normalize_name(text).replace("’", "'") or text


@cache
def pipeline() -> spacy.language.Language:
    """The blank English pipeline, built once per process: its tokenizer
    alone (see ``_sentence_starts`` for sentences).

    Each word's NORM is its casefolded, accent-free form, computed once per
    distinct word (spaCy caches lexemes), so the matchers below compare
    names without regard to case or accents at C speed.
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
def _pattern_tokenizer():
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


@cache
def _cue_matcher() -> tuple[PhraseMatcher, dict[int, str]]:
    """The matcher, and each cue by its match id."""
    nlp = pipeline()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for cue in CUES:
        matcher.add(cue, [nlp.make_doc(cue)])
    return matcher, {nlp.vocab.strings[cue]: cue for cue in CUES}


class Gazetteer:
    """Every entity name and alias, compiled into one PhraseMatcher.

    Building it over 100,000 names takes a few seconds: build it once and
    reuse it for every article (``gazetteer_from_db`` caches it).
    """

    def __init__(self, names: Iterable[tuple[str, GazetteerEntry]]) -> None:
        nlp = pipeline()
        self._by_key: dict[str, list[GazetteerEntry]] = {}
        self._forms: dict[str, set[str]] = {}
        patterns: dict[str, str] = {}
        for name, entry in names:
            name = " ".join(name.split())
            if not _WORD.search(name):
                continue
            patterns.setdefault(normalize_name(name), name)
            self._add(name, entry)
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        docs = list(_pattern_tokenizer().pipe(patterns.values(), batch_size=2000))
        # A match is read back by its tokens' norms (hashes), not its text.
        self._token_keys: dict[tuple[int, ...], str] = {
            tuple(doc.to_array(NORM).tolist()): normalize_name(doc.text) for doc in docs
        }
        if docs:
            self.matcher.add("ENTITY", docs)

    def _add(self, name: str, entry: GazetteerEntry) -> None:
        key = normalize_name(name)
        entries = self._by_key.setdefault(key, [])
        if entry not in entries:
            # The entity whose own name this is comes first.
            if normalize_name(entry.name) == key:
                entries.insert(0, entry)
            else:
                entries.append(entry)
        self._forms.setdefault(key, set()).add(name)

    def __len__(self) -> int:
        return len(self._by_key)

    def lookup(self, name: str) -> GazetteerEntry | None:
        entries = self._by_key.get(normalize_name(name))
        return entries[0] if entries else None

    def candidates(
        self, norms: tuple[int, ...]
    ) -> tuple[list[GazetteerEntry], set[str]]:
        key = self._token_keys.get(norms, "")
        return self._by_key.get(key, []), self._forms.get(key, set())

    @classmethod
    def from_entities(
        cls, entities: Iterable[tuple[GazetteerEntry, Iterable[str]]]
    ) -> Gazetteer:
        """From entries with their aliases: ``[(entry, ["Abadi"]), ...]``."""
        return cls(
            (name, entry)
            for entry, aliases in entities
            for name in [entry.name, *aliases]
        )


def _case_ok(surface: str, forms: set[str]) -> bool:
    """Whether a case-blind match keeps its case sense.

    >>> _case_ok("turkey", {"Turkey"}), _case_ok("TURKEY", {"Turkey"})
    (False, True)
    >>> _case_ok("Us", {"US"}), _case_ok("presstv", {"presstv"})
    (False, True)
    """
    if surface in forms:
        return True
    if surface.islower() and not any(form.islower() for form in forms):
        return False
    acronyms = [f for f in forms if f.isupper() and len(f.replace(".", "")) <= 5]
    return not (acronyms and len(acronyms) == len(forms) and not surface.isupper())


# --------------------------------------------------------------------------
# Quotation marks


@dataclass
class _RawQuote:
    # Content spans, one per paragraph, strictly between the marks.
    parts: list[tuple[int, int]]
    opening: int  # position of the first opening mark
    closing: int  # position of the last closing mark


def find_quoted(text: str) -> list[_RawQuote]:
    """Stretches of ``text`` between quotation marks, outermost only.

    Straight and curly marks; single marks inside double ones belong to the
    outer quote; an apostrophe (Turkey’s, don't) is not a mark. A quote whose
    paragraph ends before its closing mark goes on when the next paragraph
    opens with the same mark, as news style writes a quote of several
    paragraphs; otherwise it is dropped.

    >>> [text[s:e] for text in ['He said “it’s ‘odd’,” she said “no”']
    ...  for q in find_quoted(text) for s, e in q.parts]
    ['it’s ‘odd’,', 'no']
    """
    quotes: list[_RawQuote] = []
    # Open quotes, outermost first: (kind, position of the mark).
    stack: list[tuple[str, int]] = []
    parts: list[tuple[int, int]] = []  # earlier paragraphs of the outer quote
    first_opening = -1
    breaks = [m.start() for m in _PARAGRAPHS.finditer(text)]
    length = len(text)

    def paragraph_end(position: int) -> int:
        index = bisect.bisect_right(breaks, position)
        return breaks[index] if index < len(breaks) else length

    def content(start: int, end: int) -> tuple[int, int] | None:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return (start, end) if start < end else None

    current_paragraph_end = paragraph_end(0)
    for match in _MARKS.finditer(text):
        position = match.start()
        char = text[position]
        if position >= current_paragraph_end:
            # A paragraph break: a quote still open goes on only if this
            # paragraph opens with its mark again.
            if stack:
                kind, opened = stack[0]
                next_start = current_paragraph_end
                while next_start < length and text[next_start].isspace():
                    next_start += 1
                if position == next_start and _opens(text, position, kind):
                    part = content(opened + 1, current_paragraph_end)
                    if part:
                        parts.append(part)
                    stack = [(kind, position)]
                    current_paragraph_end = paragraph_end(position)
                    continue
                stack, parts = [], []
            current_paragraph_end = paragraph_end(position)
        before = text[position - 1] if position else " "
        after = text[position + 1] if position + 1 < length else " "
        if before.isalnum() and after.isalnum() and char in "'’":
            continue  # an apostrophe inside a word
        kind = _mark_kind(char)
        top = stack[-1][0] if stack else None
        closes = _closes(text, position, kind) and kind in {k for k, _ in stack}
        if closes:
            # Close the innermost quote of this kind; anything opened inside
            # it and left open was not a quote.
            while stack and stack[-1][0] != kind:
                stack.pop()
            _, opened = stack.pop()
            if not stack:
                part = content(opened + 1, position)
                all_parts = [*parts, part] if part else parts
                if all_parts:
                    quotes.append(
                        _RawQuote(
                            all_parts,
                            first_opening if parts else opened,
                            position,
                        )
                    )
                parts = []
            continue
        if _opens(text, position, kind) and not (top == kind and len(stack) == 1):
            if not stack:
                first_opening = position
            stack.append((kind, position))
    return quotes


def _mark_kind(char: str) -> str:
    if char in _OPEN_DOUBLE or char in _CLOSE_DOUBLE:
        return "double"
    if char in _OPEN_SINGLE or char in _CLOSE_SINGLE:
        return "single"
    return _AMBIGUOUS[char]


def _opens(text: str, position: int, kind: str) -> bool:
    char = text[position]
    if char in _CLOSE_DOUBLE or char in _CLOSE_SINGLE:
        return False
    before = text[position - 1] if position else " "
    after = text[position + 1] if position + 1 < len(text) else " "
    if after.isspace():
        return False
    if char in _OPEN_DOUBLE or char in _OPEN_SINGLE:
        return True
    # A straight mark opens after a space or an opening bracket or mark.
    return before in _BEFORE_OPENING or before in "“‘\"'"


def _closes(text: str, position: int, kind: str) -> bool:
    char = text[position]
    if char in _OPEN_DOUBLE or char in _OPEN_SINGLE:
        return False
    before = text[position - 1] if position else " "
    after = text[position + 1] if position + 1 < len(text) else " "
    if before.isspace() and char in "\"'":
        return False
    # A closing single mark followed by a letter is an apostrophe.
    return not (kind == "single" and after.isalnum())


# --------------------------------------------------------------------------
# Detection


def _tokenize(text: str) -> Doc:
    # Newlines become spaces of the same length, so offsets hold: spaCy
    # tokenises a word with a newline in it ten times slower. Paragraphs are
    # read from the text itself.
    return pipeline().make_doc(text.replace("\n", " "))


class _Article:
    """One text and its tokens (from ``_tokenize``), with what the passes
    below share."""

    def __init__(self, text: str, doc: Doc, gazetteer: Gazetteer) -> None:
        self.text = text
        self.gazetteer = gazetteer
        self.doc = doc
        array = doc.to_array([IDX, LENGTH, NORM, ORTH, IS_PUNCT])
        self.starts = array[:, 0].tolist()
        self.ends = (array[:, 0] + array[:, 1]).tolist()
        self.norm_array = array[:, 2]
        self.norms = self.norm_array.tolist()
        self.sentence_starts = _sentence_starts(array[:, 3], array[:, 4])
        # Paragraph breaks: where each ends, and where the next one starts.
        breaks = list(_PARAGRAPHS.finditer(text))
        self.breaks = [m.start() for m in breaks]
        self.paragraph_starts = [m.end() for m in breaks]
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

    # Mentions -------------------------------------------------------------

    def add_mention(self, first: int, last: int, mention: FoundMention) -> None:
        self.mentions.append(mention)
        self.mention_at_end[last] = mention
        self.mention_at_start[first] = mention
        self.taken[first : last + 1] = b"\x01" * (last + 1 - first)

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


def find_suggestions(
    text: str, gazetteer: Gazetteer, *, model: spacy.language.Language | None = None
) -> Suggestions:
    """Mentions and quotes in ``text``, with code point offsets into it.

    >>> g = Gazetteer.from_entities([(GazetteerEntry(1, "Ilya Rogachev", "PERSON"),
    ...                                ["Rogachyov"])])
    >>> found = find_suggestions("“We are unlikely to join,” Rogachyov said.", g)
    >>> [(m.text, m.name) for m in found.mentions]
    [('Rogachyov', 'Ilya Rogachev')]
    >>> [(q.parts, q.speaker_name, q.type) for q in found.quotes]
    [([(1, 25)], 'Ilya Rogachev', 'direct')]
    """
    return _find(_Article(text, _tokenize(text), gazetteer), model)


def _find_all(
    texts: Sequence[str], gazetteer: Gazetteer, model: spacy.language.Language | None
) -> list[Suggestions]:
    """``find_suggestions`` for each text, all tokenised first: 10% faster
    than one by one, as the tokenizer's tables then stay in the processor's
    caches rather than being pushed out by every text's rules."""
    docs = [_tokenize(text) for text in texts]
    return [
        _find(_Article(text, doc, gazetteer), model)
        for text, doc in zip(texts, docs, strict=True)
    ]


def _find(article: _Article, model: spacy.language.Language | None) -> Suggestions:
    text = article.text
    raw_quotes = find_quoted(text)
    for raw in raw_quotes:
        first = article.token_at(raw.opening)
        last = article.token_at(raw.closing)
        article.quoted[first : last + 1] = b"\x01" * (last + 1 - first)
    _match_entities(article)
    _match_surnames(article)
    if model is not None:
        _model_entities(article, model)
    article.index_people()
    cues = _find_cues(article)
    # Reported speech first: who speaks there ("Whitaker said she …") is
    # who a pronoun by a quote further on may stand for.
    indirect = _indirect(article, cues)
    quotes = _attribute(article, _join_split(article, raw_quotes, cues), cues)
    quotes += indirect
    quotes.sort(key=lambda q: q.parts[0])
    article.mentions.sort(key=lambda m: (m.start, m.end))
    return Suggestions(mentions=article.mentions, quotes=quotes)


def _match_entities(article: _Article) -> None:
    doc = article.doc
    matches = sorted(
        ((start, end) for _, start, end in article.gazetteer.matcher(doc)),
        key=lambda m: (m[0] - m[1], m[0]),
    )
    # Longest first; a match overlapping one already taken is dropped.
    chosen = []
    taken = bytearray(len(doc))
    for start, end in matches:
        if any(taken[start:end]):
            continue
        chosen.append((start, end))
        taken[start:end] = b"\x01" * (end - start)
    seen: set[Hashable] = set()
    for start, end in sorted(chosen):
        entries, forms = article.gazetteer.candidates(tuple(article.norms[start:end]))
        surface = article.span_text(start, end - 1)
        if not entries or not _case_ok(surface, forms):
            continue
        # An ambiguous name goes to the entity this article named already.
        if len(entries) == 1:
            entry = entries[0]
        else:
            entry = next((e for e in entries if e.key in seen), entries[0])
        seen.add(entry.key)
        article.add_mention(
            start,
            end - 1,
            FoundMention(
                article.starts[start],
                article.ends[end - 1],
                surface,
                entry,
                entry.name,
                entry.kind,
            ),
        )


def _surname_key(article: _Article, first: int, last: int) -> int | None:
    if last == first:
        return None
    text = article.span_text(last, last)
    if len(text) < 3 or not text[0].isupper():
        return None
    return article.norms[last]


def _match_surnames(article: _Article) -> None:
    """After "Sergei Kuralenko", a bare "Kuralenko" is him too."""
    surnames: dict[int, tuple[int, FoundMention]] = {}
    for mention in list(article.mentions):
        if mention.kind != PERSON or mention.entity is None:
            continue
        first, last = article.token_at(mention.start), article.token_at(mention.end - 1)
        key = _surname_key(article, first, last)
        if key and key not in surnames:
            surnames[key] = (mention.start, mention)
    if not surnames:
        return
    doc = article.doc
    keys = np.fromiter(surnames, dtype=np.uint64, count=len(surnames))
    for i in np.flatnonzero(np.isin(article.norm_array, keys)).tolist():
        if article.taken[i]:
            continue
        token = doc[i]
        hit = surnames[article.norms[i]]
        if not token.text[:1].isupper() or hit[0] >= token.idx:
            continue
        _, source = hit
        article.add_mention(
            i,
            i,
            FoundMention(
                token.idx,
                token.idx + len(token),
                token.text,
                source.entity,
                source.name,
                PERSON,
            ),
        )


_MODEL_KINDS = {"PERSON": PERSON, "PER": PERSON, "ORG": ORG, "GPE": PLACE}


def _model_entities(article: _Article, model: spacy.language.Language) -> None:
    """A statistical model's PERSON, ORG and GPE entities, where the
    gazetteer found nothing; linked to the table when the name is in it."""
    for ent in model(article.text).ents:
        kind = _MODEL_KINDS.get(ent.label_)
        start, end = ent.start_char, ent.end_char
        if kind is None or article.text[start:end].strip() != ent.text:
            continue
        first, last = article.token_at(start), article.token_at(end - 1)
        if article.starts[first] != start or article.ends[last] != end:
            continue  # the model tokenised differently; offsets would not fit
        if any(article.taken[first : last + 1]):
            continue
        entry = article.gazetteer.lookup(ent.text)
        article.add_mention(
            first,
            last,
            FoundMention(
                start,
                end,
                ent.text,
                entry,
                entry.name if entry else ent.text,
                entry.kind if entry else kind,
                origin=MODEL,
            ),
        )


@dataclass
class _Cue:
    first: int  # tokens
    last: int
    word: str


def _find_cues(article: _Article) -> list[_Cue]:
    matcher, cues = _cue_matcher()
    found = []
    doc = article.doc
    for match_id, start, end in matcher(doc):
        if any(article.quoted[start:end]) or any(article.taken[start:end]):
            continue
        before = doc[start - 1].lower_ if start else ""
        if before in NEGATIONS or (
            before == "to" and start > 1 and doc[start - 2].lower_ in REFUSALS
        ):
            continue
        found.append(_Cue(start, end - 1, cues[match_id]))
    # "went on to say" holds "went on": keep the longest at each start.
    found.sort(key=lambda cue: (cue.first, cue.first - cue.last))
    kept: list[_Cue] = []
    for cue in found:
        if kept and cue.first <= kept[-1].last:
            continue
        kept.append(cue)
    return kept


@dataclass
class _Group:
    """Raw quotes taken as one quote: a split quote has two or more."""

    raws: list[_RawQuote]
    gap_cues: list[_Cue] = field(default_factory=list)


def _join_split(
    article: _Article, raws: list[_RawQuote], cues: list[_Cue]
) -> list[_Group]:
    """Join “A,” he said, adding, “B” into one quote of two parts.

    The first part must end as a broken sentence does (a comma or a dash
    inside the marks) and the words between the two must hold a cue and end
    no sentence before their last ("said Dana Whitfield, president of the
    National Federation of Public Employees."); two quoted fragments of one
    sentence (“crashed the economy” and warned voters not to “fall for it”)
    stay two quotes.
    """
    groups: list[_Group] = []
    for raw in raws:
        if groups:
            group = groups[-1]
            previous = group.raws[-1]
            last_text = article.text[previous.parts[-1][0] : previous.parts[-1][1]]
            gap_first = article.token_at(previous.closing) + 1
            gap_last = article.token_at(raw.opening) - 1
            same_paragraph = article.paragraph_bounds(
                previous.closing
            ) == article.paragraph_bounds(raw.opening)
            between = [c for c in cues if gap_first <= c.first and c.last <= gap_last]
            if (
                same_paragraph
                and last_text[-1:] in _BROKEN_OFF
                and 0 < gap_last - gap_first + 1 <= 30
                and between
                and not any(
                    article.text[article.starts[j]] in _SENTENCE_END
                    for j in range(gap_first, gap_last)
                )
            ):
                group.raws.append(raw)
                group.gap_cues.extend(between)
                continue
        groups.append(_Group([raw]))
    return groups


@dataclass
class _Speaker:
    entry: GazetteerEntry | None
    name: str
    # The speaker's mention by the cue; for a pronoun or a role noun, the
    # antecedent's, which the quote does not take as its speaker mention.
    mention: FoundMention | None
    how: str  # name, pronoun, role, new

    @classmethod
    def of(cls, mention: FoundMention, how: str = "name") -> _Speaker:
        """The person or body ``mention`` names (or a pronoun stands for)."""
        return cls(mention.entity, mention.name, mention, how)


def _attribute(
    article: _Article, groups: list[_Group], cues: list[_Cue]
) -> list[FoundQuote]:
    quotes = []
    previous: FoundQuote | None = None
    previous_paragraph = -1
    # Cues that attributed a quote already, by first token: one cue is one
    # attribution, which the reviewer steps through once.
    used: set[int] = set()
    for group in groups:
        parts = [part for raw in group.raws for part in raw.parts]
        opening = article.token_at(group.raws[0].opening)
        closing = article.token_at(group.raws[-1].closing)
        window: set[int] = set()
        for raw in group.raws:
            first, _ = article.sentence_bounds(article.token_at(raw.opening))
            _, last = article.sentence_bounds(article.token_at(raw.closing))
            window.update(range(first, _attribution_after(article, last, cues)))
        fitting = [
            c for c in cues if c.first in window and _cue_fits(article, c, group)
        ]
        nearby = [c for c in fitting if c.first not in used]
        edges = [
            article.token_at(position)
            for raw in group.raws
            for position in (raw.opening, raw.closing)
        ]
        # The attribution between the parts first, then the nearest cue; a
        # cue after the quote that "and" joins on ("said the cuts were “…”
        # and warned that") reports what follows it, so it comes last.
        nearby.sort(
            key=lambda c: (
                c not in group.gap_cues,
                c.first > closing and article.doc[c.first - 1].lower_ in COORDINATORS,
                min(min(abs(c.first - e), abs(c.last - e)) for e in edges),
                c.first,
            )
        )
        cue, speaker = None, None
        # "he said" attributes the quote even when no "he" can be found
        # (the only person named is a woman): no other cue is tried then.
        tried = nearby[:1] if nearby and _pronoun_beside(article, nearby[0]) else nearby
        # A speaker next to a cue first; a participle's subject only if none.
        for candidate, subject in [(c, False) for c in tried] + [
            (c, True) for c in tried
        ]:
            speaker = _speaker_for(article, candidate, window, subject=subject)
            if speaker is not None:
                cue = candidate
                break
        # A cue here attributed the quote before: this one goes on that
        # sentence, and on that speaker when no cue names another ("He said
        # his players had ‘earned the right’ to dream, adding that …).
        carried = len(fitting) > len(nearby)
        if cue is None and nearby:
            cue = nearby[0]
            if carried and previous is not None and previous.speaker_name:
                speaker = _Speaker(
                    previous.speaker, previous.speaker_name, None, "pronoun"
                )
        kind = _quote_type(article, parts[0], opening)
        paragraph = bisect.bisect_right(article.breaks, article.starts[opening])
        if cue is None:
            # Unattributed: a whole sentence that carries on the quote before
            # it is kept with that speaker, as is any quote whose cue
            # attributed the one before (“What else would I do?” he asked.
            # “This is …”); a scare-quoted word is not a quote.
            words = len(article.text[parts[0][0] : parts[-1][1]].split())
            if not carried and (kind != DIRECT or words < 3):
                continue
            if previous is not None and paragraph - previous_paragraph <= 1:
                quotes.append(
                    FoundQuote(
                        parts,
                        kind,
                        None,
                        None,
                        previous.speaker,
                        previous.speaker_name,
                        0.5,
                    )
                )
            else:
                quotes.append(FoundQuote(parts, DIRECT, None, None, None, "", 0.3))
            previous_paragraph = paragraph
            continue
        confidence = {DIRECT: 0.9, PARTIAL: 0.8}[kind]
        if speaker is None:
            confidence -= 0.4
        elif speaker.how in {"pronoun", "role"}:
            confidence -= 0.15
        elif speaker.how == "new":
            confidence -= 0.1
        quote = FoundQuote(
            parts,
            kind,
            (article.starts[cue.first], article.ends[cue.last]),
            speaker.mention if speaker and speaker.how in {"name", "new"} else None,
            speaker.entry if speaker else None,
            speaker.name if speaker else "",
            round(confidence, 2),
        )
        quotes.append(quote)
        used.add(cue.first)
        previous, previous_paragraph = quote, paragraph
        if speaker is not None and speaker.mention is not None:
            article.add_speaker(quote.cue[0], speaker.mention)
    return quotes


def _pronoun_beside(article: _Article, cue: _Cue) -> bool:
    doc = article.doc
    return (cue.first > 0 and doc[cue.first - 1].lower_ in GENDERS) or (
        cue.last + 1 < len(doc) and doc[cue.last + 1].lower_ in GENDERS
    )


def _attribution_after(article: _Article, start: int, cues: list[_Cue]) -> int:
    """Where the window of a quote that ends its sentence at ``start`` ends:
    past the next sentence when that is only a cue and who spoke (“What
    else would I do?” he asked.), which is the quote's attribution.
    """
    doc = article.doc
    if start >= len(doc):
        return start
    _, end = article.sentence_bounds(start)
    index = bisect.bisect_left(cues, start, key=lambda c: c.first)
    if end - start > 8 or index == len(cues) or cues[index].first >= end:
        return start
    cue = cues[index]
    for j in range(start, end):
        lower = doc[j].lower_
        if not (
            cue.first <= j <= cue.last
            or doc[j].is_punct
            or lower in PRONOUNS
            or lower in DETERMINERS
            or lower in TITLE_WORDS
            or lower in ROLE_NOUNS
            or _is_name_token(doc[j].text)
        ):
            return start
    return end


def _cue_fits(article: _Article, cue: _Cue, group: _Group) -> bool:
    """Whether ``cue`` may attribute the quote ``group``.

    A naming cue attributes only a quote after its object, in its clause
    (“Kowalczyk called the closure “reckless””). A cue after the quote does
    not when a clause opens between them (“Fans chanted “…” although the
    chairman said …”), unless a comma closes that clause before the cue, as
    it does a relative clause in the speaker's name (“the company, which
    employs 4,000 people, said”).
    """
    doc = article.doc
    if cue.word in NAMING_CUES:
        for raw in group.raws:
            opening = article.token_at(raw.opening)
            if cue.last + 1 < opening <= cue.last + 12 and not any(
                doc[j].text in _CLAUSE_PUNCTUATION and not article.quoted[j]
                for j in range(cue.last + 1, opening)
            ):
                return True
        return False
    closing = article.token_at(group.raws[-1].closing)
    for j in range(closing + 1, cue.first):
        word = doc[j].lower_
        if word not in CLAUSE_BREAKS or article.quoted[j]:
            continue
        if word == "which" and any(doc[k].text == "," for k in range(j + 1, cue.first)):
            continue
        return False
    return True


def _quote_type(article: _Article, part: tuple[int, int], opening: int) -> str:
    """Direct when the quote stands as its own utterance; partial when a
    fragment of it sits inside the reporter's sentence.

    A fragment starts in lower case or follows a word of the sentence
    ("receiving “massive information”"); a direct quote opens its sentence
    or follows a comma or colon ("said, “Not yet”").
    """
    first_char = article.text[part[0]]
    if first_char.isalpha() and first_char.islower():
        return PARTIAL
    sentence_first, _ = article.sentence_bounds(opening)
    if opening <= sentence_first:
        return DIRECT
    before = article.doc[opening - 1].text
    return DIRECT if before in _BEFORE_DIRECT else PARTIAL


def _speaker_for(
    article: _Article, cue: _Cue, window: set[int], *, subject: bool = True
) -> _Speaker | None:
    before = article.doc[cue.first - 1].text if cue.first else ""
    inverted = before in _CLOSE_DOUBLE or before in _CLOSE_SINGLE or before in "\"'"
    if not inverted and before == "," and cue.first >= 2:
        previous = article.doc[cue.first - 2].text
        inverted = previous in _CLOSE_DOUBLE or previous in "\"'’"
    if cue.word in OBJECT_CUES:
        return _look_right(article, cue, window)
    if cue.word in SUBJECT_ONLY_CUES:
        speaker = _look_left(article, cue, window)
    elif inverted:
        speaker = _look_right(article, cue, window) or _look_left(article, cue, window)
    else:
        speaker = _look_left(article, cue, window)
    if speaker is None and subject and cue.word.endswith("ing"):
        # "Sunak, the prime minister, defended his record, telling the BBC
        # ...": a participle's speaker is its sentence's subject.
        speaker = _sentence_subject(article, cue, window)
    return speaker


def _sentence_subject(
    article: _Article, cue: _Cue, window: set[int]
) -> _Speaker | None:
    for i in sorted(t for t in window if t < cue.first):
        mention = article.mention_at_start.get(i)
        if mention and mention.kind in {PERSON, ORG} and not article.quoted[i]:
            last = article.token_at(mention.end - 1)
            if (
                last + 1 < len(article.doc)
                and article.doc[last + 1].text in POSSESSIVES
            ):
                continue  # "Mr Ashworth’s spokesman": the owner is not the subject
            return _Speaker.of(mention)
    return None


def _look_left(article: _Article, cue: _Cue, window: set[int]) -> _Speaker | None:
    doc = article.doc
    if cue.first and doc[cue.first - 1].text == ",":
        return _before_apposition(article, cue.first - 1, window)
    i = cue.first - 1
    steps = 0
    while i >= 0 and i in window and steps < 8:
        if article.quoted[i]:
            return None
        mention = article.mention_at_end.get(i)
        if mention is not None:
            first = article.token_at(mention.start)
            if (
                i == cue.first - 1
                and first - 1 in window
                and doc[first - 1].text in PREPOSITIONS
            ):
                return _before_preposition(article, first, i, window)
            if mention.kind in {PERSON, ORG, OTHER} or i == cue.first - 1:
                return _Speaker.of(mention)
            i = article.token_at(mention.start) - 1
            steps += 1
            continue
        text = doc[i].text
        lower = text.lower()
        if lower in PRONOUNS:
            return _resolve_pronoun(article, lower, article.starts[i])
        if lower in ORGANISATION_WORDS and text.islower() and i == cue.first - 1:
            return _organisation_by_word(article, i, window)
        if _is_role(article, i):
            return _resolve_role(article, i)
        if lower in COORDINATORS and i == cue.first - 1:
            # "called the bill “…” and said": the second verb's speaker is
            # the first's, the sentence's subject.
            return _sentence_subject(article, cue, window)
        if _is_plural_role(lower) or (lower in POSSESSIVES and i < cue.first - 1):
            # "Treasury officials said", "Mr Ashworth’s spokesman said": no
            # one named speaks, and the owner is not the speaker.
            return None
        if i == cue.first - 1 and text[:1].isupper():
            first, last = _name_run_left(article, i, window)
            if first - 1 in window and doc[first - 1].text in PREPOSITIONS:
                return _before_preposition(article, first, last, window)
            return _new_name(article, first, last)
        if text in {".", ";", "!", "?"}:
            return None
        i -= 1
        steps += 1
    return None


def _before_preposition(
    article: _Article, first: int, last: int, window: set[int]
) -> _Speaker | None:
    """The speaker before a cue whose last words, from ``first``, follow a
    preposition: the organisation they end ("The Department for Transport
    said", "the Bank of England said"), or the person they place
    ("Representative Lena Ortiz of New Mexico said"). A place or a body after
    any other preposition, or after a plain noun, is not who spoke
    ("Students at Kirklees College said", "officials in Kyiv said").
    """
    doc = article.doc
    preposition = doc[first - 1].text
    before = first - 2
    if (
        before not in window
        or article.quoted[before]
        or not _is_name_token(doc[before].text)
    ):
        return None
    mention = article.mention_at_end.get(before)
    name_first = (
        article.token_at(mention.start)
        if mention
        else _name_run_left(article, before, window)[0]
    )
    if preposition in {"of", "for"} and any(
        doc[j].lower_ in ORGANISATION_WORDS for j in range(name_first, first - 1)
    ):
        return _new_organisation(article, name_first, last)
    if preposition not in {"of", "from"}:
        return None
    if mention is not None:
        if mention.kind in {PERSON, ORG}:
            return _Speaker.of(mention)
        return None
    return _new_name(article, name_first, before)


def _before_apposition(
    article: _Article, comma: int, window: set[int]
) -> _Speaker | None:
    """The speaker before a cue that follows ``comma``, which closes what
    describes the speaker or names them: “Polly Nnamdi, Shelter’s chief
    executive, said”, “NASA, which operates the satellites, said”, “the
    club’s chairman, Peter Lomas, said”.

    The sentence back from the comma is cut at its commas into stretches.
    Going back, the speaker is the first stretch that is a name and either
    starts the clause (the subject, followed by what describes it) or follows
    a description ending in a role noun (a description is not a speaker, even
    if it ends in a name: “Elchin Mammadli, an adviser to President Ilham
    Aliyev, told”). A name after a name, as in “Punta Arenas, Chile” or
    “Rafael Ortiz, R-Texas”, is skipped. A stretch opening with a pronoun is
    a clause the cue goes on, and the pronoun its speaker.
    """
    doc = article.doc
    stretches: list[tuple[int, int]] = []  # nearest first
    last = i = comma - 1
    starts_clause = False
    while True:
        if i < 0 or i not in window or article.quoted[i] or doc[i].text in _CLAUSE_ENDS:
            starts_clause = True
        if starts_clause or comma - i > 40 or doc[i].text == ",":
            if i < last:
                stretches.append((i + 1, last))
            if starts_clause or doc[i].text != ",":
                break
            last = i - 1
        i -= 1
    for k, (first, last) in enumerate(stretches):
        if doc[first].lower_ in PRONOUNS:
            # "She defended the plan, adding": the cue goes on her clause.
            return _resolve_pronoun(article, doc[first].lower_, article.starts[first])
        if not _names_only(article, first, last):
            if k + 1 == len(stretches) and starts_clause and _is_role(article, last):
                return _resolve_role(article, last)  # "The minister, who …, said"
            continue
        mention = article.mention_at_end.get(last)
        if k + 1 == len(stretches):
            if not starts_clause:
                return None
            if mention is not None:
                if mention.kind == PLACE:
                    return None
                return _Speaker.of(mention)
            if _is_role(article, last):
                return _resolve_role(article, last)
            return _new_name(article, *_name_run_left(article, last, window))
        before_first, before_last = stretches[k + 1]
        if _names_only(article, before_first, before_last):
            continue
        if mention is not None and mention.kind in {PERSON, ORG}:
            return _Speaker.of(mention)
        if mention is None and doc[before_last].lower_ in ROLE_NOUNS:
            return _new_name(article, *_name_run_left(article, last, window))
    return None


def _names_only(article: _Article, first: int, last: int) -> bool:
    """Whether tokens ``first`` to ``last`` are all a name's: no lower-case
    word outside a mention but a particle ("de", "van") or a determiner
    ("the Defensoría del Pueblo")."""
    doc = article.doc
    return not any(
        doc[j].text[:1].islower()
        and not article.taken[j]
        and doc[j].lower_ not in NAME_PARTICLES
        and doc[j].lower_ not in DETERMINERS
        for j in range(first, last + 1)
    )


def _look_right(article: _Article, cue: _Cue, window: set[int]) -> _Speaker | None:
    doc = article.doc
    i = cue.last + 1
    limit = min(len(doc), cue.last + 8)
    while i < limit and i in window:
        if article.quoted[i]:
            return None
        mention = article.mention_at_start.get(i)
        if mention is not None:
            return _Speaker.of(mention)
        text = doc[i].text
        lower = text.lower()
        if lower in PRONOUNS and i == cue.last + 1:
            return _resolve_pronoun(article, lower, article.starts[i])
        following = doc[i + 1].text if i + 1 < len(doc) else ""
        # "said its campaign director, Tomás Lindqvist": the name after the
        # role, when one follows it.
        if following == "," and (lower in ROLE_NOUNS or lower in TITLE_WORDS):
            named = _name_after_role(article, i + 2, window)
            if named is not None:
                return named
        if _is_role(article, i) and not _is_name_token(following):
            return _resolve_role(article, i)
        if text[:1].isupper() and lower not in TITLE_WORDS:
            return _new_name(article, *_name_run_right(article, i, window))
        skippable = lower in DETERMINERS or lower in TITLE_WORDS or text[:1].isupper()
        if not skippable and (not text.isalpha() or i > cue.last + 3):
            return None
        i += 1
    return None


def _name_after_role(article: _Article, i: int, window: set[int]) -> _Speaker | None:
    mention = article.mention_at_start.get(i)
    if mention is not None:
        if mention.kind == PLACE:
            return None
        return _Speaker.of(mention)
    if i in window and _is_name_token(article.doc[i].text):
        return _new_name(article, *_name_run_right(article, i, window))
    return None


def _organisation_by_word(
    article: _Article, i: int, window: set[int]
) -> _Speaker | None:
    """The organisation a lower-case word like "union" at ``i`` names: the
    one its capitalised words before it name ("The United Food and
    Commercial Workers union said"), or after "the", the last organisation
    named, as "they" is ("the union said"). Not after a preposition: "a
    spokesman for the union said" is the spokesman."""
    doc = article.doc
    before = i - 1
    if before not in window:
        return None
    mention = article.mention_at_end.get(before)
    if mention is not None:
        if mention.kind == ORG:
            return _Speaker.of(mention)
        return None
    if doc[before].lower_ == "the":
        if _after_preposition(article, before):
            return None
        found = _organisation_for(article, doc[i].lower_, article.starts[i])
        if found is not None:
            return _Speaker.of(found, "role")
        return None
    if _is_name_token(doc[before].text):
        first, _ = _name_run_left(article, before, window)
        # Joined by "and", "of" or "for" into one name.
        while (
            first - 2 in window
            and doc[first - 1].text in {"and", "of", "for", "&"}
            and _is_name_token(doc[first - 2].text)
            and not article.taken[first - 2]
        ):
            first, _ = _name_run_left(article, first - 2, window)
        if _after_preposition(article, first):
            return None
        return _new_organisation(article, first, i)
    return None


def _after_preposition(article: _Article, i: int) -> bool:
    """Whether the phrase starting at ``i`` follows a preposition, past a
    determiner: "for the", "of"."""
    j = i - 1
    if j > 0 and article.doc[j].lower_ in DETERMINERS:
        j -= 1
    return j >= 0 and article.doc[j].text in PREPOSITIONS


def _organisation_for(article: _Article, word: str, char: int) -> FoundMention | None:
    """The organisation "the union" (``word``) at ``char`` stands for: the
    last one named before with that word in its name, else the last that
    was a sentence's subject ("Northwind" for "the company", not the
    "Securities and Exchange Commission" whose filings were cited), else the
    last named."""
    index = bisect.bisect_left(article.orgs, char, key=lambda o: o[0])
    earlier = [mention for _, mention in reversed(article.orgs[:index])]
    named = next((m for m in earlier if word in normalize_name(m.name).split()), None)
    if named is not None:
        return named
    return next(
        (m for m in earlier if _is_subject(article, m)),
        earlier[0] if earlier else None,
    )


def _has_determiner(article: _Article, i: int) -> bool:
    for j in range(i - 1, max(-1, i - 4), -1):
        lower = article.doc[j].lower_
        if lower in POSSESSIVES:
            return False  # "the president’s spokesman": the president's
        if lower in DETERMINERS:
            return True
    return False


def _is_role(article: _Article, i: int) -> bool:
    """Whether the word at ``i`` calls a person by what they are: "the
    mayor", "the Ashford boss", "the Spaniard", "the 27-year-old"."""
    doc = article.doc
    text = doc[i].text
    lower = text.lower()
    if lower in ROLE_NOUNS:
        return _has_determiner(article, i)
    if lower == "old" and i >= 5 and doc[i - 2].lower_ == "year":
        return doc[i - 5].lower_ == "the"
    return (
        i > 0
        and doc[i - 1].lower_ == "the"
        and text[:1].isupper()
        and lower.endswith(DEMONYM_ENDINGS)
        and not article.taken[i]
    )


def _is_plural_role(word: str) -> bool:
    """ "officials", "MPs", "congressmen": people not named, never one person."""
    if word.endswith("men"):
        return word[:-3] + "man" in ROLE_NOUNS
    return word.endswith("s") and word[:-1] in ROLE_NOUNS


def _resolve_pronoun(article: _Article, pronoun: str, char: int) -> _Speaker | None:
    kind = PRONOUNS[pronoun]
    if kind == PERSON:
        antecedent = _antecedent(article, char, gender=GENDERS[pronoun])
    else:
        antecedent = article.last_before(char, kind)
    if antecedent is None:
        return None
    return _Speaker.of(antecedent, "pronoun")


def _resolve_role(article: _Article, i: int) -> _Speaker | None:
    """The person a role noun at ``i`` stands for: one named with that title
    before ("President Ana Ruiz" for "the president") when there is one,
    else whoever "he" would be."""
    char = article.starts[i]
    role = article.doc[i].lower_
    titled = {
        _person_key(mention)
        for start, mention in article.people
        if start < char and role in _titles(article, mention)
    }
    antecedent = _antecedent(article, char, titled)
    if antecedent is None:
        return None
    return _Speaker.of(antecedent, "role")


def _antecedent(
    article: _Article,
    char: int,
    among: Collection[Hashable] = (),
    *,
    gender: str | None = None,
) -> FoundMention | None:
    """The person a pronoun or role noun at ``char`` stands for (one of
    ``among``, keys of ``_person_key``, if any): the later of the last
    speaker quoted and the last person who was a sentence's subject, in this
    paragraph or the one before; else the last person named.

    A person named as an object or inside a clause ("Etxeberria, who
    replaced Rui Conceição, is unbeaten. He said") is passed over, and so
    is one the text has shown to be of the other ``gender`` ("Mr Okafor",
    or "Okafor said he" before a "she").
    """

    def fits(mention: FoundMention) -> bool:
        if among and _person_key(mention) not in among:
            return False
        return gender is None or _gender(article, mention, before=char) in {
            None,
            gender,
        }

    since = article.previous_paragraph_start(char)
    speaker = next(
        (
            (start, mention)
            for start, mention in reversed(article.said)
            if start < char and mention.kind == PERSON and fits(mention)
        ),
        None,
    )
    if speaker is not None and speaker[0] < since:
        speaker = None
    index = bisect.bisect_left(article.people, char, key=lambda p: p[0])
    subject = None
    for start, mention in reversed(article.people[:index]):
        if start < since:
            break
        if fits(mention) and _is_subject(article, mention):
            subject = (start, mention)
            break
    found = [c for c in (speaker, subject) if c is not None]
    if found:
        return max(found, key=lambda c: c[0])[1]
    return next(
        (m for start, m in reversed(article.people[:index]) if fits(m)),
        None,
    )


def _gender(article: _Article, mention: FoundMention, *, before: int) -> str | None:
    """The gender the text before ``before`` gives the person ``mention``
    names, if any: a title before one of their mentions ("Mrs Marsh"), or
    the pronoun after a cue of theirs ("Marsh said she hoped")."""
    doc = article.doc
    key = _person_key(mention)
    for start, other in article.people:
        if start >= before:
            break
        first = article.token_at(other.start)
        if first and _person_key(other) == key:
            gender = GENDERED_TITLES.get(doc[first - 1].lower_.rstrip("."))
            if gender:
                return gender
    for start, speaker in article.said:
        after = article.token_at(start) + 1
        if start < before and after < len(doc) and _person_key(speaker) == key:
            gender = GENDERS.get(doc[after].lower_)
            if gender:
                return gender
    return None


def _person_key(mention: FoundMention) -> Hashable:
    return mention.entity.key if mention.entity else normalize_name(mention.name)


def _is_subject(article: _Article, mention: FoundMention) -> bool:
    """Whether ``mention`` is the subject of its sentence or of a clause
    joined to it: it opens the sentence, after titles at most ("Ashford boss
    Gary Holloway said"), or follows its first comma ("The store's owner,
    Raj Patel, told", "In Brussels, Hruby said"), or a conjunction after a
    comma (", but Senate Majority Leader Thomas Brennan said").

    Not in "Etxeberria, who replaced Rui Conceição", "praised Ortiz and
    Whitaker" or "led by the prime minister, Gustavo Ríos".
    """
    doc = article.doc
    first = article.token_at(mention.start)
    sentence_first, _ = article.sentence_bounds(first)
    j = first - 1
    while j >= sentence_first and (
        doc[j].text[:1].isupper()
        or doc[j].lower_ in DETERMINERS
        or doc[j].lower_ in TITLE_WORDS
        or doc[j].lower_ in ROLE_NOUNS
    ):
        j -= 1
    if j < sentence_first:
        return True
    if doc[j].lower_ in COORDINATORS or doc[j].lower_ in CLAUSE_BREAKS:
        return j > sentence_first and doc[j - 1].text == ","
    return doc[j].text == "," and not any(
        doc[k].text == "," for k in range(sentence_first, j)
    )


def _titles(article: _Article, mention: FoundMention) -> set[str]:
    """The titles and roles named with a person's mention: "Sen." (as
    "senator") in "Sen. Claire Whitaker", "minister" in "the prime
    minister, Gustavo Ríos"."""
    doc = article.doc
    first = article.token_at(mention.start)
    titles = set()
    j = first - 1
    if j > 0 and doc[j].text == ",":
        j -= 1
    while j >= 0 and first - j <= 4:
        word = doc[j].lower_.rstrip(".")
        word = TITLE_ROLES.get(word, word)
        if word not in ROLE_NOUNS and word not in TITLE_WORDS:
            break
        titles.add(word)
        j -= 1
    return titles


def _is_name_token(text: str) -> bool:
    return text[:1].isupper() and any(c.isalpha() for c in text)


def _name_run_left(article: _Article, i: int, window: set[int]) -> tuple[int, int]:
    doc = article.doc
    first = i
    j = i - 1
    while j in window and not article.taken[j] and not article.quoted[j]:
        text = doc[j].text
        if (
            _is_name_token(text)
            or (text.lower() in NAME_PARTICLES or text == "-")
            and _is_name_token(doc[j + 1].text if text != "-" else doc[j - 1].text)
        ):
            first = j
            j -= 1
            continue
        break
    return first, i


def _name_run_right(article: _Article, i: int, window: set[int]) -> tuple[int, int]:
    doc = article.doc
    last = i
    j = i + 1
    while j in window and not article.taken[j] and not article.quoted[j]:
        text = doc[j].text
        following = doc[j + 1].text if j + 1 < len(doc) else ""
        if _is_name_token(text) or (
            (text.lower() in NAME_PARTICLES or text == "-")
            and _is_name_token(following)
        ):
            last = j
            j += 1
            continue
        break
    return i, last


def _new_name(article: _Article, first: int, last: int) -> _Speaker | None:
    """A capitalised name next to a cue: a known person's surname, or a
    person (or, by its last word, an organisation) to propose."""
    doc = article.doc
    while first <= last and doc[first].lower_ in TITLE_WORDS:
        first += 1
    if first < last and doc[last].lower_ in ORGANISATION_WORDS:
        return _new_organisation(article, first, last)
    if (
        first > last
        or doc[last].text.endswith(".")
        or _is_plural_role(doc[last].lower_)
    ):
        return None
    # The name follows its last title: "Turkish Foreign Minister Ali Veli" →
    # "Ali Veli", "Ward 2 City Councilor Tamika Brooks" → "Tamika Brooks";
    # a name of four words has none ("Rosa Elvira Quispe Mamani").
    for i in range(last - 1, first - 1, -1):
        if doc[i].lower_ in TITLE_WORDS or doc[i].lower_ in ROLE_NOUNS:
            first = i + 1
            break
    if any(article.taken[first : last + 1]) or any(article.quoted[first : last + 1]):
        return None
    while first <= last and (
        doc[first].lower_ in NOT_NAMES or doc[first].lower_ in LEADING_WORDS
    ):
        first += 1
    if first > last:
        return None
    name = article.span_text(first, last)
    words = name.replace("-", " ").split()
    if any(word.lower() in NOT_NAMES for word in words):
        return None
    sentence_first, _ = article.sentence_bounds(first)
    if first == sentence_first and len(words) == 1 and name.endswith("s"):
        return None  # "Officials said", "Residents said"
    start, end = article.starts[first], article.ends[last]
    # A surname of someone named before, or someone proposed before; or one
    # word of one earlier name ("Quispe" for Rosa Elvira Quispe Mamani, "Zhang"
    # for Zhang Wei).
    key = normalize_name(name)
    holders: dict[str, FoundMention] = {}
    for _, known in reversed(article.people):
        if known.start >= start:
            continue
        known_key = normalize_name(known.name)
        if key == known_key or known_key.split()[-1:] == key.split()[-1:]:
            return _known_speaker(article, first, last, known)
        if len(words) == 1 and key in known_key.split():
            holders.setdefault(known_key, known)
    if len(holders) == 1:
        return _known_speaker(article, first, last, *holders.values())
    entry = article.gazetteer.lookup(name)
    full = None if entry or len(words) > 1 else _full_name_before(article, first)
    if full is not None:
        # "Ferreira said", after "Ana Lucía Ferreira, the director, …": the
        # person to propose is the one named in full, mentioned there too.
        full_first, full_last = full
        name = article.span_text(full_first, full_last)
        earlier = FoundMention(
            article.starts[full_first],
            article.ends[full_last],
            name,
            None,
            name,
            PERSON,
        )
        article.add_person(full_first, full_last, earlier)
    mention = FoundMention(
        start,
        end,
        article.span_text(first, last),
        entry,
        entry.name if entry else name,
        entry.kind if entry else PERSON,
    )
    article.add_person(first, last, mention)
    if entry is None:
        _link_surname(article, mention, *(full or (first, last)))
    return _Speaker(entry, mention.name, mention, "name" if entry else "new")


def _link_surname(
    article: _Article, mention: FoundMention, first: int, last: int
) -> None:
    """A proposed person's surname further on is them too, as a known
    person's is (``_match_surnames``): "Holloway's side" after "Gary
    Holloway said", for a pronoun after it to find."""
    key = _surname_key(article, first, last)
    if key is None:
        return
    after = article.ends[last]
    for i in np.flatnonzero(article.norm_array == key).tolist():
        if article.starts[i] < after or article.taken[i]:
            continue
        text = article.doc[i].text
        if not text[:1].isupper():
            continue
        found = FoundMention(
            article.starts[i], article.ends[i], text, None, mention.name, PERSON
        )
        if article.quoted[i]:
            article.add_mention(i, i, found)
        else:
            article.add_person(i, i, found)


def _known_speaker(
    article: _Article, first: int, last: int, known: FoundMention
) -> _Speaker:
    """Tokens ``first`` to ``last`` as a mention of the person ``known`` names."""
    mention = FoundMention(
        article.starts[first],
        article.ends[last],
        article.span_text(first, last),
        known.entity,
        known.name,
        PERSON,
    )
    article.add_person(first, last, mention)
    return _Speaker(known.entity, known.name, mention, "name")


def _new_organisation(article: _Article, first: int, last: int) -> _Speaker | None:
    """ "The Pacific Rim Authority said": the whole name, as an organisation
    to propose (or one the gazetteer knows)."""
    doc = article.doc
    while first < last and (
        doc[first].lower_ in NOT_NAMES or doc[first].lower_ in LEADING_WORDS
    ):
        first += 1
    if any(article.taken[first : last + 1]) or any(article.quoted[first : last + 1]):
        return None
    name = article.span_text(first, last)
    entry = article.gazetteer.lookup(name)
    mention = FoundMention(
        article.starts[first],
        article.ends[last],
        name,
        entry,
        entry.name if entry else name,
        entry.kind if entry else ORG,
    )
    article.add_mention(first, last, mention)
    if mention.kind == ORG:
        # For "they" and "the union" further on.
        bisect.insort(article.orgs, (mention.start, mention), key=lambda o: o[0])
    return _Speaker(entry, mention.name, mention, "name" if entry else "new")


def _full_name_before(article: _Article, surname: int) -> tuple[int, int] | None:
    """The last full name holding the word at ``surname`` before it (two to
    four capitalised words, not marked or quoted already), as token bounds:
    "Ana Lucía Ferreira" for "Ferreira", "Rosa Elvira Quispe Mamani" for
    "Quispe"."""
    norms = article.norms
    word = norms[surname]
    for match in range(surname - 1, -1, -1):
        # By NORM: "Alvarez" is the "José Álvarez" named before.
        if norms[match] != word or article.taken[match] or article.quoted[match]:
            continue
        first = last = match
        while first > 0 and last - first < 3 and _in_full_name(article, first - 1):
            first -= 1
        while (
            last + 1 < surname and last - first < 3 and _in_full_name(article, last + 1)
        ):
            last += 1
        if first < last:
            return first, last
    return None


def _in_full_name(article: _Article, i: int) -> bool:
    lower = article.doc[i].lower_
    return (
        not article.taken[i]
        and not article.quoted[i]
        and _is_name_token(article.doc[i].text)
        and lower not in NOT_NAMES
        and lower not in LEADING_WORDS
        and lower not in TITLE_WORDS
    )


def _indirect(article: _Article, cues: list[_Cue]) -> list[FoundQuote]:
    """Reported speech without marks: "X said that ...", "she said it would ..."."""
    found = []
    doc = article.doc
    for cue in cues:
        if cue.word not in INDIRECT_CUES:
            continue
        # Cheap tests first: most cues have no clause after them.
        nxt = cue.last + 1
        subject_only = cue.word in SUBJECT_ONLY_CUES
        if subject_only:
            # "told reporters that": the clause follows the listener.
            while nxt < len(doc) and nxt - cue.last <= 4 and doc[nxt].lower_ != "that":
                nxt += 1
        if nxt >= len(doc):
            continue
        word = doc[nxt].lower_
        if word == "that":
            start_token = nxt + 1
        elif word in CLAUSE_STARTERS and not subject_only:
            start_token = nxt
        else:
            continue
        sentence_first, sentence_last = article.sentence_bounds(cue.first)
        if nxt >= sentence_last:
            continue
        end_token = sentence_last - 1
        while end_token > start_token and not doc[end_token].text[:1].isalnum():
            end_token -= 1
        # Up to the clause's last word: the opening mark of a quote in the
        # next sentence is counted in this one (see ``_sentence_starts``).
        if end_token - start_token < 2 or any(
            article.quoted[sentence_first : end_token + 1]
        ):
            continue
        window = set(range(sentence_first, sentence_last))
        speaker = _look_left(article, cue, window)
        if speaker is None:
            continue
        if speaker.mention is not None:
            article.add_speaker(article.starts[cue.first], speaker.mention)
        found.append(
            FoundQuote(
                [(article.starts[start_token], article.ends[end_token])],
                INDIRECT,
                (article.starts[cue.first], article.ends[cue.last]),
                speaker.mention if speaker.how in {"name", "new"} else None,
                speaker.entry,
                speaker.name,
                0.6 if speaker.how == "name" else 0.45,
            )
        )
    return found


# --------------------------------------------------------------------------
# An optional statistical model


def model_name() -> str:
    return getattr(settings, "NEWSREADER_SPACY_MODEL", "")


@cache
def load_model(name: str) -> spacy.language.Language:
    """The installed spaCy pipeline ``name`` (a package name or a path)."""
    try:
        return spacy.load(name, exclude=["lemmatizer"])
    except OSError as error:
        raise SuggestError(
            f"NEWSREADER_SPACY_MODEL names {name!r}, which is not an installed "
            "spaCy model or a model folder. Install it, or unset "
            "NEWSREADER_SPACY_MODEL to use the rules alone."
        ) from error


def configured_model() -> spacy.language.Language | None:
    name = model_name()
    return load_model(name) if name else None


def flatten(quotes: Sequence[FoundQuote]) -> list[tuple[int, int, FoundQuote]]:
    """Each part of each quote, with its quote."""
    return [(start, end, quote) for quote in quotes for start, end in quote.parts]


# --------------------------------------------------------------------------
# Storing suggestions

# Articles stored in one transaction (``suggest_articles``).
BATCH_SIZE = 200

_gazetteer_cache: dict[tuple, Gazetteer] = {}


def _table_version() -> tuple:
    """Changes whenever a confirmed entity or an alias is added, changed or
    deleted: counts, newest primary keys and newest history rows. Entities
    the suggester proposes do not count, so proposing one keeps the cache."""
    confirmed = Q(status=Entity.Status.CONFIRMED)
    return (
        tuple(
            Entity.objects.aggregate(
                n=Count("pk", filter=confirmed), top=Max("pk", filter=confirmed)
            ).values()
        ),
        tuple(Alias.objects.aggregate(n=Count("pk"), top=Max("pk")).values()),
        Entity.history.filter(confirmed).aggregate(top=Max("history_id"))["top"],
        Alias.history.aggregate(top=Max("history_id"))["top"],
    )


def table_names() -> Iterable[tuple[str, GazetteerEntry]]:
    """Every confirmed entity's name and aliases, as ``Gazetteer`` takes them.

    A merged entity's names find the entity it was merged into.
    """
    rows = Entity.objects.values_list("pk", "name", "kind", "merged_into", "status")
    by_pk = {
        pk: (name, kind, target, status) for pk, name, kind, target, status in rows
    }

    def canonical(pk: int) -> int:
        seen = set()
        while by_pk[pk][2] is not None and pk not in seen:
            seen.add(pk)
            pk = by_pk[pk][2]
        return pk

    entries = {
        pk: GazetteerEntry(pk, name, kind)
        for pk, (name, kind, _, status) in by_pk.items()
        if status == Entity.Status.CONFIRMED
    }
    for pk, (name, *_) in by_pk.items():
        target = entries.get(canonical(pk))
        if target is not None:
            yield name, target
    for entity_pk, alias in Alias.objects.values_list("entity", "name").iterator(
        chunk_size=5000
    ):
        target = entries.get(canonical(entity_pk))
        if target is not None:
            yield alias, target


def gazetteer_from_db() -> Gazetteer:
    """The entity table's gazetteer, built again only when the table has
    changed since the last call in this process (see ``_table_version``)."""
    version = _table_version()
    cached = _gazetteer_cache.get(version)
    if cached is None:
        cached = Gazetteer(table_names())
        _gazetteer_cache.clear()
        _gazetteer_cache[version] = cached
        # Its half a million objects live as long as the process, and each
        # full garbage collection walked them all: 5% of the time spent
        # storing suggestions. Out of the collector's sight, they are still
        # freed when the gazetteer is dropped (they form no cycles).
        gc.freeze()
    return cached


@dataclass
class SuggestSummary:
    articles: int = 0
    mentions: int = 0
    quotes: int = 0
    new_entities: int = 0
    replaced: int = 0  # earlier suggested spans removed

    def __add__(self, other: SuggestSummary) -> SuggestSummary:
        return SuggestSummary(
            *(
                a + b
                for a, b in zip(vars(self).values(), vars(other).values(), strict=True)
            )
        )

    def __str__(self) -> str:
        articles = "1 article" if self.articles == 1 else f"{self.articles} articles"
        return (
            f"{articles}: {self.mentions} mentions, "
            f"{self.quotes} quotes, {self.new_entities} new entities proposed, "
            f"{self.replaced} earlier suggestions replaced"
        )


def suggest_article(*, article, gazetteer: Gazetteer | None = None) -> SuggestSummary:
    """Store fresh suggestions for one article; see ``suggest_articles``."""
    return suggest_articles(articles=[article], gazetteer=gazetteer)


def suggest_articles(
    *,
    articles: Iterable,
    gazetteer: Gazetteer | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[SuggestSummary], None] | None = None,
) -> SuggestSummary:
    """Find and store suggestions for ``articles``, one transaction a batch of
    ``batch_size``; ``progress`` gets the running total after each batch.

    Each article's earlier suggestions that no one has acted on (spans with
    status ``suggested`` and no review, the mentions on them, quotes whose
    parts are all such) are deleted first, so running again gives the same
    rows. A suggestion a reviewer rejected is not made again. Rows are
    written with a few bulk inserts for the whole batch, without history:
    suggestions are the machine's, and accepting one is the first change
    worth recording.

    When another batch follows, a writer thread stores this one on a
    connection of its own while this thread finds the next one's
    suggestions: Postgres's inserts and foreign-key checks then take no
    time of the detection's. Inside a transaction the caller holds (tests,
    ``seed``), which a second connection could not see, every batch is
    stored here, in that transaction.
    """
    batches = itertools.batched(articles, batch_size)
    batch = next(batches, None)
    if batch is None:
        return SuggestSummary()
    gazetteer = gazetteer or gazetteer_from_db()
    model = configured_model()
    total = SuggestSummary()

    def add(summary: SuggestSummary) -> None:
        nonlocal total
        total += summary
        if progress:
            progress(total)

    writer: ThreadPoolExecutor | None = None
    pending: Future[SuggestSummary] | None = None
    try:
        while batch is not None:
            found = dict(
                zip(
                    [article.pk for article in batch],
                    _find_all([article.body for article in batch], gazetteer, model),
                    strict=True,
                )
            )
            following = next(batches, None)
            if pending is not None:
                add(pending.result())
                pending = None
            if following is None or connection.in_atomic_block:
                add(_store_batch(batch, found))
            else:
                writer = writer or ThreadPoolExecutor(max_workers=1)
                pending = writer.submit(_store_batch, batch, found)
            batch = following
    finally:
        if writer is not None:
            # The thread's connection closes with it, once its last batch is
            # in. (connections.close_all closes the calling thread's; a bound
            # connection.close would be this thread's.)
            writer.submit(connections.close_all)
            writer.shutdown()
    return total


def _store_batch(articles: Sequence, found: dict[int, Suggestions]) -> SuggestSummary:
    with transaction.atomic():
        return _store(list(articles), found)


def _store(articles: list, found: dict[int, Suggestions]) -> SuggestSummary:
    ids = [article.pk for article in articles]
    machine = {"review__isnull": True, "article__in": ids}
    stale_entities = set(
        Mention.objects.filter(
            span__status=Span.Status.SUGGESTED,
            span__review__isnull=True,
            span__article__in=ids,
            entity__status=Entity.Status.SUGGESTED,
        ).values_list("entity", flat=True)
    )
    # Raw deletes, in an order of our own: the ORM's delete would write a
    # history row for each of thousands of machine suggestions, one by one.
    # Foreign keys are checked at commit.
    stale = Span.objects.filter(**machine, status=Span.Status.SUGGESTED)
    acted_on = Span.objects.filter(**machine).exclude(status=Span.Status.SUGGESTED)
    acted_quotes = acted_on.exclude(quote=None).values("quote")
    doomed = Quote.objects.filter(**machine).exclude(pk__in=acted_quotes)
    # Quotes that stay let go of the spans and mentions about to go.
    staying = Quote.objects.exclude(pk__in=doomed)
    staying.filter(cue__in=stale).update(cue=None)
    staying.filter(speaker_mention__span__in=stale).update(speaker_mention=None)
    db = Span.objects.db
    Mention.objects.filter(span__in=stale)._raw_delete(db)
    doomed._raw_delete(db)
    replaced = stale._raw_delete(db)
    # Rejected suggestions stay rejected: the same span is not offered again.
    rejected = set(
        Span.objects.filter(**machine, status=Span.Status.REJECTED).values_list(
            "article", "start", "end"
        )
    )
    summary = SuggestSummary(articles=len(articles), replaced=replaced)
    # Names to propose: one query finds those proposed before (by any run).
    new_names = {
        (m.name, m.kind)
        for suggestions in found.values()
        for m in suggestions.mentions
        if m.entity is None
    }
    proposed: dict[tuple[str, str], Entity] = {}
    if new_names:
        for entity in Entity.objects.filter(
            status=Entity.Status.SUGGESTED, name__in={name for name, _ in new_names}
        ).order_by("pk"):
            proposed.setdefault((entity.name, entity.kind), entity)

    def entity_for(mention: FoundMention) -> int:
        if mention.entity is not None:
            return mention.entity.key
        key = (mention.name, mention.kind)
        if key not in proposed:
            proposed[key] = Entity.objects.create_named(
                name=mention.name, kind=mention.kind, status=Entity.Status.SUGGESTED
            )
            summary.new_entities += 1
        return proposed[key].pk

    # What to write, article by article; rejected spans are left out.
    kept: list[tuple[object, list[FoundMention], list[FoundQuote]]] = []
    n_spans = 0
    for article in articles:
        article_id = article.pk
        suggestions = found[article_id]
        mentions = [
            m
            for m in suggestions.mentions
            if (article_id, m.start, m.end) not in rejected
        ]
        quotes = [
            q for q in suggestions.quotes if (article_id, *q.parts[0]) not in rejected
        ]
        kept.append((article, mentions, quotes))
        n_spans += len(mentions) + sum(len(q.parts) + bool(q.cue) for q in quotes)
    # Ids are drawn ahead from the sequences, so that rows can name each other
    # before any is written (the foreign keys are checked at commit).
    span_ids = iter(_next_ids(Span, n_spans))
    quote_ids = iter(_next_ids(Quote, sum(len(quotes) for _, _, quotes in kept)))
    # The time as text, which COPY parses: psycopg's datetime dumper would
    # take longer than all the rest of a span's row, twice a row.
    now = timezone.now().isoformat()
    suggested = Span.Status.SUGGESTED.value
    span_rows: list[tuple] = []
    mention_rows: list[tuple[int, int]] = []
    quote_rows: list[tuple] = []

    def span(
        article_id: int, body: str, start: int, end: int, *, origin=RULES, quote_id=None
    ) -> int:
        span_id = next(span_ids)
        exact, prefix, suffix = quote_selector(body, start, end)
        span_rows.append(
            (span_id, article_id, quote_id, start, end, exact, prefix, suffix)
            + (origin, suggested, now, now)
        )
        return span_id

    for article, mentions, quotes in kept:
        article_id, body = article.pk, article.body
        # id() of a found mention -> its span's id and its entity's.
        stored: dict[int, tuple[int, int]] = {}
        for m in mentions:
            row = (
                span(article_id, body, m.start, m.end, origin=m.origin),
                entity_for(m),
            )
            stored[id(m)] = row
            mention_rows.append(row)
        for quote in quotes:
            quote_id = next(quote_ids)
            mention_id, speaker = stored.get(id(quote.speaker_mention), (None, None))
            if speaker is None and quote.speaker is not None:
                speaker = quote.speaker.key
            cue_id = span(article_id, body, *quote.cue) if quote.cue else None
            quote_rows.append(
                (quote_id, article_id, speaker, mention_id, cue_id, quote.type)
                + (quote.confidence, now, now)
            )
            for start, end in quote.parts:
                span(article_id, body, start, end, quote_id=quote_id)
    _copy(Span, _SPAN_COLUMNS, span_rows)
    _copy(Mention, ("span_id", "entity_id"), mention_rows)
    _copy(Quote, _QUOTE_COLUMNS, quote_rows)
    # Proposals of the earlier run that this one did not make again.
    if stale_entities:
        Entity.objects.filter(
            pk__in=stale_entities,
            status=Entity.Status.SUGGESTED,
            mentions__isnull=True,
            quotes__isnull=True,
            merged_from__isnull=True,
        ).delete()

    summary.mentions = len(mention_rows)
    summary.quotes = len(quote_rows)
    return summary


@cache
def _sequence(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        return cursor.fetchone()[0]


def _next_ids(model, n: int) -> list[int]:
    """``n`` fresh primary keys from the table's own sequence."""
    if not n:
        return []
    sequence = _sequence(model._meta.db_table, model._meta.pk.column)
    with connection.cursor() as cursor:
        # The sequence named by a constant: pg_get_serial_sequence in the
        # select list would look it up again for every id, twenty times slower.
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, n]
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Rows into ``model``'s table by COPY: a tenth of ``bulk_create``'s
    time for thousands of suggested spans, as no model instance is built."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(column) for column in columns)
    )
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


_SPAN_COLUMNS = (
    *("id", "article_id", "quote_id", "start", "end", "exact", "prefix", "suffix"),
    *("origin", "status", "created_at", "updated_at"),
)


_QUOTE_COLUMNS = (
    *("id", "article_id", "speaker_id", "speaker_mention_id", "cue_id", "type"),
    *("confidence", "created_at", "updated_at"),
)
