"""Text normalisation shared by articles and entity names."""

from __future__ import annotations

import unicodedata


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


def normalize_name(name: str) -> str:
    """Casefolded, accents stripped, spaces folded: the key aliases match on.

    >>> normalize_name("  Feridun SİNİRLİOĞLU ")
    'feridun sinirlioglu'
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())
