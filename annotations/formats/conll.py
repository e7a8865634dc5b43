"""Reviews as CoNLL-2003 named entities: a token a line, then its tag.

Each review is a document that starts with a ``-DOCSTART- O`` line; a blank
line ends each sentence. Two columns, the token and its IOB2 tag
(``B-PERSON`` starts a mention, ``I-PERSON`` continues it, ``O`` is outside
any), as spaCy's ``spacy convert`` and most NER tools read them. Tokens
and sentences are ``tokens.tokenize``'s and the mentions ``docbin.to_doc``'s
entities: where mentions overlap, the longest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from annotations.formats.docbin import to_doc


def export_conll(records: Iterable[dict]) -> Iterator[str]:
    for record in records:
        yield "-DOCSTART- O\n\n"
        for sentence in to_doc(record).sents:
            lines = [
                f"{token.text} {token.ent_iob_}-{token.ent_type_}"
                if token.ent_type_
                else f"{token.text} O"
                for token in sentence
                if not token.is_space
            ]
            if lines:
                yield "\n".join(lines) + "\n\n"
