"""Tokens and sentences for the formats that need them (spaCy, CoNLL).

Tokens are spaCy's blank English tokenizer's, cut again wherever a span
starts or ends inside one, so that every span is whole tokens. Sentences
are spaCy's rule-based sentencizer's (a sentence ends after ``.``, ``!``,
``?`` and their like), with one more at each paragraph and none starting
inside a mention.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc


@cache
def pipeline() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def tokenize(
    text: str, *, cuts: Iterable[int], whole: Iterable[tuple[int, int]] = ()
) -> Doc:
    """``text`` as a Doc with a token boundary at each of ``cuts`` and no
    sentence starting inside any of the ``whole`` spans.

    >>> doc = tokenize("Londoners left. Mr. Ng\\n\\nstayed", cuts=[0, 6])
    >>> [t.text for t in doc]
    ['London', 'ers', 'left', '.', 'Mr.', 'Ng', '\\n\\n', 'stayed']
    >>> [s.text for s in doc.sents]
    ['Londoners left.', 'Mr. Ng\\n\\n', 'stayed']
    """
    nlp = pipeline()
    cuts = sorted(set(cuts))
    words: list[str] = []
    spaces: list[bool] = []
    for token in nlp.make_doc(text):
        start, end = token.idx, token.idx + len(token)
        inside = cuts[bisect.bisect_right(cuts, start) : bisect.bisect_left(cuts, end)]
        for first, last in itertools.pairwise([start, *inside, end]):
            words.append(text[first:last])
            spaces.append(False)
        spaces[-1] = bool(token.whitespace_)
    doc = nlp.get_pipe("sentencizer")(Doc(nlp.vocab, words=words, spaces=spaces))
    for token in doc[1:]:
        if doc[token.i - 1].is_space:
            token.is_sent_start = True
    for start, end in whole:
        span = doc.char_span(start, end, alignment_mode="contract")
        for token in span[1:] if span is not None else ():
            token.is_sent_start = False
    return doc
