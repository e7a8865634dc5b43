"""Mentions: names from the gazetteer, their surnames, and a model's entities."""

from __future__ import annotations

import re
from collections.abc import Hashable

import numpy as np

from annotations.suggest.gazetteer import case_ok
from annotations.suggest.lexicon import (
    DETERMINERS,
    LAW_OR_EVENT_WORDS,
    NAME_PARTICLES,
    ORGANISATION_WORDS,
    ROLE_NOUNS,
    STORM_WORDS,
    TITLE_WORDS,
)
from annotations.suggest.results import MODEL, ORG, PERSON, PLACE, RULES, FoundMention
from annotations.suggest.tokens import Article, is_name_token
from newsreader.text import normalize_name


def match_entities(article: Article) -> None:
    doc = article.doc
    matches = sorted(
        ((start, end) for _, start, end in article.gazetteer.matcher(doc)),
        key=lambda m: (m[0] - m[1], m[0]),
    )
    # Longest first; a match overlapping one already taken is dropped.
    chosen = []
    taken = bytearray(len(doc))
    for start, end in matches:
        if any(taken[start:end]):
            continue
        chosen.append((start, end))
        taken[start:end] = b"\x01" * (end - start)
    seen: set[Hashable] = set()
    for start, end in sorted(chosen):
        entries, forms = article.gazetteer.candidates(tuple(article.norms[start:end]))
        surface = article.span_text(start, end - 1)
        if not entries or not case_ok(surface, forms):
            continue
        # An ambiguous name goes to the entity this article named already.
        if len(entries) == 1:
            entry = entries[0]
        else:
            entry = next((e for e in entries if e.key in seen), entries[0])
        seen.add(entry.key)
        article.add_mention(
            start,
            end - 1,
            FoundMention(
                article.starts[start],
                article.ends[end - 1],
                surface,
                entry,
                entry.name,
                entry.kind,
            ),
        )


def surname_key(article: Article, first: int, last: int) -> int | None:
    if last == first:
        return None
    text = article.span_text(last, last)
    if len(text) < 3 or not text[0].isupper():
        return None
    return article.norms[last]


def match_surnames(article: Article) -> None:
    """After "Sergei Kuralenko", a bare "Kuralenko" is him too: a word left
    alone so far, a one-word name the model found on its own, or one the
    gazetteer gave to someone else by an alias. After "Donald Trump",
    "Trump" is Donald Trump, even when the table knows Melania Trump as
    "Trump"; a name the table holds as an entity's own stays that entity's.
    The latest full name before the word wins."""
    named: dict[int, list[tuple[int, FoundMention]]] = {}
    for mention in sorted(article.mentions, key=lambda m: m.start):
        if mention.kind != PERSON:
            continue
        first, last = article.token_at(mention.start), article.token_at(mention.end - 1)
        key = surname_key(article, first, last)
        if key:
            named.setdefault(key, []).append((mention.start, mention))
    if not named:
        return
    doc = article.doc
    keys = np.fromiter(named, dtype=np.uint64, count=len(named))
    for i in np.flatnonzero(np.isin(article.norm_array, keys)).tolist():
        token = doc[i]
        earlier = [m for start, m in named[article.norms[i]] if start < token.idx]
        if not earlier or not token.text[:1].isupper():
            continue
        source = earlier[-1]
        if not article.taken[i]:
            article.add_mention(
                i,
                i,
                FoundMention(
                    token.idx,
                    token.idx + len(token),
                    token.text,
                    source.entity,
                    source.name,
                    PERSON,
                ),
            )
            continue
        current = article.mention_at_start.get(i)
        if (
            current is None
            or current.end != token.idx + len(token)
            or (current.entity, current.name) == (source.entity, source.name)
        ):
            continue  # part of a longer name, or already theirs
        own_name = current.entity is not None and normalize_name(
            current.entity.name
        ) == normalize_name(current.text)
        if current.origin == MODEL or not own_name:
            current.entity, current.name, current.kind = (
                source.entity,
                source.name,
                PERSON,
            )


# The labels of the shipped pipeline (PERSON, ORG, PLACE), of spaCy's own
# English pipelines (GPE, LOC, FAC) and of Universal NER (PER).
_MODEL_KINDS = {
    "PERSON": PERSON,
    "PER": PERSON,
    "ORG": ORG,
    "PLACE": PLACE,
    "GPE": PLACE,
    "LOC": PLACE,
    "FAC": PLACE,
}
# Words that may join the parts of a name around a shorter one the
# gazetteer found ("Bank of England", "Johnson & Johnson").
_NAME_JOINERS = frozenset({"of", "and", "&", "for", "the", "-", "."})


def model_entities(article: Article) -> None:
    """The language model's people, organisations and places, where the
    gazetteer found nothing, or found only shorter names inside theirs
    ("Trump", the table's alias of Melania Trump, inside "Donald Trump");
    linked to the table when the whole name is in it, else proposed new.

    A leading "the" is left out, and a person's titles ("President Obama"
    is a mention of "Obama"). A first and last name after a title make a
    person, whatever the model took the whole for ("FBI Director James
    Comey" is a mention of the person "James Comey", not a place)."""
    doc = article.doc
    for ent in article.parsed.ents:
        kind = _MODEL_KINDS.get(ent.label_)
        if (
            kind is None
            or not any(c.isupper() for c in ent.text)
            or _PARTY_AND_STATE.fullmatch(ent.text)
            or _law_or_event(ent.text)
        ):
            continue
        first, last = article.aligned(ent.start), article.aligned(ent.end - 1)
        while first < last and (
            doc[first].text in DETERMINERS
            or (kind == PERSON and doc[first].lower_ in TITLE_WORDS)
        ):
            first += 1
        if kind != PERSON:
            named_first = _name_after_title(article, first, last)
            if named_first is not None:
                kind, first = PERSON, named_first
        inside = _mentions_inside(article, first, last)
        if inside is None:
            continue
        for inner_first, inner_last, inner in inside:
            article.remove_mention(inner_first, inner_last, inner)
        article.add_mention(
            first, last, named(article, first, last, kind, origin=MODEL)
        )


# "(R-Fla.)", "(D-N.Y.)" after a politician's name: no one's name.
_PARTY_AND_STATE = re.compile(r"[RDI]-[A-Z][A-Za-z.]*")


def _law_or_event(name: str) -> bool:
    """Whether ``name`` names a law, an event or a storm, which is no
    person, organisation or place however the model types it: by its last
    word, or its last but a numeral ("World War II"), unless that ends an
    "of" ("the Department of War"); or by its first ("Hurricane Katrina").

    >>> [_law_or_event(n) for n in ["HEROES Act", "World War II", "Ministry of War"]]
    [True, True, False]
    """
    words = name.lower().split()
    if words and words[0] in STORM_WORDS:
        return True
    if len(words) > 1 and re.fullmatch(r"[ivx]+|\d+", words[-1]):
        words = words[:-1]
    return (
        len(words) > 1
        and words[-1] in LAW_OR_EVENT_WORDS
        and words[-2] not in {"of", "for", "on"}
    )


# A person's title inside a name: a role ("Director") or an abbreviation
# ("Sen."); not the words a title may hold that organisations' names hold
# too ("State", "General").
_PERSON_TITLES = (ROLE_NOUNS - {"general", "chief", "head", "executive"}) | {
    word for word in TITLE_WORDS if word.endswith(".")
}


def _name_after_title(article: Article, first: int, last: int) -> int | None:
    """The first token of the name that ends tokens ``first`` to ``last``
    after a capitalised title, when that name has two words or more and
    none of them names an organisation ("Director James Comey"; not
    "Secretary of State", "Board Chairman Group")."""
    doc = article.doc
    for i in range(last - 2, first - 1, -1):
        if doc[i].lower_ in _PERSON_TITLES and is_name_token(doc[i].text):
            name = doc[i + 1 : last + 1]
            if all(
                is_name_token(t.text) and t.lower_ not in ORGANISATION_WORDS
                for t in name
            ):
                return i + 1
            return None
    return None


def named(
    article: Article, first: int, last: int, kind: str, *, origin: str = RULES
) -> FoundMention:
    """Tokens ``first`` to ``last`` as a mention of the entity the table
    knows by that name, else of a new one of ``kind``."""
    name = article.span_text(first, last)
    entry = article.gazetteer.lookup(name)
    return FoundMention(
        article.starts[first],
        article.ends[last],
        name,
        entry,
        entry.name if entry else name,
        entry.kind if entry else kind,
        origin=origin,
    )


def _mentions_inside(
    article: Article, first: int, last: int
) -> list[tuple[int, int, FoundMention]] | None:
    """The mentions found already within tokens ``first`` to ``last``, with
    their token bounds, when a model's name there may take their place;
    None when it may not: one of them is the whole name or reaches outside
    it, or a word of the name around them is no part of a name."""
    doc = article.doc
    inside = []
    j = first
    while j <= last:
        if not article.taken[j]:
            j += 1
            continue
        mention = article.mention_at_start.get(j)
        if mention is None:
            return None
        end = article.token_at(mention.end - 1)
        if end > last or (j == first and end == last):
            return None
        inside.append((j, end, mention))
        j = end + 1
    if inside and not all(
        article.taken[j]
        or is_name_token(doc[j].text)
        or doc[j].lower_ in NAME_PARTICLES
        or doc[j].text in _NAME_JOINERS
        for j in range(first, last + 1)
    ):
        return None
    return inside
