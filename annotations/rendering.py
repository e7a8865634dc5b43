"""Draw an article's spans onto its text as nested <mark> elements.

The cutting is ``spans.segments``; this module only turns segments into
escaped HTML. Article text is escaped here and never marked safe as is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from annotations.spans import PARAGRAPH_BREAK, segments


@dataclass(frozen=True)
class Drawn:
    """One span as the reader sees it."""

    pk: int
    start: int
    end: int
    role: str  # "mention", "quote" or "cue"
    label: str  # what hover and focus tell
    css: str = ""
    quote: int | None = None
    mine: bool = False


def render_body(body: str, spans: list[Drawn]) -> SafeString:
    """Paragraphs of ``body`` with every span drawn; each segment carries the
    UTF-16 offset of its start (``data-o``) for the selection script."""
    by_pk = {span.pk: span for span in spans}
    first_piece: set[int] = set()
    html = ["<p>"]
    for segment in segments(body, ((s.start, s.end, s.pk) for s in spans)):
        text = body[segment.start : segment.end]
        if text == PARAGRAPH_BREAK:
            html.append("</p><p>")
            continue
        opened = []
        for pk in segment.keys:
            span = by_pk[pk]
            focusable = pk not in first_piece
            first_piece.add(pk)
            opened.append(_open_mark(span, focusable))
        html.append(
            f'<span class="seg" data-o="{segment.start16}">'
            + "".join(opened)
            + escape(text)
            + "</mark>" * len(opened)
            + "</span>"
        )
    html.append("</p>")
    return mark_safe("".join(html))  # noqa: S308 - text and labels escaped above


def _open_mark(span: Drawn, focusable: bool) -> str:
    classes = " ".join(
        c for c in (span.role, span.css, "mine" if span.mine else "") if c
    )
    attributes = [
        f'class="{classes}"',
        f'data-span="{span.pk}"',
        f'data-label="{escape(span.label)}"',
        f'title="{escape(span.label)}"',
    ]
    if span.quote is not None:
        attributes.append(f'data-quote="{span.quote}"')
    if focusable:
        attributes.append('tabindex="0"')
    return f"<mark {' '.join(attributes)}>"
