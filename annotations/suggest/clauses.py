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

from annotations.suggest.lexicon import (
    INTENT_LEMMAS,
    RELATIVE_SUBJECTS,
    REPORTING_FORMS,
    REPORTING_LEMMAS,
    WRITERS_ADDITIONS,
)
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
    # The cue's last token, past the verb's: "according to".
    cue_last: int | None = None
    # What the verb reports, clause or not: its complement, or its object
    # ("condemning “what appears to be a horrific attack”").
    said: tuple[int, int] | None = None
    # Whether the subject is the verb's own or that of the verb a
    # participle hangs on ("Okafor said, adding, …").
    inherited: bool = False
    # For a relative pronoun subject, the token of the noun it stands for:
    # "Thomas Perez, who said he expects …".
    relative_to: int | None = None

    @property
    def of_speech(self) -> bool:
        """Whether the verb reports what its subject said or holds."""
        return (
            self.lemma in REPORTING_LEMMAS
            or self.lemma in INTENT_LEMMAS
            or self.lemma == "according to"
        )

    @property
    def cue(self) -> tuple[int, int]:
        """The cue's first and last token."""
        return self.verb, self.cue_last if self.cue_last is not None else self.verb


def reporting_clauses(article: Article) -> dict[int, Clause]:
    """Every verb with a subject or a clausal complement, by its token in
    ``article``, with its lemma where it is a verb of speech (see
    ``Clause.of_speech``), and each "according to". Empty without a parse.
    """
    parsed = article.parsed
    if parsed is None:
        return {}
    found = {}
    for token in parsed:
        if token.lower_ == "according" and token.nbor(1).lower_ == "to":
            clause = _according_to(article, token)
            if clause is not None:
                found[clause.verb] = clause
            continue
        if token.pos_ not in {"VERB", "AUX"} and token.tag_[:2] != "VB":
            continue
        verb = article.aligned(token.i)
        lemma = REPORTING_FORMS.get(token.lower_, token.lemma_.lower())
        complement = _complement(token, lemma)
        subject = _subject(article, token)
        if complement is not None:
            reported = _content(article, complement)
        elif lemma in REPORTING_LEMMAS and subject is not None:
            reported = _reported_before(article, token)
        else:
            reported = None
        if subject is None and reported is None:
            continue
        said = complement or next(
            (c for c in token.children if c.dep_ in {"obj", "dobj", "xcomp"}), None
        )
        found[verb] = Clause(
            verb,
            lemma,
            article.aligned(subject.i) if subject is not None else None,
            _span(article, subject) if subject is not None else None,
            reported,
            (subject.pos_ or subject.tag_) if subject is not None else "",
            said=_span(article, said) if said is not None else reported,
            inherited=subject is not None and not _has_own_subject(token),
            relative_to=_relative_to(article, token, subject),
        )
    return found


def _complement(verb: Token, lemma: str) -> Token | None:
    """The clause ``verb`` reports: its clausal complement; an object that
    holds a clause of its own, as the parser sometimes has "said the real
    extremist is Hillary Clinton" (with "Clinton" the object); or, for a
    verb of intent, its infinitive ("promised to begin …")."""
    for child in verb.children:
        if child.dep_ in COMPLEMENTS:
            return child
    if lemma in INTENT_LEMMAS:
        for child in verb.children:
            if child.dep_ == "xcomp" and any(w.lower_ == "to" for w in child.lefts):
                return child
    for child in verb.children:
        if child.dep_ in {"obj", "dobj"} and any(
            word.dep_ in {"cop", "nsubj", "aux"} for word in child.subtree
        ):
            return child
    return None


def _content(article: Article, complement: Token) -> tuple[int, int]:
    """The article tokens of what ``complement`` reports: from its "that"
    when the parser hung words before it ("said Wednesday night that …"),
    and up to a clause the writer added after a comma ("…, though she did
    not discuss their terms"; "…, and noted that …") or a dash."""
    first, last = complement.left_edge.i, complement.right_edge.i
    mark = next(
        (c for c in complement.lefts if c.dep_ == "mark" and c.lower_ == "that"), None
    )
    if mark is not None:
        first = mark.i
    for child in complement.rights:
        if child.dep_ not in {"advcl", "conj", "parataxis"}:
            continue
        start = child.left_edge.i
        while start < child.i and _is_punct(child.doc[start]):
            start += 1
        opener = child.doc[start]
        comma = child.doc[start - 1]
        if (opener.lower_ in WRITERS_ADDITIONS and comma.text == ",") or _speaks(child):
            last = min(last, start - 1)
            while last > first and child.doc[last].text in {",", "and", "but"}:
                last -= 1
            break
    return article.aligned(first), article.aligned(last)


def _speaks(verb: Token) -> bool:
    """Whether ``verb`` is a verb of speech with its own complement: a
    second act of speech, not more of what the first reported."""
    lemma = REPORTING_FORMS.get(verb.lower_)
    return lemma in REPORTING_LEMMAS and any(
        c.dep_ in COMPLEMENTS for c in verb.children
    )


def _reported_before(article: Article, verb: Token) -> tuple[int, int] | None:
    """What an attribution that closes its sentence after a comma reports:
    "He had no known affiliations, EgyptAir said on Thursday." The clause
    the verb is an aside to, or the sentence before it where the parser
    ended one at the comma; the first and last article token, or None."""
    doc = verb.doc
    start = verb.left_edge.i
    if start < 2 or doc[start - 1].text != ",":
        return None
    if not all(_is_punct(t) for t in doc[verb.right_edge.i + 1 : verb.sent.end]):
        return None
    if verb.dep_ == "parataxis" and verb.head.i < start:
        clause = verb.head
        first = clause.left_edge.i
    elif verb.head.i == verb.i and start == verb.sent.start:
        clause = doc[start - 1].sent.root
        first = doc[start - 1].sent.start
    else:
        return None
    # A clause, not a name or a heading ("Clinton's campaign chairman, John
    # Podesta, said"; "Thanks to his latest act, Butz can add").
    if not _has_own_subject(clause) or any(t.text == ":" for t in doc[first:start]):
        return None
    last = start - 2
    while first < last and _is_punct(doc[first]):
        first += 1
    if last - first < 2:
        return None
    return article.aligned(first), article.aligned(last)


def _according_to(article: Article, according: Token) -> Clause | None:
    """ "According to police, the man fled": the source is the noun
    "according to" governs; what they said is the rest of its clause, on
    the side of the clause the phrase does not stand on, or the rest of the
    sentence when the phrase opens or closes it (the parser often hangs it
    on the nearest verb: "Trump nearly quintupled the rent ..., when he was
    raising funds, according to a review")."""
    source = according.head
    clause = source.head
    if source is according or clause is source:
        return None
    left, right = source.left_edge.i, source.right_edge.i
    sentence = according.sent
    doc = according.doc
    opens = all(_is_punct(t) for t in doc[sentence.start : according.i])
    closes = all(_is_punct(t) for t in doc[right + 1 : sentence.end])
    if opens:
        first, last = right + 1, sentence.end - 1
    elif closes:
        first, last = sentence.start, according.i - 1
    elif left <= clause.left_edge.i:
        first, last = right + 1, min(clause.right_edge.i, sentence.end - 1)
    else:
        first, last = max(clause.left_edge.i, sentence.start), left - 1
    while first < last and _is_punct(according.doc[first]):
        first += 1
    while last > first and _is_punct(according.doc[last]):
        last -= 1
    if last - first < 2:
        return None
    return Clause(
        article.aligned(according.i),
        "according to",
        article.aligned(source.i),
        # The source's words, less "according to" before them.
        (article.aligned(according.i + 2), article.aligned(source.right_edge.i)),
        (article.aligned(first), article.aligned(last)),
        source.pos_ or source.tag_,
        article.aligned(according.i + 1),
    )


def _is_punct(token: Token) -> bool:
    return token.is_punct or not token.text.strip()


def _subject(article: Article, verb: Token) -> Token | None:
    """The subject of ``verb``, or of the verb it hangs on; one outside
    quotation marks first, as the parser may take a quotation's subject for
    its verb's too (“Every one of the plans …,” said Leonard Burman)."""
    for _ in range(3):
        # Of two, the nearer: "Growing sharper as he spoke, Mr. Trump
        # continued" has "sharper" for a subject too.
        subjects = sorted(
            (c for c in verb.children if c.dep_ in SUBJECTS),
            key=lambda c: (article.quoted[article.aligned(c.i)], abs(c.i - verb.i)),
        )
        if subjects or verb.dep_ not in HANGING or verb.head is verb:
            return subjects[0] if subjects else None
        verb = verb.head
    return None


def _relative_to(article: Article, verb: Token, subject: Token | None) -> int | None:
    """The article token of the noun a relative clause's "who" (or "which",
    "that") subject stands for: the noun the clause hangs on."""
    if (
        subject is None
        or subject.lower_ not in RELATIVE_SUBJECTS
        or verb.dep_ not in {"acl:relcl", "relcl"}
    ):
        return None
    return article.aligned(verb.head.i)


def _has_own_subject(verb: Token) -> bool:
    return any(c.dep_ in SUBJECTS for c in verb.children)


def _span(article: Article, token: Token) -> tuple[int, int]:
    """The article tokens of ``token``'s subtree."""
    return article.aligned(token.left_edge.i), article.aligned(token.right_edge.i)
