"""Held-out evaluation of the pipeline: parsing and tagging on EWT test, named
entities on GUM test documents and on UNER's EWT test sentences.

Parsing is scored on gold tokens and gold sentences (each test sentence is
its own Doc), the CoNLL 2018 "gold tokenisation" setting: every word counts,
punctuation included. Entities are scored the way the app uses them: the
pipeline reads the raw text with its own tokenizer and a predicted entity is
right only if its characters and its label match a gold one exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import corpora
from spacy.language import Language
from spacy.tokens import Doc

LABELS = ("PERSON", "ORG", "PLACE")
CharSpan = tuple[int, int, str]


def parse_scores(nlp: Language, sentences: list[corpora.Sentence]) -> dict[str, float]:
    """UAS/LAS (all words; full labels and universal labels without
    subtypes), UAS/LAS without punctuation (as spaCy's scorer counts), PTB tag
    and UPOS accuracy, over gold-tokenised sentences."""
    docs = (Doc(nlp.vocab, words=s.words, spaces=s.spaces) for s in sentences)
    counts: Counter[str] = Counter()
    for sent, doc in zip(
        sentences, nlp.pipe(docs, batch_size=256, disable=["ner"]), strict=True
    ):
        for i, token in enumerate(doc):
            gold_head, gold_dep = sent.heads[i], sent.deps[i]
            dep = "root" if token.dep_ == "ROOT" else token.dep_
            head_ok = token.head.i == gold_head
            counts["words"] += 1
            counts["uas"] += head_ok
            counts["las"] += head_ok and dep == gold_dep
            counts["las_universal"] += head_ok and (
                dep.split(":")[0] == gold_dep.split(":")[0]
            )
            counts["tag"] += token.tag_ == sent.xpos[i]
            counts["pos"] += token.pos_ == sent.upos[i]
            if sent.upos[i] != "PUNCT":
                counts["words_nopunct"] += 1
                counts["uas_nopunct"] += head_ok
                counts["las_nopunct"] += head_ok and dep == gold_dep
    n, n_np = counts["words"], counts["words_nopunct"]
    return {
        "words": n,
        "uas": counts["uas"] / n,
        "las": counts["las"] / n,
        "las_universal": counts["las_universal"] / n,
        "uas_no_punct": counts["uas_nopunct"] / n_np,
        "las_no_punct": counts["las_nopunct"] / n_np,
        "tag_acc": counts["tag"] / n,
        "pos_acc": counts["pos"] / n,
    }


def text_and_spans(
    sentences: list[corpora.Sentence], spans: Iterable[tuple[int, int, str]]
) -> tuple[str, list[CharSpan]]:
    """A document's raw text and its entity word spans as character spans."""
    starts: list[int] = []
    ends: list[int] = []
    parts: list[str] = []
    position = 0
    for sent in sentences:
        for word, space in zip(sent.words, sent.spaces, strict=True):
            starts.append(position)
            ends.append(position + len(word))
            parts.append(word + (" " if space else ""))
            position += len(parts[-1])
        if parts and not parts[-1].endswith(" "):
            parts[-1] += " "  # sentences of a document are space-separated
            position += 1
    text = "".join(parts)
    return text, [(starts[s], ends[e - 1], label) for s, e, label in spans]


def ner_scores(
    nlp: Language, documents: list[tuple[str, list[CharSpan]]]
) -> dict[str, dict[str, float]]:
    """Exact-match precision, recall and F1 per label and overall (micro)."""
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    texts = [text for text, _ in documents]
    for (_, gold), doc in zip(documents, nlp.pipe(texts, batch_size=32), strict=True):
        predicted = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
        gold_set = set(gold)
        for _, _, label in predicted:
            n_pred[label] += 1
        for _, _, label in gold_set:
            n_gold[label] += 1
        for _, _, label in predicted & gold_set:
            tp[label] += 1
    scores: dict[str, dict[str, float]] = {}
    for label in (*LABELS, "ALL"):
        if label == "ALL":
            t, p, g = sum(tp.values()), sum(n_pred.values()), sum(n_gold.values())
        else:
            t, p, g = tp[label], n_pred[label], n_gold[label]
        precision = t / p if p else 0.0
        recall = t / g if g else 0.0
        f1 = 2 * precision * recall / (precision + recall) if t else 0.0
        scores[label] = {"p": precision, "r": recall, "f": f1, "gold": g, "pred": p}
    return scores


def format_table(results: dict[str, object]) -> str:
    parse = results["ewt_test_parse"]
    assert isinstance(parse, dict)
    lines = [
        "EWT test, gold tokens and sentences, "
        f"{parse['words']} words (punctuation included unless said):",
        f"  UAS                          {parse['uas']:.3f}",
        f"  LAS (full UD labels)         {parse['las']:.3f}",
        f"  LAS (universal labels)       {parse['las_universal']:.3f}",
        f"  UAS / LAS without punct.     {parse['uas_no_punct']:.3f} / "
        f"{parse['las_no_punct']:.3f}",
        f"  tag accuracy (PTB XPOS)      {parse['tag_acc']:.3f}",
        f"  UPOS accuracy                {parse['pos_acc']:.3f}",
        "",
        "Named entities, raw text, exact character span + label:",
        f"  {'':26}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}",
    ]
    for key, name in (
        ("gum_test_ner", "GUM test (12 docs)"),
        ("uner_test_ner", "UNER EWT test"),
    ):
        scores = results[key]
        assert isinstance(scores, dict)
        for label in (*LABELS, "ALL"):
            s = scores[label]
            lines.append(
                f"  {name if label == 'PERSON' else '':20}{label:>6}"
                f"{s['p']:7.3f}{s['r']:7.3f}{s['f']:7.3f}{s['gold']:7d}"
            )
    return "\n".join(lines)
