"""Draw an article's spans onto its text as nested <mark> elements.

The cutting is ``spans.segments``; this module only turns segments into
escaped HTML. Article text is escaped here and never marked safe as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape  # django.utils.html.escape less its lazy wrapper

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
    # Each span's opening tag, made once. No tabindex: Chromium will not
    # start a mouse selection on a focusable element; the script makes a
    # mark focusable when the keyboard moves to it.
    marks: dict[int, str] = {}
    html = ["<p>"]
    for segment in segments(body, ((s.start, s.end, s.pk) for s in spans)):
        text = body[segment.start : segment.end]
        if text == PARAGRAPH_BREAK:
            html.append("</p><p>")
            continue
        opened = []
        for pk in segment.keys:
            if (mark := marks.get(pk)) is None:
                mark = marks[pk] = _open_mark(by_pk[pk])
            opened.append(mark)
        html.append(
            f'<span class="seg" data-o="{segment.start16}">'
            + "".join(opened)
            + escape(text)
            + "</mark>" * len(opened)
            + "</span>"
        )
    html.append("</p>")
    return mark_safe("".join(html))  # noqa: S308 - text and labels escaped above


def _open_mark(span: Drawn) -> str:
    classes = " ".join(
        c for c in (span.role, span.css, "mine" if span.mine else "") if c
    )
    label = escape(span.label)
    attributes = [
        f'class="{classes}"',
        f'data-span="{span.pk}"',
        f'data-label="{label}"',
        f'title="{label}"',
    ]
    if span.quote is not None:
        attributes.append(f'data-quote="{span.quote}"')
    return f"<mark {' '.join(attributes)}>"
