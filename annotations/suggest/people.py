"""Who a name, a role, a pronoun or an organisation noun stands for: the
people and organisations a text names, and new ones to propose.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Hashable
from dataclasses import dataclass

import numpy as np

from annotations.suggest.gazetteer import GazetteerEntry
from annotations.suggest.lexicon import (
    CLAUSE_BREAKS,
    COORDINATORS,
    DEMONYM_ENDINGS,
    DETERMINERS,
    GENDERED_TITLES,
    GENDERS,
    LEADING_WORDS,
    NAME_PARTICLES,
    NOT_NAMES,
    ORGANISATION_WORDS,
    POSSESSIVES,
    PREPOSITIONS,
    PRONOUNS,
    ROLE_NOUNS,
    TITLE_ROLES,
    TITLE_WORDS,
)
from annotations.suggest.mentions import named, surname_key
from annotations.suggest.results import ORG, PERSON, FoundMention
from annotations.suggest.tokens import Article, is_name_token
from newsreader.text import normalize_name


@dataclass
class Speaker:
    entry: GazetteerEntry | None
    name: str
    # The speaker's mention by the cue; for a pronoun or a role noun, the
    # antecedent's, which the quote does not take as its speaker mention.
    mention: FoundMention | None
    how: str  # name, pronoun, role, new
    # The words by the cue that name the speaker ("he", "the minister", a
    # name), as code point offsets: what a gold file's speaker is.
    words: tuple[int, int] | None = None

    @classmethod
    def of(
        cls,
        mention: FoundMention,
        how: str = "name",
        words: tuple[int, int] | None = None,
    ) -> Speaker:
        """The person or body ``mention`` names, or that the ``words`` of a
        pronoun or a role stand for."""
        words = words or (mention.start, mention.end)
        return cls(mention.entity, mention.name, mention, how, words)


def organisation_by_word(article: Article, i: int, window: set[int]) -> Speaker | None:
    """The organisation a lower-case word like "union" at ``i`` names: the
    one its capitalised words before it name ("The United Food and
    Commercial Workers union said"), or after "the", the last organisation
    named, as "they" is ("the union said"). Not after a preposition: "a
    spokesman for the union said" is the spokesman."""
    doc = article.doc
    before = i - 1
    if before not in window:
        return None
    mention = article.mention_at_end.get(before)
    if mention is not None:
        if mention.kind == ORG:
            return Speaker.of(mention)
        return None
    if doc[before].lower_ == "the":
        if _after_preposition(article, before):
            return None
        found = _organisation_for(article, doc[i].lower_, article.starts[i])
        if found is not None:
            return Speaker.of(found, "role", (article.starts[before], article.ends[i]))
        return None
    if is_name_token(doc[before].text):
        first, _ = name_run_left(article, before, window)
        # Joined by "and", "of" or "for" into one name.
        while (
            first - 2 in window
            and doc[first - 1].text in {"and", "of", "for", "&"}
            and is_name_token(doc[first - 2].text)
            and not article.taken[first - 2]
        ):
            first, _ = name_run_left(article, first - 2, window)
        if _after_preposition(article, first):
            return None
        return new_organisation(article, first, i)
    return None


def _after_preposition(article: Article, i: int) -> bool:
    """Whether the phrase starting at ``i`` follows a preposition, past a
    determiner: "for the", "of"."""
    j = i - 1
    if j > 0 and article.doc[j].lower_ in DETERMINERS:
        j -= 1
    return j >= 0 and article.doc[j].text in PREPOSITIONS


def _organisation_for(article: Article, word: str, char: int) -> FoundMention | None:
    """The organisation "the union" (``word``) at ``char`` stands for: the
    last one named before with that word in its name, else the last that
    was a sentence's subject ("Northwind" for "the company", not the
    "Securities and Exchange Commission" whose filings were cited), else the
    last named."""
    index = bisect.bisect_left(article.orgs, char, key=lambda o: o[0])
    earlier = [mention for _, mention in reversed(article.orgs[:index])]
    named = next((m for m in earlier if word in normalize_name(m.name).split()), None)
    if named is not None:
        return named
    return next(
        (m for m in earlier if _is_subject(article, m)),
        earlier[0] if earlier else None,
    )


def _has_determiner(article: Article, i: int) -> bool:
    for j in range(i - 1, max(-1, i - 4), -1):
        lower = article.doc[j].lower_
        if lower in POSSESSIVES:
            return False  # "the president’s spokesman": the president's
        if lower in DETERMINERS:
            return True
    return False


def is_role(article: Article, i: int) -> bool:
    """Whether the word at ``i`` calls a person by what they are: "the
    mayor", "the Ashford boss", "the Spaniard", "the 27-year-old"."""
    doc = article.doc
    text = doc[i].text
    lower = text.lower()
    if lower in ROLE_NOUNS:
        return _has_determiner(article, i)
    if lower == "old" and i >= 5 and doc[i - 2].lower_ == "year":
        return doc[i - 5].lower_ == "the"
    return (
        i > 0
        and doc[i - 1].lower_ == "the"
        and text[:1].isupper()
        and lower.endswith(DEMONYM_ENDINGS)
        and not article.taken[i]
    )


def is_plural_role(word: str) -> bool:
    """ "officials", "MPs", "congressmen": people not named, never one person."""
    if word.endswith("men"):
        return word[:-3] + "man" in ROLE_NOUNS
    return word.endswith("s") and word[:-1] in ROLE_NOUNS


def resolve_pronoun(article: Article, pronoun: str, char: int) -> Speaker | None:
    kind = PRONOUNS[pronoun]
    if kind == PERSON:
        antecedent = _antecedent(article, char, gender=GENDERS[pronoun])
    else:
        antecedent = article.last_before(char, kind)
    if antecedent is None:
        return None
    return Speaker.of(antecedent, "pronoun", (char, char + len(pronoun)))


def resolve_role(
    article: Article, i: int, *, titled_only: bool = False
) -> Speaker | None:
    """The person a role noun at ``i`` stands for: one named with that title
    before ("President Ana Ruiz" for "the president") when there is one,
    else, unless ``titled_only``, whoever "he" would be."""
    char = article.starts[i]
    role = article.doc[i].lower_
    titled = {
        _person_key(mention)
        for start, mention in article.people
        if start < char and role in _titles(article, mention)
    }
    if titled_only and not titled:
        return None
    antecedent = _antecedent(article, char, titled)
    if antecedent is None:
        return None
    return Speaker.of(antecedent, "role", (char, article.ends[i]))


def _antecedent(
    article: Article,
    char: int,
    among: Collection[Hashable] = (),
    *,
    gender: str | None = None,
) -> FoundMention | None:
    """The person a pronoun or role noun at ``char`` stands for (one of
    ``among``, keys of ``_person_key``, if any): the later of the last
    speaker quoted and the last person who was a sentence's subject, in this
    paragraph or the one before; else the last person named.

    A person named as an object or inside a clause ("Etxeberria, who
    replaced Rui Conceição, is unbeaten. He said") is passed over, and so
    is one the text has shown to be of the other ``gender`` ("Mr Okafor",
    or "Okafor said he" before a "she").
    """

    def fits(mention: FoundMention) -> bool:
        if among and _person_key(mention) not in among:
            return False
        return gender is None or _gender(article, mention, before=char) in {
            None,
            gender,
        }

    since = article.previous_paragraph_start(char)
    speaker = next(
        (
            (start, mention)
            for start, mention in reversed(article.said)
            if start < char and mention.kind == PERSON and fits(mention)
        ),
        None,
    )
    if speaker is not None and speaker[0] < since:
        speaker = None
    index = bisect.bisect_left(article.people, char, key=lambda p: p[0])
    subject = None
    for start, mention in reversed(article.people[:index]):
        if start < since:
            break
        if fits(mention) and _is_subject(article, mention):
            subject = (start, mention)
            break
    found = [c for c in (speaker, subject) if c is not None]
    if found:
        return max(found, key=lambda c: c[0])[1]
    return next(
        (m for start, m in reversed(article.people[:index]) if fits(m)),
        None,
    )


def _gender(article: Article, mention: FoundMention, *, before: int) -> str | None:
    """The gender the text before ``before`` gives the person ``mention``
    names, if any: a title before one of their mentions ("Mrs Marsh"), or
    the pronoun after a cue of theirs ("Marsh said she hoped")."""
    doc = article.doc
    key = _person_key(mention)
    for start, other in article.people:
        if start >= before:
            break
        first = article.token_at(other.start)
        if first and _person_key(other) == key:
            gender = GENDERED_TITLES.get(doc[first - 1].lower_.rstrip("."))
            if gender:
                return gender
    for start, speaker in article.said:
        after = article.token_at(start) + 1
        if start < before and after < len(doc) and _person_key(speaker) == key:
            gender = GENDERS.get(doc[after].lower_)
            if gender:
                return gender
    return None


def _person_key(mention: FoundMention) -> Hashable:
    return mention.entity.key if mention.entity else normalize_name(mention.name)


def _is_subject(article: Article, mention: FoundMention) -> bool:
    """Whether ``mention`` is the subject of its sentence or of a clause
    joined to it: it opens the sentence, after titles at most ("Ashford boss
    Gary Holloway said"), or follows its first comma ("The store's owner,
    Raj Patel, told", "In Brussels, Hruby said"), or a conjunction after a
    comma (", but Senate Majority Leader Thomas Brennan said").

    Not in "Etxeberria, who replaced Rui Conceição", "praised Ortiz and
    Whitaker" or "led by the prime minister, Gustavo Ríos".
    """
    doc = article.doc
    first = article.token_at(mention.start)
    sentence_first, _ = article.sentence_bounds(first)
    j = first - 1
    while j >= sentence_first and (
        doc[j].text[:1].isupper()
        or doc[j].lower_ in DETERMINERS
        or doc[j].lower_ in TITLE_WORDS
        or doc[j].lower_ in ROLE_NOUNS
    ):
        j -= 1
    if j < sentence_first:
        return True
    if doc[j].lower_ in COORDINATORS or doc[j].lower_ in CLAUSE_BREAKS:
        return j > sentence_first and doc[j - 1].text == ","
    return doc[j].text == "," and not any(
        doc[k].text == "," for k in range(sentence_first, j)
    )


def _titles(article: Article, mention: FoundMention) -> set[str]:
    """The titles and roles named with a person's mention: "Sen." (as
    "senator") in "Sen. Claire Whitaker", "minister" in "the prime
    minister, Gustavo Ríos"."""
    doc = article.doc
    first = article.token_at(mention.start)
    titles = set()
    j = first - 1
    if j > 0 and doc[j].text == ",":
        j -= 1
    while j >= 0 and first - j <= 4:
        word = doc[j].lower_.rstrip(".")
        word = TITLE_ROLES.get(word, word)
        if word not in ROLE_NOUNS and word not in TITLE_WORDS:
            break
        titles.add(word)
        j -= 1
    return titles


def name_run_left(article: Article, i: int, window: set[int]) -> tuple[int, int]:
    doc = article.doc
    first = i
    j = i - 1
    while j in window and not article.taken[j] and not article.quoted[j]:
        text = doc[j].text
        if (
            is_name_token(text)
            or (text.lower() in NAME_PARTICLES or text == "-")
            and is_name_token(doc[j + 1].text if text != "-" else doc[j - 1].text)
        ):
            first = j
            j -= 1
            continue
        break
    return first, i


def name_run_right(article: Article, i: int, window: set[int]) -> tuple[int, int]:
    doc = article.doc
    last = i
    j = i + 1
    while j in window and not article.taken[j] and not article.quoted[j]:
        text = doc[j].text
        following = doc[j + 1].text if j + 1 < len(doc) else ""
        if is_name_token(text) or (
            (text.lower() in NAME_PARTICLES or text == "-") and is_name_token(following)
        ):
            last = j
            j += 1
            continue
        break
    return i, last


def new_name(article: Article, first: int, last: int) -> Speaker | None:
    """A capitalised name next to a cue: a known person's surname, or a
    person (or, by its last word, an organisation) to propose."""
    doc = article.doc
    while first <= last and doc[first].lower_ in TITLE_WORDS:
        first += 1
    if first < last and doc[last].lower_ in ORGANISATION_WORDS:
        return new_organisation(article, first, last)
    if (
        first > last
        or doc[last].text.endswith((".", "-"))
        or is_plural_role(doc[last].lower_)
    ):
        # "-": half a name whose rest another mention took ("Anne-" of
        # Anne-Marie Slaughter, the model's "Marie Slaughter").
        return None
    # The name follows its last title: "Turkish Foreign Minister Ali Veli" →
    # "Ali Veli", "Ward 2 City Councilor Tamika Brooks" → "Tamika Brooks";
    # a name of four words has none ("Rosa Elvira Quispe Mamani").
    for i in range(last - 1, first - 1, -1):
        if doc[i].lower_ in TITLE_WORDS or doc[i].lower_ in ROLE_NOUNS:
            first = i + 1
            break
    if any(article.taken[first : last + 1]) or any(article.quoted[first : last + 1]):
        return None
    while first <= last and (
        doc[first].lower_ in NOT_NAMES or doc[first].lower_ in LEADING_WORDS
    ):
        first += 1
    if first > last:
        return None
    name = article.span_text(first, last)
    words = name.replace("-", " ").split()
    if any(word.lower() in NOT_NAMES for word in words):
        return None
    sentence_first, _ = article.sentence_bounds(first)
    if first == sentence_first and len(words) == 1 and name.endswith("s"):
        return None  # "Officials said", "Residents said"
    start, end = article.starts[first], article.ends[last]
    # A surname of someone named before, or someone proposed before; or one
    # word of one earlier name ("Quispe" for Rosa Elvira Quispe Mamani, "Zhang"
    # for Zhang Wei).
    key = normalize_name(name)
    holders: dict[str, FoundMention] = {}
    for _, known in reversed(article.people):
        if known.start >= start:
            continue
        known_key = normalize_name(known.name)
        if key == known_key or known_key.split()[-1:] == key.split()[-1:]:
            return _known_speaker(article, first, last, known)
        if len(words) == 1 and key in known_key.split():
            holders.setdefault(known_key, known)
    if len(holders) == 1:
        return _known_speaker(article, first, last, *holders.values())
    entry = article.gazetteer.lookup(name)
    full = None if entry or len(words) > 1 else _full_name_before(article, first)
    if full is not None:
        # "Ferreira said", after "Ana Lucía Ferreira, the director, …": the
        # person to propose is the one named in full, mentioned there too.
        full_first, full_last = full
        name = article.span_text(full_first, full_last)
        earlier = FoundMention(
            article.starts[full_first],
            article.ends[full_last],
            name,
            None,
            name,
            PERSON,
        )
        article.add_person(full_first, full_last, earlier)
    mention = FoundMention(
        start,
        end,
        article.span_text(first, last),
        entry,
        entry.name if entry else name,
        entry.kind if entry else PERSON,
    )
    article.add_person(first, last, mention)
    if entry is None:
        _link_surname(article, mention, *(full or (first, last)))
    return Speaker.of(mention, "name" if entry else "new")


def _link_surname(
    article: Article, mention: FoundMention, first: int, last: int
) -> None:
    """A proposed person's surname further on is them too, as a known
    person's is (``match_surnames``): "Holloway's side" after "Gary
    Holloway said", for a pronoun after it to find."""
    key = surname_key(article, first, last)
    if key is None:
        return
    after = article.ends[last]
    for i in np.flatnonzero(article.norm_array == key).tolist():
        if article.starts[i] < after or article.taken[i]:
            continue
        text = article.doc[i].text
        if not text[:1].isupper():
            continue
        found = FoundMention(
            article.starts[i], article.ends[i], text, None, mention.name, PERSON
        )
        if article.quoted[i]:
            article.add_mention(i, i, found)
        else:
            article.add_person(i, i, found)


def _known_speaker(
    article: Article, first: int, last: int, known: FoundMention
) -> Speaker:
    """Tokens ``first`` to ``last`` as a mention of the person ``known`` names."""
    mention = FoundMention(
        article.starts[first],
        article.ends[last],
        article.span_text(first, last),
        known.entity,
        known.name,
        PERSON,
    )
    article.add_person(first, last, mention)
    return Speaker.of(mention)


def new_organisation(article: Article, first: int, last: int) -> Speaker | None:
    """ "The Pacific Rim Authority said": the whole name, as an organisation
    to propose (or one the gazetteer knows)."""
    doc = article.doc
    while first < last and (
        doc[first].lower_ in NOT_NAMES or doc[first].lower_ in LEADING_WORDS
    ):
        first += 1
    if any(article.taken[first : last + 1]) or any(article.quoted[first : last + 1]):
        return None
    mention = named(article, first, last, ORG)
    article.add_mention(first, last, mention)
    if mention.kind == ORG:
        # For "they" and "the union" further on.
        bisect.insort(article.orgs, (mention.start, mention), key=lambda o: o[0])
    return Speaker.of(mention, "name" if mention.entity else "new")


def _full_name_before(article: Article, surname: int) -> tuple[int, int] | None:
    """The last full name holding the word at ``surname`` before it (two to
    four capitalised words, not marked or quoted already), as token bounds:
    "Ana Lucía Ferreira" for "Ferreira", "Rosa Elvira Quispe Mamani" for
    "Quispe"."""
    norms = article.norms
    word = norms[surname]
    for match in range(surname - 1, -1, -1):
        # By NORM: "Alvarez" is the "José Álvarez" named before.
        if norms[match] != word or article.taken[match] or article.quoted[match]:
            continue
        first = last = match
        while first > 0 and last - first < 3 and _in_full_name(article, first - 1):
            first -= 1
        while (
            last + 1 < surname and last - first < 3 and _in_full_name(article, last + 1)
        ):
            last += 1
        if first < last:
            return first, last
    return None


def _in_full_name(article: Article, i: int) -> bool:
    lower = article.doc[i].lower_
    return (
        not article.taken[i]
        and not article.quoted[i]
        and is_name_token(article.doc[i].text)
        and lower not in NOT_NAMES
        and lower not in LEADING_WORDS
        and lower not in TITLE_WORDS
    )
