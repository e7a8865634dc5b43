"""The stats page: who is quoted and where, drawn from the curated
annotations only, each chart with its numbers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from annotations import views
from annotations.models import Quote, Review
from tests.factories import make_article, make_entity, make_gold_quote, make_source

pytestmark = pytest.mark.django_db

URL = "/stats/"


def on(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


def section(text: str, heading: str) -> str:
    start = text.index(f'id="{heading}"')
    return text[start : text.index("</section>", start)]


def quotes_in_one_article(speakers: list, *, curator, **fields) -> None:
    """One curated quote by each of ``speakers`` (repeats quote again)."""
    body = " ".join(f"Line {n} was said." for n in range(len(speakers)))
    article = make_article(body=body, **fields)
    for n, speaker in enumerate(speakers):
        make_gold_quote(article, speaker, f"Line {n} ", curator=curator)


def test_stats_ranks_the_twenty_most_quoted_speakers_with_links(client, users):
    putin, abadi, merkel = (
        make_entity(name) for name in ("Vladimir Putin", "Haider al-Abadi", "Merkel")
    )
    others = [make_entity(f"Speaker {n:02}") for n in range(18)]
    quotes_in_one_article(
        [putin, putin, putin, abadi, abadi, merkel, *others],
        curator=users["curator"],
    )
    # A reviewer's own quotes are not curated: they count for nobody.
    draft = Review.objects.create(article=make_article(), reviewer=users["reviewer"])
    for _ in range(5):
        Quote.objects.create(article=draft.article, review=draft, speaker=merkel)

    response = client.get(URL)

    assert response.status_code == 200
    rows = [
        (row.item.name, row.value, row.length) for row in response.context["speakers"]
    ]
    assert len(rows) == 20
    assert rows[:4] == [
        ("Vladimir Putin", 3, 100.0),
        ("Haider al-Abadi", 2, 66.7),
        ("Merkel", 1, 33.3),
        ("Speaker 00", 1, 33.3),
    ]
    # Twenty-one speakers: the last by name is left out.
    assert rows[-1][0] == "Speaker 16"
    table = section(response.text, "speakers-heading")
    assert f'href="{abadi.get_absolute_url()}">Haider al-Abadi</a>' in table
    assert re.search(
        r'Haider al-Abadi</a></th>\s*<td class="bar-cell"><span class="bar-value">\s*'
        r'<svg class="bar"[^>]*aria-hidden="true"[^>]*>.*?<rect width="66.7" '
        r'height="10"/></svg>\s*<span class="num">2</span>',
        table,
        re.S,
    )


def test_stats_draws_quotes_per_outlet_per_month_for_the_top_four(client, users):
    curator = users["curator"]
    abadi = make_entity("Haider al-Abadi")
    outlets = [make_source(name=name) for name in ("AP", "BBC", "DW", "NPR", "RT")]
    ap, bbc, *_ = outlets
    quotes_in_one_article(
        [abadi] * 3, curator=curator, source=ap, published_at=on("2025-01-10")
    )
    quotes_in_one_article(
        [abadi], curator=curator, source=ap, published_at=on("2025-03-02")
    )
    quotes_in_one_article(
        [abadi] * 2, curator=curator, source=bbc, published_at=on("2025-03-30")
    )
    for outlet, count in zip(outlets[2:], [2, 2, 1], strict=True):
        quotes_in_one_article(
            [abadi] * count,
            curator=curator,
            source=outlet,
            published_at=on("2025-02-01"),
        )
    # Undated, it has no month: it neither counts nor ranks the outlet.
    quotes_in_one_article(
        [abadi] * 9, curator=curator, source=outlets[4], published_at=None
    )

    response = client.get(URL)

    outlets_chart = response.context["outlets"]
    assert outlets_chart.series == ["AP", "BBC", "DW", "NPR"]
    assert outlets_chart.rows == [
        ("January 2025", [3, 0, 0, 0]),
        ("February 2025", [0, 0, 2, 2]),
        ("March 2025", [1, 2, 0, 0]),
    ]
    # One chart an outlet, over the same months and to the same scale.
    assert [(c.series, c.top, len(c.bars)) for c in outlets_chart.charts] == [
        (["AP"], 3, 3),
        (["BBC"], 3, 3),
        (["DW"], 3, 3),
        (["NPR"], 3, 3),
    ]
    html = section(response.text, "outlets-heading")
    assert html.count('role="img"') == 4
    assert '<figcaption id="outlet-2">BBC</figcaption>' in html
    assert 'aria-labelledby="outlets-heading outlet-2"' in html
    assert "<title>March 2025, BBC: 2</title>" in html
    assert (
        '<th scope="row">February 2025</th><td class="num">0</td>'
        '<td class="num">0</td><td class="num">2</td><td class="num">2</td>'
    ) in html


def test_stats_counts_each_outlets_speakers_and_the_ten_most_quoteds_share(
    client, users
):
    curator = users["curator"]
    wide, narrow = make_source(name="Wide"), make_source(name="Narrow")
    speakers = [make_entity(f"Speaker {n:02}") for n in range(12)]
    # Sixteen quotes from twelve speakers; the ten most quoted have 14.
    quotes_in_one_article(
        [speakers[0], speakers[0], speakers[1], speakers[1], *speakers],
        curator=curator,
        source=wide,
    )
    quotes_in_one_article([speakers[0]] * 2, curator=curator, source=narrow)
    # Unnamed sources count neither as speakers nor in the share.
    article = make_article(body="Officials said no.", source=narrow)
    make_gold_quote(
        article, None, "no", curator=curator, speaker_description="officials"
    )

    response = client.get(URL)

    rows = [
        (r.item.outlet.name, r.item.quotes, r.item.speakers, r.item.top_ten, r.length)
        for r in response.context["reach"]
    ]
    assert rows == [("Wide", 16, 12, 14, 87.5), ("Narrow", 2, 1, 2, 100.0)]
    table = section(response.text, "reach-heading")
    assert re.search(
        r'<th scope="row">Wide</th>\s*<td class="num">16</td>\s*'
        r'<td class="num">12</td>\s*<td class="bar-cell" title="14 of 16 quotes">'
        r'.*?<rect width="87.5" height="10"/></svg>\s*<span class="num">88%</span>',
        table,
        re.S,
    )


def test_stats_shows_the_reach_of_the_outlets_with_most_quotes_then_all(
    client, users, monkeypatch
):
    monkeypatch.setattr(views, "OUTLETS_REACHED", 2)
    speaker = make_entity("Speaker")
    for n, name in enumerate(("One", "Two", "Three")):
        quotes_in_one_article(
            [speaker] * (3 - n), curator=users["curator"], source=make_source(name=name)
        )

    response = client.get(URL)
    assert [r.item.outlet.name for r in response.context["reach"]] == ["One", "Two"]
    assert (
        'The 2 outlets with the most quotes. <a href="?outlets=all#reach-heading">'
        "Show all 3</a>"
    ) in response.text
    response = client.get(URL, {"outlets": "all"})
    assert len(response.context["reach"]) == 3
    assert "Show all" not in response.text


def test_stats_page_says_plainly_when_there_is_nothing_yet(client, users):
    # A quote under review is not curated, and an article without a quote.
    draft = Review.objects.create(article=make_article(), reviewer=users["reviewer"])
    Quote.objects.create(
        article=draft.article, review=draft, speaker=make_entity("Abadi")
    )

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["speakers"] == []
    assert response.context["outlets"] is None
    assert response.context["reach"] == []
    assert "No curated quote has a named speaker yet." in response.text
    assert (
        "No curated quote in a dated article from a known outlet yet." in response.text
    )
    assert "No outlet has a curated quote with a named speaker yet." in response.text
    assert "<svg" not in response.text


def test_stats_page_is_linked_from_the_header_for_anonymous_readers(client):
    assert reverse("annotations:stats") == URL
    home = client.get("/").text
    assert f'<a href="{URL}">Who is quoted</a>' in home
    assert client.get(URL).status_code == 200


def test_stats_queries_do_not_grow_with_the_data(
    client, users, django_assert_max_num_queries
):
    def quotes_in_a_new_outlet(n: int) -> None:
        speakers = [make_entity(f"Speaker {n}-{k}") for k in range(3)]
        quotes_in_one_article(
            speakers, curator=users["curator"], published_at=on(f"2025-0{n}-01")
        )

    quotes_in_a_new_outlet(1)
    with django_assert_max_num_queries(10) as few:
        client.get(URL)
    for n in range(2, 8):
        quotes_in_a_new_outlet(n)
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL)
    assert len(response.context["reach"]) == 7
