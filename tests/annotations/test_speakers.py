"""A speaker's page: what they said, where, with whom, and what others
said in the articles about them; the curated annotations only."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from annotations.models import Quote, Review
from tests.factories import (
    make_article,
    make_entity,
    make_gold_mention,
    make_gold_quote,
    make_source,
)

pytestmark = pytest.mark.django_db


def on(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


def said_section(text: str) -> str:
    start = text.index('id="said"')
    return text[start : text.index("</section>", start)]


def test_speaker_page_lists_their_curated_quotes_newest_first(client, users):
    abadi = make_entity("Haider al-Abadi")
    older = make_article(
        title="Older talks",
        body="Abadi said the talks would go on.",
        published_at=on("2025-03-02"),
        source=make_source(name="Reuters"),
    )
    newer = make_article(
        title="Newer talks",
        body="“We will not wait,” Abadi said.",
        published_at=on("2025-05-20"),
    )
    make_gold_quote(
        older, abadi, "the talks would go on", curator=users["curator"], type="indirect"
    )
    quote = make_gold_quote(newer, abadi, "We will not wait", curator=users["curator"])
    # A reviewer's own quote is not curated: readers do not see it.
    draft = Review.objects.create(article=newer, reviewer=users["reviewer"])
    Quote.objects.create(article=newer, review=draft, speaker=abadi)

    text = client.get(abadi.get_absolute_url()).text

    said = said_section(text)
    assert re.search(r'What Haider al-Abadi said <span class="count">2</span>', said)
    assert said.index("“We will not wait”") < said.index("the talks would go on")
    # Reported speech carries no quotation marks.
    assert "“the talks would go on”" not in said
    part = quote.parts.get()
    assert f'href="{newer.get_absolute_url()}?span={part.pk}">Newer talks</a>' in said
    assert "Reuters" in said and "2 March 2025" in said


def test_speaker_page_names_who_is_quoted_in_the_same_articles(client, users):
    abadi, maliki, putin = (
        make_entity(name) for name in ("Abadi", "Nouri al-Maliki", "Vladimir Putin")
    )
    for n, others in enumerate([[maliki], [maliki, putin], []]):
        body = "Abadi spoke. " + " ".join(f"{o.name} spoke too." for o in others)
        article = make_article(body=body, title=f"Talks {n}")
        make_gold_quote(article, abadi, "Abadi spoke", curator=users["curator"])
        for other in others:
            make_gold_quote(
                article, other, f"{other.name} spoke too", curator=users["curator"]
            )
    lonely = make_article(body="Putin spoke alone.")
    make_gold_quote(lonely, putin, "Putin spoke alone", curator=users["curator"])

    response = client.get(abadi.get_absolute_url())

    ranked = [(e.name, e.articles) for e in response.context["quoted_with"]]
    assert ranked == [("Nouri al-Maliki", 2), ("Vladimir Putin", 1)]
    assert "2 articles" in response.text


def test_speaker_page_shows_what_others_said_in_articles_that_mention_them(
    client, users
):
    abadi, maliki = make_entity("Haider al-Abadi"), make_entity("Nouri al-Maliki")
    about = make_article(body="Maliki said Abadi had failed the army.")
    make_gold_mention(about, abadi, "Abadi", curator=users["curator"])
    curator = users["curator"]
    make_gold_quote(about, maliki, "Abadi had failed the army", curator=curator)
    make_gold_quote(
        about, None, "Maliki said", curator=curator, speaker_description="a senior aide"
    )
    elsewhere = make_article(body="Maliki said the budget was late.")
    make_gold_quote(elsewhere, maliki, "the budget was late", curator=users["curator"])

    text = client.get(abadi.get_absolute_url()).text

    section = text[text.index('id="about"') :]
    assert "Abadi had failed the army" in section
    assert f'href="{maliki.get_absolute_url()}">Nouri al-Maliki</a>' in section
    assert "a senior aide" in section
    assert "the budget was late" not in text


def test_speaker_page_charts_quotes_and_mentions_per_month(client, users):
    abadi = make_entity("Haider al-Abadi")
    january = make_article(body="Abadi said yes. Abadi", published_at=on("2025-01-10"))
    april = make_article(body="Abadi met him.", published_at=on("2025-04-03"))
    make_gold_quote(january, abadi, "yes", curator=users["curator"])
    make_gold_mention(january, abadi, "Abadi", curator=users["curator"])
    make_gold_mention(april, abadi, "Abadi", curator=users["curator"])

    response = client.get(abadi.get_absolute_url())

    chart = response.context["chart"]
    assert chart.series == ["quotes", "mentions"]
    assert chart.rows == [
        ("January 2025", [1, 1]),
        ("February 2025", [0, 0]),
        ("March 2025", [0, 0]),
        ("April 2025", [0, 1]),
    ]
    svg = response.text[response.text.index("<svg") : response.text.index("</svg>")]
    assert svg.count("<rect") == 8
    assert "<title>April 2025, mentions: 1</title>" in svg
    # The numbers are in the page as a table too.
    assert '<th scope="row">February 2025</th><td>0</td><td>0</td>' in response.text


def test_a_place_has_mentions_but_no_quotes_section(client, users):
    iraq = make_entity("Iraq", kind="PLACE")
    article = make_article(body="Iraq voted.", published_at=on("2025-02-01"))
    make_gold_mention(article, iraq, "Iraq", curator=users["curator"])

    response = client.get(iraq.get_absolute_url())

    assert 'id="said"' not in response.text
    assert response.context["chart"].series == ["mentions"]


def test_speaker_page_queries_do_not_grow_with_quotes(
    client, users, django_assert_max_num_queries
):
    abadi, maliki = make_entity("Haider al-Abadi"), make_entity("Nouri al-Maliki")

    def quote_in_new_article():
        article = make_article(body="Abadi said yes. Maliki said no.")
        make_gold_mention(article, abadi, "Abadi", curator=users["curator"])
        make_gold_quote(article, abadi, "yes", curator=users["curator"])
        make_gold_quote(article, maliki, "no", curator=users["curator"])

    quote_in_new_article()
    with django_assert_max_num_queries(20) as few:
        client.get(abadi.get_absolute_url())
    for _ in range(6):
        quote_in_new_article()
    with django_assert_max_num_queries(len(few)):
        response = client.get(abadi.get_absolute_url())
    assert len(response.context["quote_lines"]) == 7


def test_quotes_are_paged(client, users, settings):
    abadi = make_entity("Haider al-Abadi")
    for n in range(23):
        published_at = on("2025-01-01") + dt.timedelta(days=n)
        article = make_article(body=f"Abadi said {n}.", published_at=published_at)
        make_gold_quote(article, abadi, f"{n}", curator=users["curator"])
    first = client.get(abadi.get_absolute_url())
    assert len(first.context["quote_lines"]) == 20
    assert '?quotes=2">Older' in first.text
    last = client.get(abadi.get_absolute_url(), {"quotes": "2"})
    assert [line.words for line in last.context["quote_lines"]] == ["2", "1", "0"]
    # A page that is not a number is the first, not an error.
    assert client.get(abadi.get_absolute_url(), {"quotes": "x"}).status_code == 200
