"""Drawing spans: a redraw of some paragraphs matches the whole page's."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from annotations.rendering import Drawn, render_body
from annotations.spans import paragraphs_around
from tests.annotations.test_spans import text_and_span, text_and_spans


def drawn(spans) -> list[Drawn]:
    return [
        Drawn(pk, start, end, "mention", f"<label {pk}>")
        for pk, (start, end, _) in enumerate(spans)
    ]


def paragraphs(html: str) -> dict[str, str]:
    html = html.replace(' hx-swap-oob="true"', "")
    return {
        pid: whole
        for whole, pid in re.findall(r'(<p id="(p-\d+)">.*?</p>)', html, re.S)
    }


@given(text_and_spans(), st.data())
def test_redrawn_paragraphs_are_drawn_as_the_whole_body_draws_them(case, data):
    text, spans = case
    if not text.strip("\n"):
        return
    start, end = data.draw(
        text_and_span(st.just(text)).map(lambda case: case[1:]), label="change"
    )
    spans = drawn(spans)
    within = paragraphs_around(text, start, end)
    whole = paragraphs(render_body(text, spans))
    some = paragraphs(render_body(text, spans, within=within, oob=True))
    assert some
    assert all(whole[pid] == html for pid, html in some.items())
    assert text[within.start : within.end] in text
    assert within.start <= start and end <= within.end + 2  # a break it ends on


def test_a_redraw_is_marked_to_swap_out_of_band_and_escapes_labels():
    text = "One <b>.\n\nTwo and\n\nthree."
    spans = [Drawn(7, 10, 13, "mention", '"><script>')]
    html = render_body(text, spans, within=paragraphs_around(text, 10, 13), oob=True)
    assert html.startswith('<p id="p-1" hx-swap-oob="true">')
    assert html.count("<p ") == 1
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_marks_carry_their_label_as_a_title_unless_the_page_sets_it_on_hover():
    text = "Abadi said no."
    spans = [Drawn(1, 0, 5, "mention", "Person: <Abadi>")]
    assert 'title="Person: &lt;Abadi&gt;"' in render_body(text, spans)
    bare = render_body(text, spans, titles=False)
    assert 'data-label="Person: &lt;Abadi&gt;"' in bare
    assert "title=" not in bare
