"""Reporting clauses from the language model's parse: each verb of speech
with its subject (who spoke) and its clausal complement (what was said).

"Delgado said the victim was in stable condition": the verb "said", its
subject "Delgado", and its complement "the victim was in stable condition".
The parse finds them wherever the words stand ("said Dana Whitfield,
president of …", "Polly Nnamdi, Shelter's chief executive, said"), where
the rules could only look a few words either way.

Labels are Universal Dependencies' (the shipped pipeline's) or ClearNLP's
(spaCy's own English pipelines): both call the subject ``nsubj`` and the
complement ``ccomp``.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from annotations.suggest.lexicon import REPORTING_FORMS
from annotations.suggest.tokens import Article

SUBJECTS = frozenset({"nsubj", "nsubj:pass", "nsubjpass", "csubj"})
COMPLEMENTS = frozenset({"ccomp"})
# A participle or a second verb of speech takes its subject from the verb
# it hangs on: "Ruiz defended the plan, saying …", "was quoted as saying".
HANGING = frozenset({"advcl", "xcomp", "conj", "acl"})


@dataclass(frozen=True)
class Clause:
    """A verb in the article's tokens, with its subject's head token, the
    subject's tokens and its complement's (first and last), where it has
    them."""

    verb: int
    lemma: str
    subject: int | None
    subject_span: tuple[int, int] | None
    complement: tuple[int, int] | None
    # The subject's part of speech, as the model tags it ("PRON", "PRP").
    subject_tag: str = ""


def reporting_clauses(article: Article) -> dict[int, Clause]:
    """Every verb with a subject or a clausal complement, by its token in
    ``article``, with its lemma where it is a verb of speech (see
    ``lexicon.REPORTING_LEMMAS``). Empty without a parse.
    """
    parsed = article.parsed
    if parsed is None:
        return {}
    found = {}
    for token in parsed:
        if token.pos_ not in {"VERB", "AUX"} and token.tag_[:2] != "VB":
            continue
        verb = article.aligned(token.i)
        complement = next((c for c in token.children if c.dep_ in COMPLEMENTS), None)
        subject = _subject(token)
        if subject is None and complement is None:
            continue
        found[verb] = Clause(
            verb,
            REPORTING_FORMS.get(token.lower_, token.lemma_.lower()),
            article.aligned(subject.i) if subject is not None else None,
            _span(article, subject) if subject is not None else None,
            _span(article, complement) if complement is not None else None,
            (subject.pos_ or subject.tag_) if subject is not None else "",
        )
    return found


def _subject(verb: Token) -> Token | None:
    """The subject of ``verb``, or of the verb it hangs on."""
    for _ in range(3):
        subject = next((c for c in verb.children if c.dep_ in SUBJECTS), None)
        if subject is not None or verb.dep_ not in HANGING or verb.head is verb:
            return subject
        verb = verb.head
    return None


def _span(article: Article, token: Token) -> tuple[int, int]:
    """The article tokens of ``token``'s subtree."""
    return article.aligned(token.left_edge.i), article.aligned(token.right_edge.i)
