"""Detection: the stages run in order over one text, with no database.

``detect(text, gazetteer)`` returns mentions and quotes with code point
offsets into ``text``; ``load_model`` loads an installed spaCy pipeline
whose named entities add to the gazetteer's.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from functools import cache

import spacy
from spacy.tokens import Doc

from annotations.suggest.clauses import reporting_clauses
from annotations.suggest.cues import (
    cues_from_clauses,
    find_cues,
    join_split,
    without_titles,
)
from annotations.suggest.gazetteer import Gazetteer
from annotations.suggest.mentions import match_entities, match_surnames, model_entities
from annotations.suggest.quotes import find_quoted
from annotations.suggest.results import SuggestError, Suggestions
from annotations.suggest.speakers import (
    attribute_quotes,
    parsed_reported_speech,
    reported_speech,
)
from annotations.suggest.tokens import Article, tokenize

logger = logging.getLogger(__name__)

# Longer texts get the rules' suggestions alone: the model's time and memory
# grow with a text, and no news story is this long.
MODEL_MAX_CHARS = 100_000
# Texts the model reads at once: its matrices then fill the processor.
MODEL_BATCH_SIZE = 32


def detect(
    text: str, gazetteer: Gazetteer, *, model: spacy.language.Language | None = None
) -> Suggestions:
    """Mentions and quotes in ``text``, with code point offsets into it.

    >>> from annotations.suggest.gazetteer import GazetteerEntry
    >>> g = Gazetteer.from_entities([(GazetteerEntry(1, "Ilya Rogachev", "PERSON"),
    ...                                ["Rogachyov"])])
    >>> found = detect("“We are unlikely to join,” Rogachyov said.", g)
    >>> [(m.text, m.name) for m in found.mentions]
    [('Rogachyov', 'Ilya Rogachev')]
    >>> [(q.parts, q.speaker_name, q.type) for q in found.quotes]
    [([(1, 25)], 'Ilya Rogachev', 'direct')]
    """
    return detect_all([text], gazetteer, model)[0]


def detect_all(
    texts: Sequence[str], gazetteer: Gazetteer, model: spacy.language.Language | None
) -> list[Suggestions]:
    """``detect`` for each text, all tokenised first: 10% faster
    than one by one, as the tokenizer's tables then stay in the processor's
    caches rather than being pushed out by every text's rules. The model
    reads them in batches too (``parse_all``)."""
    docs = [tokenize(text) for text in texts]
    parsed = parse_all(texts, docs, model) if model else [None] * len(texts)
    return [
        detect_one(Article(text, doc, gazetteer, parsed=analysis))
        for text, doc, analysis in zip(texts, docs, parsed, strict=True)
    ]


def parse_all(
    texts: Sequence[str], docs: Sequence[Doc], model: spacy.language.Language
) -> list[Doc | None]:
    """The model's analysis of each text (``docs`` are its tokens), or None
    for a text the model was not run on or failed on: that text gets the
    rules' suggestions alone, and the log says why. An import never fails
    for the model's sake."""
    parsed: list[Doc | None] = [None] * len(texts)
    fit = []
    for i, text in enumerate(texts):
        if len(text) > MODEL_MAX_CHARS:
            logger.warning(
                "A text of %d characters gets rules-only suggestions: the "
                "model reads texts of up to %d.",
                len(text),
                MODEL_MAX_CHARS,
            )
        else:
            fit.append(i)
    for batch in itertools.batched(fit, MODEL_BATCH_SIZE):
        inputs = [model_input(model, texts[i], docs[i]) for i in batch]
        try:
            outputs = list(model.pipe(inputs))
        except Exception:
            # One text spoiled the batch: the others are read one by one.
            outputs = [_parse_one(model, doc) for doc in inputs]
        for i, doc in zip(batch, outputs, strict=True):
            parsed[i] = doc
    return parsed


def model_input(model: spacy.language.Language, text: str, doc: Doc) -> Doc:
    """The suggester's tokens of ``text`` as the model reads them: without
    the tokens of the spaces that stand for paragraph breaks (the model,
    trained on none, takes them for words), each paragraph its own
    sentence or more. ``Article.aligned`` maps its tokens back."""
    words, spaces, starts = [], [], []
    end = 0  # of the word before
    for token in doc:
        if token.is_space:
            continue
        words.append(token.text)
        spaces.append(bool(token.whitespace_))
        starts.append(True if not end or "\n" in text[end : token.idx] else None)
        end = token.idx + len(token)
    return Doc(model.vocab, words=words, spaces=spaces, sent_starts=starts)


def _parse_one(model: spacy.language.Language, doc: Doc) -> Doc | None:
    try:
        return model(doc)
    except Exception:
        logger.exception(
            "The model failed on a text of %d characters, which gets "
            "rules-only suggestions.",
            len(doc.text),
        )
        return None


def detect_one(article: Article) -> Suggestions:
    text = article.text
    raw_quotes = find_quoted(text)
    for raw in raw_quotes:
        first = article.token_at(raw.opening)
        last = article.token_at(raw.closing)
        article.quoted[first : last + 1] = b"\x01" * (last + 1 - first)
    match_entities(article)
    if article.parsed is not None:
        model_entities(article)
    match_surnames(article)
    article.index_people()
    cues = find_cues(article)
    clauses = reporting_clauses(article)
    cues = cues_from_clauses(article, clauses, cues)
    raw_quotes = without_titles(article, raw_quotes, cues)
    # Reported speech first: who speaks there ("Whitaker said she …") is
    # who a pronoun by a quote further on may stand for.
    if article.parsed is not None:
        indirect = parsed_reported_speech(article, clauses)
    else:
        indirect = reported_speech(article, cues)
    groups = join_split(article, raw_quotes, cues)
    quotes = attribute_quotes(article, groups, cues, clauses, indirect)
    quotes += indirect
    quotes.sort(key=lambda q: q.parts[0])
    article.mentions.sort(key=lambda m: (m.start, m.end))
    return Suggestions(mentions=article.mentions, quotes=quotes)


@cache
def load_model(name: str) -> spacy.language.Language:
    """The installed spaCy pipeline ``name`` (a package name or a path)."""
    try:
        # The suggester reads tags, the parse and the entities: a
        # morphologizer (UD features) would cost a tenth of the time for none.
        return spacy.load(name, exclude=["lemmatizer", "morphologizer"])
    except OSError as error:
        raise SuggestError(
            f"NEWSREADER_SPACY_MODEL names {name!r}, which is not an installed "
            "spaCy model or a model folder. Install it, run make model to "
            "build the project's own, or set NEWSREADER_SPACY_MODEL=none to "
            "use the rules alone."
        ) from error
