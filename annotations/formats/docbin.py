"""Reviews as a spaCy ``DocBin`` (``.spacy``), to train a pipeline on the gold.

One Doc a review, tokenised by ``tokens.tokenize``:

- ``doc.ents``: the mentions, labelled with their entity's kind (PERSON,
  ORG, PLACE, OTHER) and with the entity's name as ``kb_id``. Entities
  cannot overlap, so where mentions do ("University of Lisbon" around
  "Lisbon") the longest is kept (the first of equals: spaCy's
  ``filter_spans``);
- ``doc.spans["mentions"]``: every mention, overlapping ones included;
- ``doc.spans["quotes"]``: each part of each quote, labelled with the quote's
  type, its ``id_`` (``quote-1``, ...) shared by the parts of one quote;
- ``doc.spans["cues"]``: each quote's cue, labelled ``CUE``, with its quote's id;
- ``doc.user_data["quotes"]``: a dict a quote: ``id``, ``type``, ``parts``
  and ``cue`` (``[start, end]`` character offsets into ``doc.text``),
  ``speaker`` (the entity's name), ``speaker_mention`` (where the text names
  the speaker) and ``speaker_description`` (a source the text describes);
- ``doc.user_data["article"]``: the article's ``id``, ``title`` and ``url``,
  the ``reviewer`` and ``review_status``.

The user data is written because the DocBin is made with
``store_user_data=True``; read it back with ``DocBin().from_disk(path)``
and ``get_docs(spacy.blank("en").vocab)`` (msgpack returns its lists as
tuples).
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans

from annotations.formats import CUE, mentions, quotes
from annotations.formats.tokens import tokenize


def to_doc(record: dict) -> Doc:
    named = mentions(record)
    said = quotes(record)
    edges = [(m.start, m.end) for m in named]
    for quote in said:
        edges += [(part.start, part.end) for part in quote.parts]
        if quote.cue:
            edges.append((quote.cue.start, quote.cue.end))
    doc = tokenize(
        record["text"],
        cuts=[offset for edge in edges for offset in edge],
        whole=[(m.start, m.end) for m in named],
    )

    def span(start: int, end: int, label: str, **fields):
        # Tokens are cut at every edge; "contract" only drops white space
        # at the ends of a span, which no token holds.
        return doc.char_span(start, end, label, alignment_mode="contract", **fields)

    every = [span(m.start, m.end, m.kind, kb_id=m.entity) for m in named]
    doc.spans["mentions"] = [s for s in every if s is not None]
    doc.ents = filter_spans(doc.spans["mentions"])
    parts, cues, described = [], [], []
    for number, quote in enumerate(said, 1):
        key = f"quote-{number}"
        parts += [span(p.start, p.end, quote.type, span_id=key) for p in quote.parts]
        if quote.cue:
            cues.append(span(quote.cue.start, quote.cue.end, CUE, span_id=key))
        named_at = quote.speaker_mention
        described.append(
            {
                "id": key,
                "type": quote.type,
                "parts": [[p.start, p.end] for p in quote.parts],
                "cue": [quote.cue.start, quote.cue.end] if quote.cue else None,
                "speaker": quote.speaker,
                "speaker_mention": [named_at.start, named_at.end] if named_at else None,
                "speaker_description": quote.speaker_description,
            }
        )
    doc.spans["quotes"] = [s for s in parts if s is not None]
    doc.spans["cues"] = [s for s in cues if s is not None]
    doc.user_data["quotes"] = described
    doc.user_data["article"] = {
        "id": record["id"],
        "title": record["title"],
        "url": record["url"],
        "reviewer": record["reviewer"],
        "review_status": record["review_status"],
    }
    return doc


def export_docbin(records: Iterable[dict]) -> bytes:
    docs = DocBin(store_user_data=True)
    for record in records:
        docs.add(to_doc(record))
    return docs.to_bytes()
