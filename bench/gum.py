"""How well the suggester names people, organisations and places it was
never told about, and whom it takes "he", "she" and "they" for: against
GUM's held-out documents.

Run from the repository root::

    .venv/bin/python bench/gum.py

GUM's test documents (news, interviews, biographies, travel, academic and
court texts in ../shared/nlp-data/gum) with their named entities (mentions
headed by a proper noun, typed person, organisation or place: the layer
model/train.py trains the model's NER on, from the train documents only).
The suggester runs on each document's text with an empty entity table and
the configured language model, as on an article just imported before any
entity is known; its mentions are scored against those names, matched by
the same rules as ``manage.py evaluate`` (exact, and sharing half the longer
span), and by kind.

Pronouns: each "he", "she" and "they" in those documents whose GUM
coreference chain names its entity (a person or organisation) before it
is resolved as the suggester resolves a pronoun by a cue; it is right when
the mention it picks is one of the chain's names. Twice: with the chain's
names in the entity table (resolution alone), and with an empty table and
the model (as on a new article).

No database: the suggester's detection needs none.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "model")]

import corpora  # noqa: E402  (model/corpora.py: the GUM reader training uses)
from common import table  # noqa: E402

TARGET_RECALL, TARGET_PRECISION = 0.80, 0.85


@dataclass
class Document:
    text: str
    # Named entities: (start, end, kind) character spans.
    names: list[tuple[int, int, str]]
    # "he", "she", "they": (start, pronoun, the spans of its chain's names
    # before it).
    pronouns: list[tuple[int, str, list[tuple[int, int]]]]


PRONOUNS = {"he", "she", "they"}


def gum_documents(split: str) -> list[Document]:
    """Each GUM document of ``split``, as model/train.py splits them."""
    from train import DATA, gum_split

    documents = []
    for doc_id, part in gum_split().items():
        if part != split:
            continue
        sentences = list(corpora.read_conllu(DATA / "gum" / f"{doc_id}.conllu"))
        offsets, text = [], ""
        for sentence in sentences:
            for word, space in zip(sentence.words, sentence.spaces, strict=True):
                offsets.append((len(text), len(text) + len(word)))
                text += word + (" " if space else "")
            text = text.rstrip(" ") + " "
        names = [
            (offsets[start][0], offsets[end - 1][1], kind)
            for start, end, kind in corpora.gum_entities(sentences)
        ]
        words = [word.lower() for sentence in sentences for word in sentence.words]
        chains: dict[str, list[tuple[int, int]]] = {}
        pronouns = []
        for mention in sorted(corpora.gum_mentions(sentences), key=lambda m: m.start):
            start, end = offsets[mention.start][0], offsets[mention.end - 1][1]
            if mention.end - mention.start == 1 and words[mention.start] in PRONOUNS:
                named = chains.get(mention.entity, [])
                if named and mention.etype in {"person", "organization"}:
                    pronouns.append((start, words[mention.start], named))
                continue
            chains.setdefault(mention.entity, []).extend(
                (s, e) for s, e, _ in names if start <= s and e <= end
            )
        documents.append(Document(text.rstrip(), names, pronouns))
    return documents


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="test", choices=["dev", "test"])
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsreader.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    # Detection reads no database; settings want one named all the same.
    os.environ.setdefault("DATABASE_URL", "postgres://localhost/not-used")
    import django

    django.setup()
    from annotations.evaluation import Score, match
    from annotations.suggest.detect import detect_all
    from annotations.suggest.gazetteer import Gazetteer
    from annotations.suggest.store import configured_model, model_name

    documents = gum_documents(args.split)
    model = configured_model()
    found = detect_all([doc.text for doc in documents], Gazetteer([]), model)
    kinds = ("PERSON", "ORG", "PLACE")
    exact = dict.fromkeys(("all", *kinds), Score(0, 0, 0))
    overlap = dict(exact)
    for document, suggestions in zip(documents, found, strict=True):
        gold = document.names
        for kind in ("all", *kinds):
            wanted = [(s, e) for s, e, k in gold if kind in {"all", k}]
            got = [
                (m.start, m.end)
                for m in suggestions.mentions
                if kind in {"all", m.kind}
            ]
            exact[kind] += Score(len(match(got, wanted)), len(got), len(wanted))
            overlap[kind] += Score(
                len(match(got, wanted, min_overlap=0.5)), len(got), len(wanted)
            )
    rows = []
    for kind in ("all", *kinds):
        for label, score in (("exact", exact[kind]), ("overlap ≥ 0.5", overlap[kind])):
            rows.append(
                (
                    f"{kind.lower()}, {label}",
                    f"{score.precision:.3f}",
                    f"{score.recall:.3f}",
                    f"{score.f1:.3f}",
                    f"{score.tp} / {score.predicted} / {score.gold}",
                )
            )
    print(
        f"\nGUM {args.split} documents: {len(documents)}; empty entity table; "
        f"model: {model_name() or 'none, the rules alone'}\n"
        f"targets (all, overlap): recall ≥ {TARGET_RECALL}, "
        f"precision ≥ {TARGET_PRECISION}\n"
    )
    print(table(("mentions", "P", "R", "F1", "TP / found / gold"), rows))

    rows = [
        (
            "chains' names in the table",
            *_resolution(documents, model=None, with_names=True),
        ),
        ("empty table, model", *_resolution(documents, model=model, with_names=False)),
    ]
    print(f"\n{sum(len(d.pronouns) for d in documents)} pronouns with a named chain\n")
    print(table(("pronouns", "right", "none found", "accuracy"), rows))


def _resolution(documents, *, model, with_names: bool) -> tuple[str, str, str]:
    """How many pronouns resolve to one of their chain's names."""
    from annotations.suggest.detect import detect_one, parse_all
    from annotations.suggest.gazetteer import Gazetteer, GazetteerEntry
    from annotations.suggest.people import resolve_pronoun
    from annotations.suggest.tokens import Article, tokenize

    right = unresolved = total = 0
    for document in documents:
        names = []
        if with_names:
            for start, end, kind in document.names:
                name = document.text[start:end]
                names.append((name, GazetteerEntry(name, name, kind)))
        tokens = tokenize(document.text)
        parsed = parse_all([document.text], [tokens], model)[0] if model else None
        article = Article(document.text, tokens, Gazetteer(names), parsed=parsed)
        detect_one(article)
        for start, pronoun, named in document.pronouns:
            total += 1
            speaker = resolve_pronoun(article, pronoun, start)
            if speaker is None or speaker.mention is None:
                unresolved += 1
                continue
            found = speaker.mention
            texts = {document.text[s:e].lower() for s, e in named}
            right += any(s < found.end and found.start < e for s, e in named) or (
                found.name.lower() in texts
            )
    return f"{right} of {total}", str(unresolved), f"{right / total:.3f}"


if __name__ == "__main__":
    main()
