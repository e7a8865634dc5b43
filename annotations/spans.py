"""Span arithmetic over article text. Pure functions, no Django.

Offsets are Unicode code point indices, ``[start, end)``, as the W3C Web
Annotation TextPositionSelector counts them (Python ``str`` indexing). The
browser counts UTF-16 code units; ``from_utf16`` and ``to_utf16`` convert.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Hashable, Iterable, Iterator
from difflib import SequenceMatcher
from typing import NamedTuple

CONTEXT = 32
PARAGRAPH_BREAK = "\n\n"


class SpanError(ValueError):
    """A span that does not fit the text; the message is meant for the user."""


class QuoteSelector(NamedTuple):
    exact: str
    prefix: str
    suffix: str


class Segment(NamedTuple):
    """A run of text covered by the same spans, ``keys``, from outermost in."""

    start: int
    end: int
    start16: int
    keys: tuple[Hashable, ...]


def utf16_length(text: str) -> int:
    """How many UTF-16 code units ``text`` takes, as JavaScript's ``length``.

    >>> utf16_length("a😀é")
    4
    """
    # Encoding runs in C: 50,000 characters in a few hundredths of a ms.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _bmp_only(text: str) -> bool:
    """True when every character is one UTF-16 unit, as in most articles:
    then UTF-16 positions are code point positions."""
    return utf16_length(text) == len(text)


def to_utf16(text: str, offset: int) -> int:
    """The UTF-16 position of code point ``offset`` in ``text``.

    >>> to_utf16("😀 hi", 2)
    3
    """
    if not 0 <= offset <= len(text):
        raise SpanError(f"Position {offset} is outside the text.")
    return utf16_length(text[:offset])


def from_utf16(text: str, offset16: int) -> int:
    """The code point position of UTF-16 position ``offset16`` in ``text``.

    >>> from_utf16("😀 hi", 3)
    2
    >>> from_utf16("😀 hi", 1)
    Traceback (most recent call last):
    ...
    annotations.spans.SpanError: Position 1 falls inside a character.
    """
    if offset16 < 0:
        raise SpanError(f"Position {offset16} is outside the text.")
    if _bmp_only(text):
        if offset16 > len(text):
            raise SpanError(f"Position {offset16} is outside the text.")
        return offset16
    units = 0
    for index, char in enumerate(text):
        if units == offset16:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
        if units > offset16:
            raise SpanError(f"Position {offset16} falls inside a character.")
    if units == offset16:
        return len(text)
    raise SpanError(f"Position {offset16} is outside the text.")


def check_span(text: str, start: int, end: int, exact: str | None = None) -> None:
    """Raise ``SpanError`` unless ``[start, end)`` is a non-empty span of ``text``
    whose words are ``exact`` (when given).

    >>> check_span("Not yet, he said", 0, 7, "Not yet")
    >>> check_span("Not yet, he said", 0, 7, "Not yes")
    Traceback (most recent call last):
    ...
    annotations.spans.SpanError: The text at 0–7 is 'Not yet', not 'Not yes'.
    """
    if start < 0:
        raise SpanError("A span cannot start before the text.")
    if end > len(text):
        raise SpanError(f"A span cannot end past the text ({len(text)} characters).")
    if start >= end:
        raise SpanError("A span must start before it ends.")
    for edge in (start, end):
        if 0 < edge < len(text) and text[edge - 1 : edge + 1] == PARAGRAPH_BREAK:
            raise SpanError("A span cannot start or end between two paragraphs.")
    if exact is not None and text[start:end] != exact:
        raise SpanError(
            f"The text at {start}–{end} is {_clip(text[start:end])!r}, "
            f"not {_clip(exact)!r}."
        )


def quote_selector(
    text: str, start: int, end: int, context: int = CONTEXT
) -> QuoteSelector:
    """The W3C TextQuoteSelector for ``text[start:end]``.

    >>> quote_selector("Abadi said, “Not yet,” adding", 13, 21, context=6)
    QuoteSelector(exact='Not yet,', prefix='aid, “', suffix='” addi')
    """
    check_span(text, start, end)
    return QuoteSelector(
        exact=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
    )


def segments(text: str, spans: Iterable[tuple[int, int, Hashable]]) -> list[Segment]:
    """Cut ``text`` at every span boundary and paragraph break.

    Each segment lists the keys of the spans that cover it, longer (outer)
    spans first, so nested and overlapping spans can all be drawn. Paragraph
    breaks come out as segments of their own, covered or not.

    >>> [(text[s.start:s.end], s.keys) for text in ["ab cd"]
    ...  for s in segments(text, [(0, 5, "q"), (3, 5, "m")])]
    [('ab ', ('q',)), ('cd', ('q', 'm'))]
    """
    spans = sorted(
        ((start, end, key) for start, end, key in spans),
        key=lambda span: (span[0], -span[1]),
    )
    cuts = {0, len(text)}
    for start, end, _ in spans:
        check_span(text, start, end)
        cuts.update((start, end))
    position = text.find(PARAGRAPH_BREAK)
    while position != -1:
        cuts.update((position, position + len(PARAGRAPH_BREAK)))
        position = text.find(PARAGRAPH_BREAK, position + len(PARAGRAPH_BREAK))
    bounds = sorted(cuts)

    # Sweep: spans open at their start cut and close at their end cut. They
    # open in (start, -end) order at ever later cuts, so appending keeps
    # ``active`` sorted, outermost first.
    opening: dict[int, list] = {}
    for span in spans:
        opening.setdefault(span[0], []).append(span)
    ends = {span[1] for span in spans}
    bmp = _bmp_only(text)
    active: list[tuple[int, int, Hashable]] = []
    keys: tuple[Hashable, ...] = ()
    result = []
    start16 = 0
    for left, right in zip(bounds, bounds[1:], strict=False):
        if left in ends or left in opening:
            active = [span for span in active if span[1] > left]
            active.extend(opening.get(left, ()))
            keys = tuple(span[2] for span in active)
        result.append(Segment(left, right, left if bmp else start16, keys))
        if not bmp:
            start16 += utf16_length(text[left:right])
    return result


def _paragraph_starts(text: str) -> list[int]:
    # Breaks found left to right, as ``segments`` cuts them.
    starts = [0]
    position = text.find(PARAGRAPH_BREAK)
    while position != -1:
        starts.append(position + len(PARAGRAPH_BREAK))
        position = text.find(PARAGRAPH_BREAK, position + len(PARAGRAPH_BREAK))
    return starts


def paragraph_of(text: str, offset: int) -> int:
    """Index of the paragraph holding code point ``offset``.

    >>> paragraph_of("One.\\n\\nTwo.", 6)
    1
    """
    return bisect.bisect_right(_paragraph_starts(text), offset) - 1


class Paragraphs(NamedTuple):
    """Whole paragraphs ``text[start:end]``, the first being number ``first``."""

    start: int
    end: int
    first: int


def paragraphs_around(text: str, start: int, end: int) -> Paragraphs:
    """The paragraphs that ``text[start:end]`` touches.

    >>> paragraphs_around("One.\\n\\nTwo and\\n\\nthree.", 8, 10)
    Paragraphs(start=6, end=13, first=1)
    """
    check_span(text, start, end)
    starts = _paragraph_starts(text)
    first = bisect.bisect_right(starts, start) - 1
    last = bisect.bisect_left(starts, end)  # the paragraph after the span
    return Paragraphs(
        starts[first],
        starts[last] - len(PARAGRAPH_BREAK) if last < len(starts) else len(text),
        first,
    )


def offset_map(source: str, target: str) -> list[int]:
    """Where each position of ``source`` lands in ``target``, a copy of it
    with only its white space changed (as ``canonical_body`` changes it).

    ``result[i]`` is the position in ``target`` of ``source[i]``; a position
    inside a run of white space maps to the start of the run it became.

    >>> m = offset_map("One.\\nTwo.", "One.\\n\\nTwo.")
    >>> m[5], m[9]
    (6, 10)
    """
    result = [0] * (len(source) + 1)
    i = j = 0
    while i < len(source):
        if source[i].isspace() or (j < len(target) and target[j].isspace()):
            run_end = i
            while run_end < len(source) and source[run_end].isspace():
                run_end += 1
            result[i:run_end] = [j] * (run_end - i)
            while j < len(target) and target[j].isspace():
                j += 1
            i = run_end
            continue
        if j >= len(target) or source[i] != target[j]:
            raise SpanError(
                f"The texts differ at {i} ({source[i]!r}), not only in white space."
            )
        result[i] = j
        i += 1
        j += 1
    result[len(source)] = len(target)
    return result


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- re-anchoring after an edit of the text -------------------------------

# Diff levels, coarse to fine: paragraphs, sentences, then words with the
# space after them; within words that changed, characters. Coarse first keeps
# a 50,000 character body with a few edits to a few milliseconds, and a
# sentence moved whole moves as one (a word diff would match “said no.”
# across two swapped sentences). The breaks between paragraphs and sentences
# are tokens of their own, so a sentence matches wherever it ends.
_PARAGRAPHS = re.compile(r"(\n\n)")
_SENTENCES = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’»)\]]))(\s+)")
_WORDS = re.compile(r"\S+\s*|\s+")
_DIFF_LEVELS = (_PARAGRAPHS.split, _SENTENCES.split, _WORDS.findall)
# Where a sentence or paragraph ends, and how far to look for one.
_BREAK = re.compile(_SENTENCES.pattern + "|\n\n")
_REACH = 2_000
# Character diffs cost about the product of the two lengths; past this a
# changed stretch counts as all new, and its spans are looked for by context.
_CHAR_DIFF_LIMIT = 2_000_000


class Kept(NamedTuple):
    """``old[old : old + size] == new[new : new + size]``: text an edit kept."""

    old: int
    new: int
    size: int


class Candidate(NamedTuple):
    """A place the curator may re-attach a span to, best first.

    ``similarity`` is 1.0 when the text there is the span's own words;
    ``context`` is the share of the old prefix and suffix found around it.
    """

    start: int
    end: int
    similarity: float
    context: float


class TextEdit:
    """How an edit turned ``old`` into ``new``: which text it kept, and where.

    Built once per edit; ``place`` then re-anchors each span in logarithmic
    time, so a body with thousands of spans is re-anchored in one pass.

    >>> edit = TextEdit("Abadi said no.", "Yesterday Abadi said no.")
    >>> edit.place(exact="said", prefix="Abadi ", suffix=" no.", start=6, end=10)
    (16, 20)
    """

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        self.kept = _kept(old, new)
        self._old_starts = [block.old for block in self.kept]
        self._new_starts = [block.new for block in self.kept]
        # The stretches of ``new`` the edit typed in: only there can a span
        # whose own text went missing have moved to.
        self.inserted: list[tuple[int, int]] = []
        position = 0
        for block in [*self.kept, Kept(len(old), len(new), 0)]:
            if block.new > position:
                self.inserted.append((position, block.new))
            position = block.new + block.size

    def map_position(self, offset: int, *, end: bool = False) -> int | None:
        """Where the character at ``offset`` of the old text went (with
        ``end``, the position just after character ``offset - 1``); ``None``
        when the edit removed or replaced that character.

        >>> TextEdit("ab", "xab").map_position(1), TextEdit("ab", "b").map_position(0)
        (2, None)
        """
        char = offset - 1 if end else offset
        index = bisect.bisect_right(self._old_starts, char) - 1
        if index < 0 or char >= self.kept[index].old + self.kept[index].size:
            return None
        block = self.kept[index]
        return block.new + offset - block.old

    def place(
        self, *, exact: str, prefix: str, suffix: str, start: int, end: int
    ) -> tuple[int, int] | None:
        """The new ``(start, end)`` of the span ``old[start:end] == exact``, or
        ``None`` when it cannot be placed with confidence (orphaned).

        A span whose text the edit kept follows it. One whose text was edited
        or deleted is looked for in the text the edit typed in (a moved
        sentence), chosen by its prefix and suffix; a tie, or too little of
        the context around it, leaves it unplaced. It is only ever placed
        where ``new[start:end] == exact``.

        >>> edit = TextEdit("He said no. She said no.", "She said no.")
        >>> edit.place(exact="no", prefix="aid ", suffix=".", start=8, end=10)
        """
        if self.old[start:end] == exact and exact:
            size = len(exact)
            new_start = self.map_position(start)
            new_end = self.map_position(end, end=True)
            # A kept edge whose words follow it is the span; an insertion right
            # at the other edge can split the words over two kept blocks. The
            # words there must be the span's own kept text or typed in, not
            # text kept from outside it.
            places = []
            for s in (new_start, None if new_end is None else new_end - size):
                if s is None or self.new[s : s + size] != exact:
                    continue
                own = self._own(s, s + size, start, end)
                if own is not None:
                    score = _context_score(self.new, s, s + size, prefix, suffix)
                    places.append((score, own, -s))
            if places:
                s = -max(places)[2]
                chosen = (s, s + size)
                return self._rival(chosen, exact, prefix, suffix) or chosen
        return self.find(exact=exact, prefix=prefix, suffix=suffix)

    def _own(self, low: int, high: int, start: int, end: int) -> int | None:
        """How many characters of ``new[low:high]`` the edit kept from
        ``old[start:end]``; ``None`` if it kept any from elsewhere there."""
        own = 0
        index = max(0, bisect.bisect_right(self._new_starts, low) - 1)
        for block in self.kept[index:]:
            if block.new >= high:
                break
            first = max(low, block.new)
            last = min(high, block.new + block.size)
            if first >= last:
                continue
            old_first = block.old + first - block.new
            if old_first < start or old_first + last - first > end:
                return None
            own += last - first
        return own

    def _rival(
        self, chosen: tuple[int, int], exact: str, prefix: str, suffix: str
    ) -> tuple[int, int] | None:
        """A copy of the words near ``chosen`` whose surroundings are the old
        ones, when the diff's place has lost them.

        Swapping “A said no. B said no.” keeps the middle “said no.” for the
        diff, which would give A's “no” to B; the context tells them apart.
        Only a copy placed by context alone (see ``_choose``) and strictly
        better than the diff's place wins.
        """
        score = _context_score(self.new, *chosen, prefix, suffix)
        if score == len(prefix) + len(suffix):
            return None  # nothing can match better: the usual case, and quick
        low = max(0, chosen[0] - _NEIGHBOURHOOD)
        high = min(len(self.new), chosen[1] + _NEIGHBOURHOOD)
        others = [
            low + position
            for position in occurrences(self.new[low:high], exact)
            if low + position != chosen[0]
        ]
        rival = _choose(self.new, others, exact, prefix, suffix)
        if rival and _context_score(self.new, *rival, prefix, suffix) > score:
            return rival
        return None

    def find(self, *, exact: str, prefix: str, suffix: str) -> tuple[int, int] | None:
        """``exact`` in the text the edit typed in, chosen by its context.

        >>> TextEdit("One.", "Two. One.").find(exact="Two", prefix="", suffix=". One.")
        (0, 3)
        """
        if not exact:
            return None
        starts: set[int] = set()
        for low, high in self.inserted:
            # Occurrences that overlap the typed-in text by a character or more.
            stop = min(len(self.new), high + len(exact) - 1)
            position = self.new.find(exact, max(0, low - len(exact) + 1), stop)
            while position != -1:
                starts.add(position)
                position = self.new.find(exact, position + 1, stop)
        return _choose(self.new, sorted(starts), exact, prefix, suffix)


def reanchor(
    new_text: str,
    *,
    exact: str,
    prefix: str,
    suffix: str,
    start: int,
    end: int,
    old_text: str | None = None,
) -> tuple[int, int] | None:
    """Where the span ``exact`` (once at ``start``–``end``) is in ``new_text``.

    With ``old_text`` the edit is diffed and the span follows its text (see
    ``TextEdit``; build one ``TextEdit`` for many spans of one edit). Without
    it, ``exact`` is looked for everywhere and chosen by ``prefix`` and
    ``suffix``. ``None`` when it cannot be placed with confidence: never a
    span on the wrong words.

    >>> reanchor("Rain. Abadi said no, and no again.", exact="no",
    ...          prefix="Abadi said ", suffix=", and", start=11, end=13)
    (17, 19)
    >>> reanchor("He said no, no.", exact="no", prefix="", suffix="", start=8, end=10)
    """
    if old_text is not None:
        return TextEdit(old_text, new_text).place(
            exact=exact, prefix=prefix, suffix=suffix, start=start, end=end
        )
    return _choose(new_text, list(occurrences(new_text, exact)), exact, prefix, suffix)


def candidates(
    text: str,
    *,
    exact: str,
    prefix: str,
    suffix: str,
    near: int = 0,
    limit: int = 8,
) -> list[Candidate]:
    """Places in ``text`` a curator might re-attach an orphaned span to.

    First the span's own words wherever they are, then stretches that look
    like them: between the old prefix and suffix when those are still there,
    and between its first and last words. Ties go to the place nearest
    ``near`` (the span's old start); a common word is followed from its
    ``_NEAREST`` occurrences nearest there, not from every one.

    >>> [text[c.start:c.end] for text in ["Sen. Rogachyov said no."]
    ...  for c in candidates(text, exact="Rogachev", prefix="Sen. ", suffix=" said")]
    ['Rogachyov']
    """
    found: dict[tuple[int, int], Candidate] = {}

    def add(start: int, end: int) -> None:
        if (start, end) in found or not 0 <= start < end <= len(text):
            return
        try:
            check_span(text, start, end)
        except SpanError:
            return
        words = text[start:end]
        if words == exact:
            similarity = 1.0
        else:
            matcher = SequenceMatcher(None, words, exact, autojunk=False)
            if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
                return
            similarity = matcher.ratio()
            if similarity < 0.5:
                return
        context = _context_score(text, start, end, prefix, suffix)
        share = context / (len(prefix) + len(suffix)) if prefix or suffix else 1.0
        found[start, end] = Candidate(start, end, similarity, share)

    for position in _nearest(text, exact, near):
        add(position, position + len(exact))
    longest = 2 * len(exact) + CONTEXT
    # Between what is left of the old context on either side.
    before, after = prefix[-12:].lstrip(), suffix[:12].rstrip()
    if before and after:
        for position in _nearest(text, before, near):
            start = position + len(before)
            close = text.find(after, start + 1, start + longest + len(after))
            if close != -1:
                add(start, close)
    # Between the first and the last of its words.
    words = re.findall(r"\w+", exact)
    if words:
        head, tail = words[0], words[-1]
        lead = exact.find(head)
        trail = len(exact) - exact.rfind(tail) - len(tail)
        for position in _nearest(text, head, near):
            last = text.find(tail, position, position + longest)
            if last != -1:
                add(position - lead, last + len(tail) + trail)
                add(position, last + len(tail))
    ranked = sorted(
        found.values(),
        key=lambda c: (-c.similarity, -c.context, abs(c.start - near)),
    )
    return ranked[:limit]


_NEAREST = 100


def _nearest(text: str, words: str, near: int) -> list[int]:
    return sorted(occurrences(text, words), key=lambda p: abs(p - near))[:_NEAREST]


def occurrences(text: str, words: str) -> Iterator[int]:
    """Every start of ``words`` in ``text``, overlapping ones too.

    >>> list(occurrences("no, no, no", "no")), list(occurrences("aaa", "aa"))
    ([0, 4, 8], [0, 1])
    """
    if not words:
        return
    position = text.find(words)
    while position != -1:
        yield position
        position = text.find(words, position + 1)


def _common_prefix_length(a: str, b: str) -> int:
    # Halve the stretch until it is equal: slices compare in C, so a long
    # shared head costs a few dozen comparisons, not a loop per character.
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix_length(a: str, b: str) -> int:
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle : len(a) - low] == b[len(b) - middle : len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low


def _kept(old: str, new: str) -> list[Kept]:
    """The text ``new`` keeps from ``old``, in order, as ``Kept`` blocks."""
    head = _common_prefix_length(old, new)
    tail = _common_suffix_length(old[head:], new[head:])
    # What both share at either end is kept, back to whole sentences: the
    # diff then sees the sentences that changed whole (see _DIFF_LEVELS).
    breaks = [m.end() for m in _BREAK.finditer(old, max(0, head - _REACH), head)]
    head = breaks[-1] if breaks else head
    after = _BREAK.search(old, len(old) - tail, len(old) - tail + _REACH)
    tail = len(old) - after.start() if after else tail
    blocks = [Kept(0, 0, head)]
    _diff(old, new, (head, len(old) - tail), (head, len(new) - tail), 0, blocks)
    blocks.append(Kept(len(old) - tail, len(new) - tail, tail))
    merged: list[Kept] = []
    for block in blocks:
        if not block.size:
            continue
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.old + last.size == block.old
            and last.new + last.size == block.new
        ):
            merged[-1] = last._replace(size=last.size + block.size)
            continue
        merged.append(block)
    return merged


def _diff(
    old: str,
    new: str,
    old_range: tuple[int, int],
    new_range: tuple[int, int],
    level: int,
    blocks: list[Kept],
) -> None:
    (a0, a1), (b0, b1) = old_range, new_range
    if a0 == a1 or b0 == b1:
        return
    if level == len(_DIFF_LEVELS):
        if (a1 - a0) * (b1 - b0) <= _CHAR_DIFF_LIMIT:
            matcher = SequenceMatcher(None, old[a0:a1], new[b0:b1], autojunk=False)
            blocks.extend(
                Kept(a0 + a, b0 + b, size)
                for a, b, size in matcher.get_matching_blocks()
                if size
            )
        return
    tokens = _DIFF_LEVELS[level]
    old_tokens = [token for token in tokens(old[a0:a1]) if token]
    new_tokens = [token for token in tokens(new[b0:b1]) if token]
    old_at = list(itertools.accumulate(map(len, old_tokens), initial=a0))
    new_at = list(itertools.accumulate(map(len, new_tokens), initial=b0))
    # Breaks are junk: frequent, they would make the matcher slow, and
    # matches still grow over them.
    junk = str.isspace if tokens is not _WORDS.findall else None
    matcher = SequenceMatcher(junk, old_tokens, new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            blocks.append(Kept(old_at[i1], new_at[j1], old_at[i2] - old_at[i1]))
        elif tag == "replace" and level == 0 and i2 - i1 == j2 - j1:
            # As many paragraphs each side: most likely each was edited in
            # place, and pairs diff far faster than the whole stretch.
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                old_pair = (old_at[i], old_at[i + 1])
                _diff(old, new, old_pair, (new_at[j], new_at[j + 1]), level + 1, blocks)
        elif tag == "replace":
            old_part, new_part = (old_at[i1], old_at[i2]), (new_at[j1], new_at[j2])
            _diff(old, new, old_part, new_part, level + 1, blocks)


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of ``prefix`` and ``suffix`` surround ``start``–``end``."""
    before = text[max(0, start - len(prefix)) : start]
    return _common_suffix_length(before, prefix) + _common_prefix_length(
        text[end : end + len(suffix)], suffix
    )


# How far from the diff's place a copy of the words with a better context is
# looked for: sentences swapped within a paragraph or two.
_NEIGHBOURHOOD = 1_000
# The shortest passage (context and words) that places a span by context alone.
_LEAST_PASSAGE = CONTEXT // 2


def _choose(
    text: str,
    starts: list[int],
    exact: str,
    prefix: str,
    suffix: str,
    least: int | None = None,
) -> tuple[int, int] | None:
    """The one start whose surroundings best match ``prefix`` and ``suffix``.

    ``None`` on a tie, or when under ``least`` characters of context match: a
    guess is worse than an orphan. By default the words and the context found
    with them must make a passage of half the context's length, as much as
    there is: a sentence moved whole passes, “no” typed in afresh does not.
    """
    if least is None:
        whole = len(prefix) + len(exact) + len(suffix)
        least = min(whole, _LEAST_PASSAGE) - len(exact)
    scored = sorted(
        ((_context_score(text, s, s + len(exact), prefix, suffix), s) for s in starts),
        reverse=True,
    )
    if not scored or scored[0][0] < least:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    start = scored[0][1]
    try:
        check_span(text, start, start + len(exact), exact)
    except SpanError:
        return None
    return start, start + len(exact)
