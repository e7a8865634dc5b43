"""Text normalisation shared by articles and entity names."""

from __future__ import annotations

import unicodedata

from anyascii import anyascii


def canonical_body(text: str) -> str:
    """The canonical article body: NFC, one paragraph a block, blank line between.

    Every non-blank line of the input is a paragraph; runs of spaces and tabs
    inside a paragraph fold to one space.

    >>> canonical_body("  First  para.\\r\\nSecond.\\n\\n\\nThird.\\n")
    'First para.\\n\\nSecond.\\n\\nThird.'
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    # split() folds every run of white space and trims both ends, as a regex
    # would, three times faster: imports spend their time here.
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n\n".join(line for line in lines if line)


class _Folds(dict):
    """``str.translate`` table for ``normalize_name``, filled as characters
    are met: a combining mark goes; a Latin letter that has no accent to
    strip (Ł, Ø, Đ, Þ, Æ) and punctuation (’, ‐) become ASCII; letters of
    other scripts stay, so names only match within their own script.
    Transliterating them would make names match that only look alike in
    Latin letters (Arabic loses its vowels; Chinese, its tones)."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        if unicodedata.combining(char):
            folded = None
        elif char.isascii() or not (
            unicodedata.name(char, "").startswith(("LATIN ", "MODIFIER LETTER "))
            or unicodedata.category(char).startswith("P")
        ):
            folded = char
        else:
            folded = anyascii(char).casefold()
        self[code] = folded
        return folded


_FOLDS = _Folds()


def normalize_name(name: str) -> str:
    """Casefolded, accents stripped, Latin letters and punctuation in ASCII,
    spaces folded: the key names and aliases match on.

    >>> normalize_name("  Feridun SİNİRLİOĞLU ")
    'feridun sinirlioglu'
    >>> normalize_name("Novak Đoković"), normalize_name("Conan O’Brien")
    ('novak dokovic', "conan o'brien")
    >>> normalize_name("Łódź"), normalize_name("Þórsdóttir"), normalize_name("Øygard")
    ('lodz', 'thorsdottir', 'oygard')
    >>> normalize_name("Ёлкин")
    'елкин'
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join(decomposed.translate(_FOLDS).split())


# Each of these is one syllable, written without spaces between them.
_SYLLABLES = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HANGUL SYLLABLE")


def ascii_spelling(name: str) -> str:
    """``name`` transliterated into ASCII, for slugs: readable in any script.

    >>> ascii_spelling("Novak Đoković"), ascii_spelling("Владимир Путин")
    ('Novak Dokovic', 'Vladimir Putin')
    >>> " ".join(ascii_spelling("习近平").split())
    'Xi Jin Ping'
    """
    return "".join(
        f" {anyascii(char)} "
        if unicodedata.name(char, "").startswith(_SYLLABLES)
        else anyascii(char)
        for char in name
    )
