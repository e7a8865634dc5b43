"""Span arithmetic over article text. Pure functions, no Django.

Offsets are Unicode code point indices, ``[start, end)``, as the W3C Web
Annotation TextPositionSelector counts them (Python ``str`` indexing). The
browser counts UTF-16 code units; ``from_utf16`` and ``to_utf16`` convert.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable
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


def paragraph_of(text: str, offset: int) -> int:
    """Index of the paragraph holding code point ``offset``.

    >>> paragraph_of("One.\\n\\nTwo.", 6)
    1
    """
    starts = [0]
    position = text.find(PARAGRAPH_BREAK)
    while position != -1:
        starts.append(position + len(PARAGRAPH_BREAK))
        position = text.find(PARAGRAPH_BREAK, position + len(PARAGRAPH_BREAK))
    return bisect.bisect_right(starts, offset) - 1


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
