"""Span arithmetic over article text. Pure functions, no Django.

Offsets are Unicode code point indices, ``[start, end)``, as the W3C Web
Annotation TextPositionSelector counts them.
"""

from __future__ import annotations

from typing import NamedTuple

CONTEXT = 32


class QuoteSelector(NamedTuple):
    exact: str
    prefix: str
    suffix: str


def quote_selector(
    text: str, start: int, end: int, context: int = CONTEXT
) -> QuoteSelector:
    """The W3C TextQuoteSelector for ``text[start:end]``.

    >>> quote_selector("Abadi said, “Not yet,” adding", 13, 21, context=6)
    QuoteSelector(exact='Not yet,', prefix='aid, “', suffix='” addi')
    """
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span [{start}, {end}) is not inside a text of {len(text)}")
    return QuoteSelector(
        exact=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
    )
