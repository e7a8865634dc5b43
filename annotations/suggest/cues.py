"""Reporting words ("said", "told", "according to") and what they may
attribute; quotes split by their attribution joined into one.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache

from spacy.matcher import PhraseMatcher

from annotations.suggest.clauses import Clause
from annotations.suggest.lexicon import (
    AFTER_SAYING,
    BROKEN_OFF,
    CLAUSE_BREAKS,
    CLAUSE_PUNCTUATION,
    CUES,
    DETERMINERS,
    GENDERS,
    NAMING_CUES,
    NEGATIONS,
    PRONOUNS,
    REFUSALS,
    ROLE_NOUNS,
    SENTENCE_END,
    TIME_WORDS,
    TITLE_WORDS,
)
from annotations.suggest.quotes import RawQuote, quote_type
from annotations.suggest.results import PARTIAL
from annotations.suggest.tokens import Article, is_name_token, pipeline


@cache
def _cue_matcher() -> tuple[PhraseMatcher, dict[int, str]]:
    """The matcher, and each cue by its match id."""
    nlp = pipeline()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for cue in CUES:
        matcher.add(cue, [nlp.make_doc(cue)])
    return matcher, {nlp.vocab.strings[cue]: cue for cue in CUES}


@dataclass
class Cue:
    first: int  # tokens
    last: int
    word: str


def find_cues(article: Article) -> list[Cue]:
    matcher, cues = _cue_matcher()
    found = []
    doc = article.doc
    for match_id, start, end in matcher(doc):
        if any(article.quoted[start:end]) or any(article.taken[start:end]):
            continue
        before = doc[start - 1].lower_ if start else ""
        if before in NEGATIONS or (
            before == "to" and start > 1 and doc[start - 2].lower_ in REFUSALS
        ):
            continue
        found.append(Cue(start, end - 1, cues[match_id]))
    # "went on to say" holds "went on": keep the longest at each start.
    found.sort(key=lambda cue: (cue.first, cue.first - cue.last))
    kept: list[Cue] = []
    for cue in found:
        if kept and cue.first <= kept[-1].last:
            continue
        kept.append(cue)
    return kept


def pronoun_beside(article: Article, cue: Cue) -> bool:
    doc = article.doc
    return (cue.first > 0 and doc[cue.first - 1].lower_ in GENDERS) or (
        cue.last + 1 < len(doc) and doc[cue.last + 1].lower_ in GENDERS
    )


def attribution_after(article: Article, start: int, cues: list[Cue]) -> int:
    """Where the window of a quote that ends its sentence at ``start`` ends:
    past the next sentence when that is only a cue and who spoke (“What
    else would I do?” Okafor asked.), or opens with them in lower case, the
    writer's sentence going on after the quote's (“… border!” he said to an
    enormous cheer.): the quote's attribution either way.
    """
    doc = article.doc
    if start >= len(doc):
        return start
    _, end = article.sentence_bounds(start)
    index = bisect.bisect_left(cues, start, key=lambda c: c.first)
    if index == len(cues) or cues[index].first >= min(end, start + 8):
        return start
    cue = cues[index]
    goes_on = doc[start].text[:1].islower()
    if not goes_on and not _says_no_more(article, cue, end):
        return start
    for j in range(start, cue.first):
        lower = doc[j].lower_
        if not (
            cue.first <= j <= cue.last
            or doc[j].is_punct
            or lower in PRONOUNS
            or lower in DETERMINERS
            or lower in TITLE_WORDS
            or lower in ROLE_NOUNS
            or is_name_token(doc[j].text)
        ):
            return start
    return end


def _says_no_more(article: Article, cue: Cue, end: int) -> bool:
    """Whether a sentence ending before token ``end`` reports nothing after
    ``cue`` but where, when, how or to whom the words were said ("Okafor
    asked.", "Trump wrote on Twitter on Monday.", "she told Reuters"), and
    so attributes the quote before it rather than words of its own ("He
    said the plan was dead.")."""
    after = cue.last + 1
    if after >= end:
        return True
    word = article.doc[after]
    return (
        word.is_punct
        or word.lower_ in AFTER_SAYING
        or word.lower_ in TIME_WORDS
        or is_name_token(word.text)
    )


def cue_fits(article: Article, cue: Cue, group: QuoteGroup) -> bool:
    """Whether ``cue`` may attribute the quote ``group``.

    A naming cue attributes only a quote after its object, in its clause
    (“Kowalczyk called the closure “reckless””). A cue after the quote does
    not when a clause opens between them (“Fans chanted “…” although the
    chairman said …”), unless a comma closes that clause before the cue, as
    it does a relative clause in the speaker's name (“the company, which
    employs 4,000 people, said”).
    """
    doc = article.doc
    if cue.word in NAMING_CUES:
        for raw in group.raws:
            opening = article.token_at(raw.opening)
            if cue.last + 1 < opening <= cue.last + 12 and not any(
                doc[j].text in CLAUSE_PUNCTUATION and not article.quoted[j]
                for j in range(cue.last + 1, opening)
            ):
                return True
        return False
    closing = article.token_at(group.raws[-1].closing)
    for j in range(closing + 1, cue.first):
        word = doc[j].lower_
        if word not in CLAUSE_BREAKS or article.quoted[j]:
            continue
        if word == "which" and any(doc[k].text == "," for k in range(j + 1, cue.first)):
            continue
        return False
    return True


@dataclass
class QuoteGroup:
    """Raw quotes taken as one quote: a split quote has two or more."""

    raws: list[RawQuote]
    gap_cues: list[Cue] = field(default_factory=list)


def join_split(
    article: Article, raws: list[RawQuote], cues: list[Cue]
) -> list[QuoteGroup]:
    """Join “A,” he said, “B” into one quote of two parts.

    The first part must end as a broken sentence does (a comma or a dash
    inside the marks) and the words between the two must hold one cue and
    end no sentence before their last ("said Dana Whitfield, president of
    the National Federation of Public Employees."). Two quoted fragments of
    one sentence (“crashed the economy” and warned voters not to “fall for
    it”) stay two quotes, and so do two quotes each with a cue of its own
    (“A,” he said, adding, “B”; he said, “A,” adding, “B”).
    """
    groups: list[QuoteGroup] = []
    for raw in raws:
        if groups:
            group = groups[-1]
            previous = group.raws[-1]
            last_text = article.text[previous.parts[-1][0] : previous.parts[-1][1]]
            gap_first = article.token_at(previous.closing) + 1
            gap_last = article.token_at(raw.opening) - 1
            same_paragraph = article.paragraph_bounds(
                previous.closing
            ) == article.paragraph_bounds(raw.opening)
            between = [c for c in cues if gap_first <= c.first and c.last <= gap_last]
            if (
                same_paragraph
                and last_text[-1:] in BROKEN_OFF
                and 0 < gap_last - gap_first + 1 <= 30
                and len(between) == 1
                # “A,” adding, “B” after "said": a second act of speech.
                and not between[0].word.endswith("ing")
                and not any(
                    article.text[article.starts[j]] in SENTENCE_END
                    for j in range(gap_first, gap_last)
                )
                # Ruiz called it “a mess,” he said. “B.”: B opens a sentence
                # of its own after a fragment, a direct quote of its own.
                and not (
                    article.text[article.starts[gap_last]] in SENTENCE_END
                    and quote_type(
                        article,
                        group.raws[0].parts[0],
                        article.token_at(group.raws[0].opening),
                    )
                    == PARTIAL
                )
            ):
                group.raws.append(raw)
                group.gap_cues.extend(between)
                continue
        groups.append(QuoteGroup([raw]))
    return groups


def without_titles(
    article: Article, raws: list[RawQuote], cues: list[Cue]
) -> list[RawQuote]:
    """The quoted stretches less the names of things: titles of works,
    shows and slogans (NBC’s “Today” show, “Peace Through Strength”), and
    headlines in capitals. A stretch of up to eight words whose longer
    words all start with a capital is a name, unless a cue stands right
    beside it (“Absolutely,” Trump said).
    """
    by_first = {cue.first for cue in cues}
    by_last = {cue.last for cue in cues}
    kept = []
    for raw in raws:
        words = _WORDS.findall(
            " ".join(article.text[start:end] for start, end in raw.parts)
        )
        longer = [word for word in words if len(word) > 3]
        titled = (
            longer and len(words) <= 8 and all(word[0].isupper() for word in longer)
        )
        if titled:
            after = article.token_at(raw.closing) + 1
            before = article.token_at(raw.opening) - 1
            if article.doc[before].text in {",", ":"}:
                before -= 1
            titled = before not in by_last and not by_first.intersection(
                range(after, after + 3)
            )
        if not titled:
            kept.append(raw)
    return kept


_WORDS = re.compile(r"[^\W\d_][\w'’-]*")


def cues_from_clauses(
    article: Article, clauses: dict[int, Clause], cues: list[Cue]
) -> list[Cue]:
    """``cues`` and the verbs of speech outside the word list that the parse
    shows reporting quoted words ("“We lost,” she conceded", "tweeted"): a
    verb whose clausal complement holds a quotation mark."""
    known = {cue.first for cue in cues}
    added = [
        Cue(verb, verb, article.doc[verb].lower_)
        for verb, clause in clauses.items()
        if verb not in known
        and not article.quoted[verb]
        and not article.taken[verb]
        and clause.complement is not None
        # Any verb after the quotation it reports, with a subject: “…,”
        # Toomey fumed; before one, only a verb of speech (called it “…”).
        and (
            clause.of_speech
            or (clause.subject is not None and clause.complement[1] < verb)
        )
        and any(article.quoted[clause.complement[0] : clause.complement[1] + 1])
    ]
    return sorted([*cues, *added], key=lambda cue: cue.first)
