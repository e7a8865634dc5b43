"""Quotation marks: the stretches of text between them, and each one's type."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from annotations.suggest.lexicon import (
    AMBIGUOUS,
    BEFORE_DIRECT,
    BEFORE_OPENING,
    CLOSE_DOUBLE,
    CLOSE_SINGLE,
    MARKS,
    OPEN_DOUBLE,
    OPEN_SINGLE,
    PARAGRAPHS,
)
from annotations.suggest.results import DIRECT, PARTIAL
from annotations.suggest.tokens import Article


@dataclass
class RawQuote:
    # Content spans, one per paragraph, strictly between the marks.
    parts: list[tuple[int, int]]
    opening: int  # position of the first opening mark
    closing: int  # position of the last closing mark


def find_quoted(text: str) -> list[RawQuote]:
    """Stretches of ``text`` between quotation marks, outermost only.

    Straight and curly marks; single marks inside double ones belong to the
    outer quote; an apostrophe (Turkey’s, don't) is not a mark. A quote whose
    paragraph ends before its closing mark goes on when the next paragraph
    opens with the same mark, as news style writes a quote of several
    paragraphs; otherwise it is dropped.

    >>> [text[s:e] for text in ['He said “it’s ‘odd’,” she said “no”']
    ...  for q in find_quoted(text) for s, e in q.parts]
    ['it’s ‘odd’,', 'no']
    >>> [text[s:e] for text in ["''We won,'' she said. 'Yes'"]
    ...  for q in find_quoted(text) for s, e in q.parts]
    ['We won,', 'Yes']
    """
    quotes: list[RawQuote] = []
    # Open quotes, outermost first: (kind, position of the mark).
    stack: list[tuple[str, int]] = []
    parts: list[tuple[int, int]] = []  # earlier paragraphs of the outer quote
    first_opening = -1
    breaks = [m.start() for m in PARAGRAPHS.finditer(text)]
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
    for match in MARKS.finditer(text):
        position, last = match.start(), match.end() - 1
        char = text[position]
        if position >= current_paragraph_end:
            # A paragraph break: a quote still open goes on only if this
            # paragraph opens with its mark again.
            if stack:
                kind, opened = stack[0]
                next_start = current_paragraph_end
                while next_start < length and text[next_start].isspace():
                    next_start += 1
                if position == next_start and _opens(text, last, kind):
                    part = content(opened + 1, current_paragraph_end)
                    if part:
                        parts.append(part)
                    stack = [(kind, last)]
                    current_paragraph_end = paragraph_end(position)
                    continue
                stack, parts = [], []
            current_paragraph_end = paragraph_end(position)
        before = text[position - 1] if position else " "
        after = text[position + 1] if position + 1 < length else " "
        if before.isalnum() and after.isalnum() and char in "'’":
            continue  # an apostrophe inside a word
        kind = "double" if last > position else _mark_kind(char)
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
                        RawQuote(
                            all_parts,
                            first_opening if parts else opened,
                            position,
                        )
                    )
                parts = []
            continue
        if _opens(text, last, kind) and not (top == kind and len(stack) == 1):
            if not stack:
                first_opening = position
            # The content starts after the mark's last character.
            stack.append((kind, last))
    return quotes


def _mark_kind(char: str) -> str:
    if char in OPEN_DOUBLE or char in CLOSE_DOUBLE:
        return "double"
    if char in OPEN_SINGLE or char in CLOSE_SINGLE:
        return "single"
    return AMBIGUOUS[char]


def _opens(text: str, position: int, kind: str) -> bool:
    char = text[position]
    if char in CLOSE_DOUBLE or char in CLOSE_SINGLE:
        return False
    before = text[position - 1] if position else " "
    after = text[position + 1] if position + 1 < len(text) else " "
    if after.isspace():
        return False
    if char in OPEN_DOUBLE or char in OPEN_SINGLE:
        return True
    # A straight mark opens after a space or an opening bracket or mark.
    return before in BEFORE_OPENING or before in "“‘\"'"


def _closes(text: str, position: int, kind: str) -> bool:
    char = text[position]
    if char in OPEN_DOUBLE or char in OPEN_SINGLE:
        return False
    before = text[position - 1] if position else " "
    after = text[position + 1] if position + 1 < len(text) else " "
    # A straight mark after a space opens, unless nothing follows it either:
    # "… vote for her,' " Sanders said (a space between nested closings).
    if before.isspace() and char in "\"'" and not (char == '"' and after.isspace()):
        return False
    # A closing single mark followed by a letter is an apostrophe.
    return not (kind == "single" and after.isalnum())


def quote_type(article: Article, part: tuple[int, int], opening: int) -> str:
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
    return DIRECT if before in BEFORE_DIRECT else PARTIAL
