"""Mentions: names from the gazetteer, their surnames, and a model's entities."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import spacy

from annotations.suggest.gazetteer import case_ok
from annotations.suggest.results import MODEL, ORG, PERSON, PLACE, FoundMention
from annotations.suggest.tokens import Article


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
    """After "Sergei Kuralenko", a bare "Kuralenko" is him too."""
    surnames: dict[int, tuple[int, FoundMention]] = {}
    for mention in list(article.mentions):
        if mention.kind != PERSON or mention.entity is None:
            continue
        first, last = article.token_at(mention.start), article.token_at(mention.end - 1)
        key = surname_key(article, first, last)
        if key and key not in surnames:
            surnames[key] = (mention.start, mention)
    if not surnames:
        return
    doc = article.doc
    keys = np.fromiter(surnames, dtype=np.uint64, count=len(surnames))
    for i in np.flatnonzero(np.isin(article.norm_array, keys)).tolist():
        if article.taken[i]:
            continue
        token = doc[i]
        hit = surnames[article.norms[i]]
        if not token.text[:1].isupper() or hit[0] >= token.idx:
            continue
        _, source = hit
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


_MODEL_KINDS = {"PERSON": PERSON, "PER": PERSON, "ORG": ORG, "GPE": PLACE}


def model_entities(article: Article, model: spacy.language.Language) -> None:
    """A statistical model's PERSON, ORG and GPE entities, where the
    gazetteer found nothing; linked to the table when the name is in it."""
    for ent in model(article.text).ents:
        kind = _MODEL_KINDS.get(ent.label_)
        start, end = ent.start_char, ent.end_char
        if kind is None or article.text[start:end].strip() != ent.text:
            continue
        first, last = article.token_at(start), article.token_at(end - 1)
        if article.starts[first] != start or article.ends[last] != end:
            continue  # the model tokenised differently; offsets would not fit
        if any(article.taken[first : last + 1]):
            continue
        entry = article.gazetteer.lookup(ent.text)
        article.add_mention(
            first,
            last,
            FoundMention(
                start,
                end,
                ent.text,
                entry,
                entry.name if entry else ent.text,
                entry.kind if entry else kind,
                origin=MODEL,
            ),
        )
