"""Draw an article's spans onto its text as nested <mark> elements.

The cutting is ``spans.segments``; this module only turns segments into
escaped HTML. Article text is escaped here and never marked safe as is.
"""

from __future__ import annotations

from html import escape  # django.utils.html.escape less its lazy wrapper
from typing import NamedTuple

from django.utils.safestring import SafeString, mark_safe

from annotations.spans import PARAGRAPH_BREAK, Paragraphs, segments, to_utf16


class Drawn(NamedTuple):
    """One span as the reader sees it. (A tuple: a page makes thousands.)"""

    pk: int
    start: int
    end: int
    role: str  # "mention", "quote" or "cue"
    label: str  # what hover and focus tell
    css: str = ""
    quote: int | None = None
    mine: bool = False
    suggested: bool = False  # the machine's, for the reviewer to accept or reject


def render_body(
    body: str,
    spans: list[Drawn],
    *,
    within: Paragraphs | None = None,
    oob: bool = False,
    ids: bool = True,
    titles: bool = True,
) -> SafeString:
    """Paragraphs of ``body`` with every span drawn; each segment carries the
    UTF-16 offset of its start (``data-o``) for the selection script.

    With ``within``, only those paragraphs are drawn, with the spans that
    touch them; with ``oob`` too, each paragraph replaces its drawn self when
    htmx swaps the answer in. Without ``ids`` the paragraphs have none, for a
    page that shows the text more than once. Without ``titles`` a mark's
    label is in ``data-label`` alone, for a page whose script makes it the
    title when the pointer comes to the mark: on a long article, a title on
    every mark was a quarter of the page.
    """
    if within is None:
        within = Paragraphs(0, len(body), 0)
    text = body[within.start : within.end]
    base16 = to_utf16(body, within.start)
    by_pk = {span.pk: span for span in spans}
    # Each span's opening tag, made once. No tabindex: Chromium will not
    # start a mouse selection on a focusable element; the script makes a
    # mark focusable when the keyboard moves to it.
    marks: dict[int, str] = {}
    # Neighbouring segments mostly lie under the same spans: their tags are
    # made once for each set of spans.
    tags: dict[tuple, tuple[str, str]] = {}
    swap = ' hx-swap-oob="true"' if oob else ""
    paragraph = within.first
    opening = '<p id="p-{}"' + swap + ">" if ids else "<p>"
    html = [opening.format(paragraph)]
    # Spans are cut to the paragraphs drawn; their marks still nest as on the
    # whole page, where the span that starts first (or is longer) is outside.
    touching = sorted(
        (span for span in spans if span.start < within.end and span.end > within.start),
        key=lambda span: (span.start, -span.end),
    )
    # Cut spans may tie where whole ones did not: order each segment's marks
    # as the whole page does. The whole body needs no second sort.
    whole = within.start == 0 and within.end == len(body)
    rank = {} if whole else {span.pk: i for i, span in enumerate(touching)}
    cut = [
        (
            max(span.start, within.start) - within.start,
            min(span.end, within.end) - within.start,
            span.pk,
        )
        for span in touching
    ]
    for segment in segments(text, cut):
        words = text[segment.start : segment.end]
        if words == PARAGRAPH_BREAK:
            paragraph += 1
            html.append("</p>" + opening.format(paragraph))
            continue
        if (opening_closing := tags.get(segment.keys)) is None:
            opened = []
            for pk in segment.keys if whole else sorted(segment.keys, key=rank.get):
                if (mark := marks.get(pk)) is None:
                    mark = marks[pk] = _open_mark(by_pk[pk], titles)
                opened.append(mark)
            opening_closing = tags[segment.keys] = (
                "".join(opened),
                "</mark>" * len(opened),
            )
        opened_marks, closing = opening_closing
        # Element content: quotation marks need no escaping.
        html.append(
            f'<span data-o="{base16 + segment.start16}">{opened_marks}'
            f"{escape(words, quote=False)}{closing}</span>"
        )
    html.append("</p>")
    return mark_safe("".join(html))  # noqa: S308 - text and labels escaped above


def _open_mark(span: Drawn, title: bool) -> str:
    classes = " ".join(
        c
        for c in (
            span.role,
            span.css,
            "mine" if span.mine else "",
            "suggested" if span.suggested else "",
        )
        if c
    )
    label = escape(span.label)
    attributes = [
        f'class="{classes}"',
        f'data-span="{span.pk}"',
        f'data-label="{label}"',
    ]
    if title:
        attributes.append(f'title="{label}"')
    if span.quote is not None:
        attributes.append(f'data-quote="{span.quote}"')
    return f"<mark {' '.join(attributes)}>"
