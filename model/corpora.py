"""Readers for the training corpora: UD CoNLL-U (EWT, GUM) and UNER IOB2.

No third-party parser: CoNLL-U is ten tab-separated columns, and the only
subtle parts are multiword tokens (``1-2 don't`` over ``do`` + ``n't``), empty
nodes (``8.1``) and GUM's ``Entity=`` brackets in MISC, all handled here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc
from spacy.vocab import Vocab

# GUM entity types that are named-entity labels of the pipeline. Everything
# else GUM marks (event, time, abstract, object, ...) is not an entity for us.
GUM_LABELS = {"person": "PERSON", "organization": "ORG", "place": "PLACE"}
UNER_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "PLACE"}

# Words GUM puts inside a named mention that news NER (UNER, OntoNotes and
# what the app looks up in its gazetteer) leaves outside: "the White House" is
# the entity "White House". Only leading articles are trimmed; titles and other
# modifiers are handled by keeping the head's flat name (see _name_span).
_LEADING_ARTICLES = {"the", "a", "an"}


@dataclass
class Sentence:
    """One CoNLL-U sentence, syntactic words only (no MWT ranges or empty nodes)."""

    sent_id: str
    doc_id: str
    words: list[str] = field(default_factory=list)
    spaces: list[bool] = field(default_factory=list)
    upos: list[str] = field(default_factory=list)
    xpos: list[str] = field(default_factory=list)
    feats: list[str] = field(default_factory=list)
    lemmas: list[str] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)  # 0-based; root points to itself
    deps: list[str] = field(default_factory=list)
    misc: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(
            w + (" " if s else "") for w, s in zip(self.words, self.spaces, strict=True)
        )


def _space_after(misc: str) -> bool:
    return "SpaceAfter=No" not in misc.split("|")


def read_conllu(path: Path) -> Iterator[Sentence]:
    """Yield the sentences of a CoNLL-U file, in order."""
    doc_id = path.stem
    sent: Sentence | None = None
    # A multiword token carries SpaceAfter for the whole surface form: words
    # inside it are written without spaces, and its last word takes the MWT's
    # SpaceAfter.
    mwt_end = -1
    mwt_space = True
    with path.open(encoding="utf-8") as lines:
        for raw in lines:
            line = raw.rstrip("\n")
            if line.startswith("# newdoc id"):
                doc_id = line.split("=", 1)[1].strip()
            elif line.startswith("# sent_id"):
                sent = Sentence(line.split("=", 1)[1].strip(), doc_id)
            elif not line.strip():
                if sent is not None and sent.words:
                    yield sent
                sent = None
                mwt_end = -1  # word ids restart with each sentence
            elif not line.startswith("#"):
                if sent is None:  # sentence without a sent_id comment
                    sent = Sentence(f"{doc_id}-{id(line)}", doc_id)
                cols = line.split("\t")
                token_id = cols[0]
                if "." in token_id:
                    continue  # empty node of the enhanced graph
                if "-" in token_id:
                    mwt_end = int(token_id.split("-")[1])
                    mwt_space = _space_after(cols[9])
                    continue
                index = int(token_id)
                if index < mwt_end:
                    space = False
                elif index == mwt_end:
                    space = mwt_space
                else:
                    space = _space_after(cols[9])
                head = int(cols[6])
                sent.words.append(cols[1])
                sent.spaces.append(space)
                sent.lemmas.append(cols[2])
                sent.upos.append(cols[3])
                sent.xpos.append(cols[4])
                sent.feats.append(cols[5])
                sent.heads.append(head - 1 if head > 0 else index - 1)
                sent.deps.append(cols[7])
                sent.misc.append(cols[9])
    if sent is not None and sent.words:
        yield sent


def _spaces_from_text(words: list[str], text: str) -> list[bool]:
    """Whether each word is followed by whitespace in the sentence text.

    A word missing from the text (never seen in UNER, but cheap to survive)
    is taken to be followed by a space.
    """
    spaces: list[bool] = []
    position = 0
    for word in words:
        found = text.find(word, position)
        if found < 0:
            spaces.append(True)
            continue
        position = found + len(word)
        spaces.append(text[position : position + 1].isspace())
    if spaces:
        spaces[-1] = False
    return spaces


def read_iob2(path: Path) -> Iterator[tuple[Sentence, list[str]]]:
    """UNER sentences with their IOB2 tags (third column).

    UNER was annotated on an older EWT release whose tokenisation differs in
    places from the one in ewt/, so its own words are used, with spaces from
    its ``# text`` line.
    """
    doc_id = path.stem
    sent: Sentence | None = None
    text = ""
    tags: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for raw in [*lines, ""]:
            line = raw.rstrip("\n")
            if line.startswith("# newdoc id"):
                doc_id = line.split("=", 1)[1].strip()
            elif line.startswith("# sent_id"):
                sent = Sentence(line.split("=", 1)[1].strip(), doc_id)
                tags = []
            elif line.startswith("# text"):
                text = line.split("=", 1)[1].strip()
            elif line and not line.startswith("#") and sent is not None:
                cols = line.split("\t")
                sent.words.append(cols[1])
                tags.append(cols[2])
            elif not line and sent is not None and sent.words:
                sent.spaces = _spaces_from_text(sent.words, text)
                yield sent, tags
                sent = None


def iob_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """Token spans (start, end exclusive, label) of IOB2 tags, pipeline labels.

    A stray I- without a B- starts a new span, as conlleval does.
    """
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        kind = tag[2:] if tag[:2] in ("B-", "I-") else ""
        if start >= 0 and (tag.startswith("B-") or kind != label):
            if label in UNER_LABELS:
                spans.append((start, i, UNER_LABELS[label]))
            start, label = -1, ""
        if kind and start < 0:
            start, label = i, kind
    return spans


# One bracket of GUM's MISC Entity value: an opening "(12-person-..." (closed
# on the same token when it ends in ")") or a closing "12)". Identities are
# URL-escaped, so brackets never occur inside a field.
_BRACKET = re.compile(r"\((\d+)-([a-z]+)[^()]*(\)?)|(\d+)\)")


def _entity_value(misc: str) -> str:
    for part in misc.split("|"):
        if part.startswith("Entity="):
            return part[len("Entity=") :]
    return ""


@dataclass(frozen=True)
class Mention:
    start: int  # word index within the document's word list
    end: int  # exclusive
    etype: str
    entity: str = ""  # the coreference id: one entity's mentions share it


def gum_mentions(sentences: list[Sentence]) -> list[Mention]:
    """Every GUM mention of a document, over the concatenated word list.

    Mentions never cross sentences in GUM, but indices are document-wide so
    that callers can chunk documents freely.
    """
    mentions: list[Mention] = []
    open_stack: list[tuple[str, str, int]] = []  # (entity id, type, start)
    offset = 0
    for sent in sentences:
        for i, misc in enumerate(sent.misc):
            for m in _BRACKET.finditer(_entity_value(misc)):
                if m.group(1) is not None:
                    if m.group(3):
                        mentions.append(
                            Mention(offset + i, offset + i + 1, m.group(2), m.group(1))
                        )
                    else:
                        open_stack.append((m.group(1), m.group(2), offset + i))
                else:
                    # Close the innermost open mention of this entity id.
                    for k in range(len(open_stack) - 1, -1, -1):
                        if open_stack[k][0] == m.group(4):
                            entity, etype, start = open_stack.pop(k)
                            mentions.append(
                                Mention(start, offset + i + 1, etype, entity)
                            )
                            break
                    else:
                        raise ValueError(
                            f"unmatched close {m.group(0)} in {sent.sent_id}"
                        )
        offset += len(sent.words)
    if open_stack:
        raise ValueError(f"unclosed mentions {open_stack} in {sentences[0].doc_id}")
    return mentions


def mention_head(heads: list[int], start: int, end: int) -> int | None:
    """The word of [start, end) whose head lies outside the span (the root of
    the mention's subtree); None if there is not exactly one."""
    outside = [
        i for i in range(start, end) if not start <= heads[i] < end or heads[i] == i
    ]
    return outside[0] if len(outside) == 1 else None


def _is_name_word(words: list[str], xpos: list[str], i: int) -> bool:
    # XPOS as well as UPOS: GUM tags "United" in "United Kingdom" VERB/NNP.
    return xpos[i] in ("NNP", "NNPS") or words[i][:1].isupper()


# Prepositions that join the parts of one name ("University of Portsmouth",
# "Centre for Social Evolution", "Conservatoire de Paris"); "at", "in" and the
# like join two names ("Centre ... at the University of Copenhagen").
_NAME_PREPOSITIONS = {"of", "for", "de", "du", "des", "del", "von", "van", "on"}


def _name_span(
    doc: _DocColumns, start: int, end: int, head: int, label: str
) -> tuple[int, int]:
    """The proper name inside a PROPN-headed GUM mention.

    GUM mentions are whole noun phrases ("the former Pennsylvania Senator Rick
    Santorum, who ..."); news NER, UNER and the app's gazetteer want the name
    ("Rick Santorum"). The name is the head plus the dependents that UD uses
    inside names: flat/fixed/goeswith, capitalised compounds and adjectives
    ("Kennedy Space Center", "British Red Cross"), a following number
    ("Terminal 2") and, for organisations and places, "of"-type nominal
    modifiers ("National Library of the Netherlands"). Titles (nmod:desc),
    possessors, appositions, clauses, determiners and the possessive 's are
    left out; a name they are part of stays a mention of its own in GUM.
    """
    words, xpos, heads, deps = doc.words, doc.xpos, doc.heads, doc.deps
    children: dict[int, list[int]] = {}
    for i in range(start, end):
        if heads[i] != i:
            children.setdefault(heads[i], []).append(i)

    def keep(child: int, parent: int, in_modifier: bool) -> bool:
        rel = deps[child]
        if rel.startswith(("flat", "fixed", "goeswith")):
            return True
        if rel == "compound" or rel == "amod":
            return _is_name_word(words, xpos, child)
        if rel == "nummod":
            return child > parent
        if rel == "nmod" and label != "PERSON" and _is_name_word(words, xpos, child):
            cases = [c for c in children.get(child, []) if deps[c] == "case"]
            return bool(cases) and all(
                words[c].lower() in _NAME_PREPOSITIONS for c in cases
            )
        # Inside an "of" modifier, its preposition and article belong too.
        return in_modifier and rel in ("case", "det")

    name = {head}
    stack = [(head, False)]
    while stack:
        parent, in_modifier = stack.pop()
        for child in children.get(parent, []):
            if keep(child, parent, in_modifier):
                name.add(child)
                stack.append((child, in_modifier or deps[child] == "nmod"))
    # The name must be contiguous: punctuation inside it ("Lee Cheuk - yan")
    # is fine; anything else in a gap means fall back to the run around the
    # head.
    left, right = min(name), max(name) + 1
    gaps = [i for i in range(left, right) if i not in name]
    if any(doc.upos[i] != "PUNCT" for i in gaps):
        left = right = head
        while left - 1 in name:
            left -= 1
        while right + 1 in name:
            right += 1
        right += 1
    while left < right and (
        doc.upos[left] == "PUNCT" or words[left].lower() in _LEADING_ARTICLES
    ):
        left += 1
    while right > left and doc.upos[right - 1] == "PUNCT":
        right -= 1
    return left, right


def document_heads(sentences: list[Sentence]) -> list[int]:
    """Each word's head as an index into the sentences' words together."""
    heads: list[int] = []
    offset = 0
    for sent in sentences:
        heads.extend(h + offset for h in sent.heads)
        offset += len(sent.words)
    return heads


@dataclass
class _DocColumns:
    """A document's columns concatenated over its sentences, heads
    document-wide."""

    words: list[str]
    upos: list[str]
    xpos: list[str]
    heads: list[int]
    deps: list[str]

    @classmethod
    def of(cls, sentences: list[Sentence]) -> _DocColumns:
        return cls(
            words=[w for s in sentences for w in s.words],
            upos=[u for s in sentences for u in s.upos],
            xpos=[x for s in sentences for x in s.xpos],
            heads=document_heads(sentences),
            deps=[d for s in sentences for d in s.deps],
        )


def gum_entities(sentences: list[Sentence]) -> list[tuple[int, int, str]]:
    """The named-entity layer of a GUM document, as non-overlapping word spans.

    A mention is a named entity when its head word is a PROPN and its type is
    person, organization or place. Nested named entities ("Durham" inside
    "Durham University") are dropped in favour of the outermost one, as in
    flat NER annotation.
    """
    doc = _DocColumns.of(sentences)
    spans: list[tuple[int, int, str]] = []
    for mention in gum_mentions(sentences):
        label = GUM_LABELS.get(mention.etype)
        head = mention_head(doc.heads, mention.start, mention.end)
        if label is None or head is None or doc.upos[head] != "PROPN":
            continue
        if label == "PERSON" and doc.xpos[head] == "NNPS":
            continue  # "the Huguenots", "most Thais": groups, not a person's name
        # "Carrano and Biewener" is one GUM mention but two people's names.
        conjuncts = [
            i
            for i in range(mention.start, mention.end)
            if doc.heads[i] == head and doc.deps[i] == "conj" and doc.upos[i] == "PROPN"
        ]
        for name_head in (head, *conjuncts):
            start, end = _name_span(doc, mention.start, mention.end, name_head, label)
            if start < end:
                spans.append((start, end, label))
    # Outermost first; drop spans overlapping one already kept.
    spans.sort(key=lambda s: (s[0] - s[1], s[0]))
    taken: set[int] = set()
    kept: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        if taken.isdisjoint(range(start, end)):
            kept.append((start, end, label))
            taken.update(range(start, end))
    return sorted(kept)


def chunks(sentences: Iterable[Sentence], size: int) -> Iterator[list[Sentence]]:
    """Groups of up to ``size`` consecutive sentences that never cross a
    document boundary, so that parser and NER train on multi-sentence docs."""
    group: list[Sentence] = []
    for sent in sentences:
        if group and (len(group) == size or sent.doc_id != group[0].doc_id):
            yield group
            group = []
        group.append(sent)
    if group:
        yield group


# --- spaCy documents -------------------------------------------------------


def make_doc(
    vocab: Vocab,
    sentences: list[Sentence],
    *,
    syntax: bool,
    entities: list[tuple[int, int, str]] | None,
) -> Doc:
    """A training Doc over ``sentences``.

    ``syntax``: include gold tags, morphology and dependencies.
    ``entities``: word spans (relative to these sentences) of a complete NER
    annotation, every other word "O"; None leaves entity tags *missing*, so
    that the NER neither learns nor is scored on the document, instead of
    learning that it holds no names.
    Sentence starts are set either way: from the trees, or explicitly.
    """
    words = [w for s in sentences for w in s.words]
    spaces = [sp for s in sentences for sp in s.spaces]
    iob = None
    if entities is not None:
        iob = ["O"] * len(words)
        for start, end, label in entities:
            iob[start] = f"B-{label}"
            for i in range(start + 1, end):
                iob[i] = f"I-{label}"
    if not syntax:
        return Doc(
            vocab,
            words=words,
            spaces=spaces,
            sent_starts=[i == 0 for s in sentences for i in range(len(s.words))],
            ents=iob,
        )
    return Doc(
        vocab,
        words=words,
        spaces=spaces,
        tags=[x for s in sentences for x in s.xpos],
        pos=[u for s in sentences for u in s.upos],
        morphs=[f for s in sentences for f in s.feats],
        lemmas=[lemma for s in sentences for lemma in s.lemmas],
        heads=document_heads(sentences),
        # spaCy's parser names the root relation ROOT.
        deps=["ROOT" if d == "root" else d for s in sentences for d in s.deps],
        ents=iob,
    )


def split_spans(
    sentences: list[Sentence], spans: list[tuple[int, int, str]], size: int
) -> Iterator[tuple[list[Sentence], list[tuple[int, int, str]]]]:
    """A document's sentences in groups of ``size``, each with the entity
    spans that fall in it, re-based to the group's first word."""
    offset = 0
    for group in chunks(sentences, size):
        length = sum(len(s.words) for s in group)
        inside = [
            (start - offset, end - offset, label)
            for start, end, label in spans
            if offset <= start and end <= offset + length
        ]
        yield group, inside
        offset += length
