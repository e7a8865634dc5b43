"""Build the shipped English pipeline, model/en_newsreader, from open data.

Run from the repository root: ``.venv/bin/python model/train.py`` (``make
model``). Steps, all offline and seeded:

1. convert UD English EWT, GUM and Universal NER into spaCy DocBin files
   under model/corpus/ (git-ignored);
2. train tok2vec + tagger + morphologizer + parser + ner with ``python -m
   spacy train`` and the committed config model/configs/pipeline.cfg
   (output in model/training/, git-ignored);
3. evaluate the best model on data training never saw, time it, and write it
   with its meta, accuracy.json, licences and attribution to
   model/en_newsreader/;
4. print the table, and the entities and parse of a news sentence.

One run with one shared tok2vec rather than a separate NER with its own:
the app needs >= 25 articles/s on one core, and a second embedding pass
costs as much as the whole syntax pipeline. The NER is trained on documents
with a complete entity annotation only: on every other document (EWT) its
tags are *missing*, not "O", so nothing teaches it that names are not names.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import DocBin
from spacy.vocab import Vocab

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpora  # noqa: E402  (a sibling module, found through the line above)
import evaluate  # noqa: E402

MODEL_DIR = Path(__file__).resolve().parent
# ../shared/nlp-data beside the repository, as the project lays it out.
DATA = Path(os.environ.get("NLP_DATA", MODEL_DIR.parent.parent / "shared" / "nlp-data"))
CORPUS = MODEL_DIR / "corpus"
TRAINING = MODEL_DIR / "training"
CONFIGS = MODEL_DIR / "configs"
OUTPUT = MODEL_DIR / "en_newsreader"

# Sentences per training document: the parser and the NER should see
# sentence boundaries inside a document, as they will in an article.
SENTENCES_PER_DOC = 10
VERSION = "1.0.0"


def gum_split() -> dict[str, str]:
    """GUM document id -> "dev" | "test" from splits.md; everything else
    present in the folder is train (test2 lists GENTLE documents not here)."""
    split: dict[str, str] = {}
    section = ""
    for line in (DATA / "gum" / "splits.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.strip().startswith("* ") and section in ("dev", "test"):
            split[line.strip()[2:].strip()] = section
    return {
        path.stem: split.get(path.stem, "train")
        for path in sorted((DATA / "gum").glob("GUM_*.conllu"))
    }


def gum_docs(part: str) -> list[list[corpora.Sentence]]:
    return [
        list(corpora.read_conllu(DATA / "gum" / f"{doc_id}.conllu"))
        for doc_id, split in gum_split().items()
        if split == part
    ]


def ewt(part: str) -> list[corpora.Sentence]:
    return list(corpora.read_conllu(DATA / "ewt" / f"en_ewt-ud-{part}.conllu"))


def uner(part: str) -> list[tuple[corpora.Sentence, list[tuple[int, int, str]]]]:
    """UNER sentences of ``part`` (EWT dev or test) with their entity spans."""
    return [
        (sent, corpora.iob_spans(tags))
        for sent, tags in corpora.read_iob2(DATA / "uner" / f"en_ewt-ud-{part}.iob2")
    ]


def save(path: Path, docs: Iterable[spacy.tokens.Doc]) -> int:
    docbin = DocBin(store_user_data=False)
    words = 0
    for doc in docs:
        docbin.add(doc)
        words += len(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(path)
    print(f"  {path.relative_to(MODEL_DIR.parent)}: {len(docbin)} docs, {words} words")
    return words


def gum_training_docs(
    vocab: Vocab, part: str, *, syntax: bool
) -> Iterable[spacy.tokens.Doc]:
    """GUM documents of ``part`` in groups of sentences, with their entities."""
    for sentences in gum_docs(part):
        spans = corpora.gum_entities(sentences)
        for group, inside in corpora.split_spans(sentences, spans, SENTENCES_PER_DOC):
            yield corpora.make_doc(vocab, group, syntax=syntax, entities=inside)


def uner_training_docs(vocab: Vocab, part: str) -> Iterable[spacy.tokens.Doc]:
    """UNER sentences of ``part`` in groups, entities only: UNER's EWT
    release tokenises differently from ours, and EWT dev is the parser's dev
    set, so these documents carry no trees."""
    pairs = uner(part)
    spans: list[tuple[int, int, str]] = []
    offset = 0
    for sent, sent_spans in pairs:
        spans.extend((s + offset, e + offset, lab) for s, e, lab in sent_spans)
        offset += len(sent.words)
    sentences = [sent for sent, _ in pairs]
    for group, inside in corpora.split_spans(sentences, spans, SENTENCES_PER_DOC):
        yield corpora.make_doc(vocab, group, syntax=False, entities=inside)


def ewt_training_docs(vocab: Vocab, part: str) -> Iterable[spacy.tokens.Doc]:
    """EWT sentences of ``part`` in groups, trees only (no NER annotation)."""
    for group in corpora.chunks(ewt(part), SENTENCES_PER_DOC):
        yield corpora.make_doc(vocab, group, syntax=True, entities=None)


def convert() -> None:
    """Write the training and dev DocBins.

    train: EWT train (syntax), GUM train (syntax + entities), UNER on EWT dev
    (entities). dev: EWT dev (syntax: selects the parser, tagger and
    morphologizer) and GUM dev (entities only: selects the NER).
    """
    print("Converting corpora to DocBin files")
    vocab = Vocab()
    save(
        CORPUS / "train.spacy",
        [
            *ewt_training_docs(vocab, "train"),
            *gum_training_docs(vocab, "train", syntax=True),
            *uner_training_docs(vocab, "dev"),
        ],
    )
    save(
        CORPUS / "dev.spacy",
        [
            *ewt_training_docs(vocab, "dev"),
            *gum_training_docs(vocab, "dev", syntax=False),
        ],
    )


def train() -> Path:
    """Run spaCy's trainer on the committed config; returns model-best."""
    output = TRAINING / "pipeline"
    if output.exists():
        shutil.rmtree(output)
    command = [
        sys.executable,
        "-m",
        "spacy",
        "train",
        str(CONFIGS / "pipeline.cfg"),
        "--output",
        str(output),
        "--paths.train",
        str(CORPUS / "train.spacy"),
        "--paths.dev",
        str(CORPUS / "dev.spacy"),
        "--gpu-id",
        "-1",
    ]
    print("Training:", " ".join(command), flush=True)
    # One BLAS thread: the trainer is single-threaded anyway, and the machine
    # is shared.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    subprocess.run(command, check=True, env=env)
    return output / "model-best"


def news_texts(count: int) -> list[str]:
    """~3,500-character pieces of GUM's held-out news, interviews and travel
    texts, to time the pipeline on article-sized inputs."""
    text = " ".join(
        s.text
        for doc in gum_docs("test") + gum_docs("dev")
        if doc[0].doc_id.split("_")[1] in ("news", "interview", "voyage", "bio")
        for s in doc
    )
    pieces = [text[i : i + 3500] for i in range(0, len(text) - 3500, 3500)]
    return (pieces * (count // len(pieces) + 1))[:count]


def articles_per_second(nlp: Language, texts: list[str]) -> float:
    list(nlp.pipe(texts[:32], batch_size=32))  # warm the caches
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=32):
            pass
        best = max(best, len(texts) / (time.perf_counter() - start))
    return best


def evaluate_pipeline(nlp: Language) -> dict[str, object]:
    gum_test = [
        evaluate.text_and_spans(doc, corpora.gum_entities(doc))
        for doc in gum_docs("test")
    ]
    uner_docs: dict[str, list[tuple[corpora.Sentence, list]]] = {}
    for sent, spans in uner("test"):
        uner_docs.setdefault(sent.doc_id, []).append((sent, spans))
    uner_test = []
    for pairs in uner_docs.values():
        offset, doc_spans = 0, []
        for sent, spans in pairs:
            doc_spans.extend((s + offset, e + offset, lab) for s, e, lab in spans)
            offset += len(sent.words)
        uner_test.append(evaluate.text_and_spans([s for s, _ in pairs], doc_spans))
    return {
        "ewt_test_parse": evaluate.parse_scores(nlp, ewt("test")),
        "gum_test_ner": evaluate.ner_scores(nlp, gum_test),
        "uner_test_ner": evaluate.ner_scores(nlp, uner_test),
    }


SOURCES = [
    {
        "name": "Universal Dependencies English Web Treebank (UD_English-EWT)",
        "url": "https://github.com/UniversalDependencies/UD_English-EWT",
        "license": "CC BY-SA 4.0",
        "author": "Silveira et al. 2014; Universal Dependencies contributors",
    },
    {
        "name": "Universal NER, English EWT (UNER_English-EWT)",
        "url": "https://www.universalner.org/",
        "license": "CC BY-SA 4.0",
        "author": "Mayhew et al. 2024",
    },
    {
        "name": "GUM, Georgetown University Multilayer corpus (108 documents)",
        "url": "https://gucorpling.org/gum/",
        "license": "annotations CC BY 4.0; texts CC BY / CC BY-SA (licenses/GUM)",
        "author": "Zeldes 2017 and GUM annotators",
    },
]


def package(best: Path, results: dict[str, object], seconds: float) -> Language:
    """Copy the best model to model/en_newsreader with its meta and licences."""
    nlp = spacy.load(best)
    nlp.meta.update(
        {
            "name": "newsreader",
            "lang": "en",
            "version": VERSION,
            "description": (
                "Small English CPU pipeline for the newsreader app: tagger "
                "(PTB tags), morphologizer (UPOS + features), dependency parser "
                "and named entities PERSON, ORG, PLACE, over one CNN tok2vec "
                "without word vectors. Trained on UD English EWT, GUM and "
                "Universal NER (see model/README.md); rebuild with `make model`."
            ),
            "license": "CC BY-SA 4.0",
            "author": "newsreader",
            "sources": SOURCES,
            "performance": results,
            "training_seconds": round(seconds),
        }
    )
    # The training paths are this machine's; the shipped config needs none.
    nlp.config["paths"]["train"] = None
    nlp.config["paths"]["dev"] = None
    if OUTPUT.exists():
        shutil.rmtree(OUTPUT)
    nlp.to_disk(OUTPUT)
    licences = OUTPUT / "licenses"
    licences.mkdir()
    for corpus, name in (("ewt", "UD_English-EWT"), ("uner", "UNER_English-EWT")):
        shutil.copyfile(DATA / corpus / "LICENSE.txt", licences / f"{name}.LICENSE.txt")
    shutil.copyfile(DATA / "gum" / "LICENSE.txt", licences / "GUM.LICENSE.txt")
    shutil.copyfile(MODEL_DIR / "ATTRIBUTION.md", licences / "ATTRIBUTION.md")
    (OUTPUT / "accuracy.json").write_text(
        json.dumps(results, indent=2) + "\n", encoding="utf-8"
    )
    return nlp


def sanity_check() -> None:
    nlp = spacy.load(OUTPUT)
    doc = nlp(
        "Donald Trump told reporters at the White House that South Carolina would vote."
    )
    print("Entities:", [(ent.text, ent.label_) for ent in doc.ents])
    for token in doc:
        print(
            f"  {token.i:2} {token.text:10} {token.tag_:5} {token.pos_:6} "
            f"{token.dep_:10} -> {token.head.i}"
        )


def folder_megabytes(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    started = time.monotonic()
    convert()
    best = train()
    trained = time.monotonic() - started
    nlp = spacy.load(best)
    print("Evaluating on held-out data", flush=True)
    results = evaluate_pipeline(nlp)
    results["speed_articles_per_second"] = round(
        articles_per_second(nlp, news_texts(192)), 1
    )
    nlp = package(best, results, trained)
    print(evaluate.format_table(results))
    print(
        f"Speed: {results['speed_articles_per_second']} articles/s "
        "(~3,500 characters each, nlp.pipe batch_size=32, this process)"
    )
    sanity_check()
    print(
        f"Wrote {OUTPUT.relative_to(MODEL_DIR.parent)} ({folder_megabytes(OUTPUT):.1f} "
        f"MB) in {(time.monotonic() - started) / 60:.1f} minutes"
    )


if __name__ == "__main__":
    main()
