"""Annotations as W3C Web Annotation JSON-LD (https://www.w3.org/TR/annotation-model/).

Offsets count code points of the article's plain text, so each target's
``source`` is that text's own URL (``/articles/<id>/body.txt``), and its
``scope`` the article's page, where people read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.urls import reverse

from annotations.models import Quote, Span
from newsreader.models import Article

CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def web_annotations(
    article: Article, spans: Iterable[Span], absolute: Callable[[str], str]
) -> dict:
    """An AnnotationCollection of the article's mentions and quotes.

    ``spans`` come with ``mention__entity``, ``quote__speaker``,
    ``quote__cue`` and ``review__reviewer`` loaded; ``absolute`` turns a
    path into a URL. Every target carries both a TextPositionSelector (code
    points) and a TextQuoteSelector, so a consumer can check one against
    the other. A quote's cue ("said") is a body of its annotation: the cue's
    words, selected the same way, with the purpose ``linking``.
    """
    page = absolute(article.get_absolute_url())
    text = absolute(reverse("newsreader:article-text", args=[article.pk]))

    def target(span: Span) -> dict:
        return {"source": text, "scope": page, "selector": _selectors(span)}

    items: list[dict] = []
    quotes: dict[int, dict] = {}
    for span in spans:
        if hasattr(span, "mention"):
            items.append(
                {
                    **_annotation(span, page, f"span-{span.pk}"),
                    "motivation": "identifying",
                    "body": absolute(span.mention.entity.get_absolute_url()),
                    "target": target(span),
                }
            )
        elif span.quote_id is not None:
            if span.quote_id not in quotes:
                body = _quote_body(span.quote, absolute)
                cue = span.quote.cue
                if cue is not None and cue.status == Span.Status.ACCEPTED:
                    linked = {"type": "SpecificResource", "purpose": "linking"}
                    body.append({**linked, **target(cue)})
                quotes[span.quote_id] = {
                    **_annotation(span, page, f"quote-{span.quote_id}"),
                    "motivation": "describing",
                    "body": body,
                    "target": [],
                }
                items.append(quotes[span.quote_id])
            quotes[span.quote_id]["target"].append(target(span))
    return {
        "@context": CONTEXT,
        "id": absolute(article.get_absolute_url() + "annotations.jsonld"),
        "type": "AnnotationCollection",
        "label": f"Annotations of “{article.title}”",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def _annotation(span: Span, page: str, fragment: str) -> dict:
    annotation = {
        "id": f"{page}annotations.jsonld#{fragment}",
        "type": "Annotation",
        "created": span.created_at.isoformat(),
    }
    if span.review_id:
        annotation["creator"] = {
            "type": "Person",
            "nickname": span.review.reviewer.get_username(),
        }
    return annotation


def _selectors(span: Span) -> list[dict]:
    return [
        {"type": "TextPositionSelector", "start": span.start, "end": span.end},
        {
            "type": "TextQuoteSelector",
            "exact": span.exact,
            "prefix": span.prefix,
            "suffix": span.suffix,
        },
    ]


def _quote_body(quote: Quote, absolute: Callable[[str], str]) -> list[dict]:
    body = [{"type": "TextualBody", "purpose": "classifying", "value": quote.type}]
    if quote.speaker_id:
        body.append(
            {
                "type": "SpecificResource",
                "purpose": "identifying",
                "source": absolute(quote.speaker.get_absolute_url()),
            }
        )
    elif quote.speaker_description:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "identifying",
                "value": quote.speaker_description,
            }
        )
    return body
