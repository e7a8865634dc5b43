"""The quote explorer: curated quotes, searched by their words, narrowed by
speaker, kind of speaker, outlet, dates and type; and the same as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from annotations import editing
from annotations.adjudication import adjudicate
from annotations.merging import merge_entities
from annotations.models import Quote, Review
from tests.factories import make_article, make_entity, make_gold_quote, make_source

pytestmark = pytest.mark.django_db

EXPLORER = reverse("annotations:quote-explorer")
CSV = reverse("annotations:quotes-csv")


@pytest.fixture
def news(users):
    """Four curated quotes in three articles, and one reviewer's draft."""
    curator = users["curator"]
    abadi = make_entity("Haider al-Abadi", aliases=("Abadi",))
    lavrov = make_entity("Sergei Lavrov")
    kremlin = make_entity("The Kremlin", kind="ORG")
    reuters, tass = make_source(name="Reuters"), make_source(name="TASS")
    march = make_article(
        title="Airstrikes welcomed",
        body="Abadi said Iraq would welcome airstrikes. Officials said the talks "
        "failed.",
        source=reuters,
        published_at=dt.datetime(2025, 3, 2, tzinfo=dt.UTC),
    )
    may = make_article(
        title="Moscow answers",
        body="“We are ready for airstrikes,” Lavrov said. The Kremlin said no.",
        source=tass,
        published_at=dt.datetime(2025, 5, 20, tzinfo=dt.UTC),
    )
    make_gold_quote(
        march, abadi, "Iraq would welcome airstrikes", curator=curator, type="indirect"
    )
    make_gold_quote(
        march,
        None,
        "the talks failed",
        curator=curator,
        type="indirect",
        speaker_description="officials",
    )
    make_gold_quote(may, lavrov, "We are ready for airstrikes", curator=curator)
    make_gold_quote(may, kremlin, "no", curator=curator, type="indirect")
    draft = Review.objects.create(article=may, reviewer=users["reviewer"])
    Quote.objects.create(article=may, review=draft, speaker=abadi)
    return {"abadi": abadi, "reuters": reuters}


def words(response) -> list[str]:
    return [line.words for line in response.context["lines"]]


def test_the_explorer_lists_curated_quotes_newest_first(client, news):
    response = client.get(EXPLORER)
    assert response.status_code == 200
    assert words(response) == [
        "We are ready for airstrikes",
        "no",
        "Iraq would welcome airstrikes",
        "the talks failed",
    ]
    assert "4 quotes" in response.text


def test_the_explorer_searches_the_quoted_words(client, news):
    response = client.get(EXPLORER, {"q": "airstrike"})  # stemmed: airstrikes
    assert words(response) == [
        "We are ready for airstrikes",
        "Iraq would welcome airstrikes",
    ]
    assert "2 quotes saying “airstrike”" in response.text
    assert words(client.get(EXPLORER, {"q": "airstrikes -ready"})) == [
        "Iraq would welcome airstrikes"
    ]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"speaker": "abadi"}, ["Iraq would welcome airstrikes"]),
        ({"speaker": "haider-al-abadi"}, ["Iraq would welcome airstrikes"]),
        ({"kind": "ORG"}, ["no"]),
        ({"kind": "described"}, ["the talks failed"]),
        ({"type": "direct"}, ["We are ready for airstrikes"]),
        ({"date_from": "2025-05-01"}, ["We are ready for airstrikes", "no"]),
        (
            {"date_to": "2025-03-02", "kind": "PERSON"},
            ["Iraq would welcome airstrikes"],
        ),
    ],
)
def test_the_explorer_filters(client, news, params, expected):
    assert words(client.get(EXPLORER, params)) == expected


def test_the_explorer_filters_by_outlet(client, news):
    response = client.get(EXPLORER, {"source": news["reuters"].pk, "q": "talks"})
    assert words(response) == ["the talks failed"]


def test_htmx_gets_only_the_results(client, news):
    response = client.get(EXPLORER, {"q": "ready"}, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section id="results"')
    assert "<form" not in response.text
    assert "HX-Request" in response["Vary"]


def test_bad_filters_say_what_is_wrong(client, news):
    response = client.get(
        EXPLORER, {"date_from": "2025-06-01", "date_to": "2025-01-01", "kind": "X"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.text
    assert "Select a valid choice." in response.text
    assert response.context["lines"] == []
    assert client.get(CSV, {"kind": "X"}).status_code == 400


def test_no_match_says_so_and_offers_to_clear(client, news):
    response = client.get(EXPLORER, {"q": "zeppelin", "type": "partial"})
    assert "No quotes match “zeppelin” with these filters." in response.text
    assert f'<a href="{EXPLORER}">Clear search and filters</a>' in response.text


def test_only_the_newest_candidates_are_counted(client, news, settings):
    settings.SEARCH_CANDIDATES = 3
    response = client.get(EXPLORER)
    assert response.context["capped"] is True
    assert "3 or more quotes: the newest 3" in response.text
    assert len(words(response)) == 3


def test_the_csv_holds_every_match_with_the_searched_words(client, news, settings):
    settings.SEARCH_CANDIDATES = 1  # the CSV is not capped
    response = client.get(CSV, {"q": "airstrikes"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    )
    assert [(r["speaker"], r["words"], r["source"], r["date"]) for r in rows] == [
        ("Sergei Lavrov", "We are ready for airstrikes", "TASS", "2025-05-20"),
        ("Haider al-Abadi", "Iraq would welcome airstrikes", "Reuters", "2025-03-02"),
    ]
    assert {r["reviewer"] for r in rows} == {"curator"}


def test_the_page_links_the_csv_of_its_search(client, news):
    response = client.get(EXPLORER, {"q": "airstrikes", "page": "1"})
    assert f'href="{CSV}?q=airstrikes"' in response.text


def test_explorer_queries_do_not_grow_with_quotes(
    client, users, django_assert_max_num_queries
):
    speaker = make_entity("Haider al-Abadi")
    source = make_source()

    def quote():
        article = make_article(body="Abadi said yes.", source=source)
        make_gold_quote(article, speaker, "yes", curator=users["curator"])

    quote()
    with django_assert_max_num_queries(10) as few:
        client.get(EXPLORER, {"q": "yes"})
    for _ in range(5):
        quote()
    with django_assert_max_num_queries(len(few)):
        response = client.get(EXPLORER, {"q": "yes"})
    assert len(response.context["lines"]) == 6


def test_the_explorer_ignores_accents(client, users):
    speaker = make_entity("Enrique Peña Nieto")
    article = make_article(body="Peña Nieto said the café would reopen.")
    make_gold_quote(article, speaker, "the café would reopen", curator=users["curator"])
    assert words(client.get(EXPLORER, {"q": "cafe"})) == ["the café would reopen"]
    assert words(client.get(EXPLORER, {"speaker": "pena nieto"})) == [
        "the café would reopen"
    ]


# The explorer searches CuratedQuote rows, which triggers keep: each way the
# gold changes must show in what it finds.


def _at(body: str, words: str) -> tuple[int, int]:
    start = body.index(words)
    return start, start + len(words)


def test_adjudicated_quotes_are_found_and_reviewers_drafts_are_not(client, users):
    lavrov = make_entity("Sergei Lavrov")
    article = make_article(body="“We are ready for airstrikes,” Lavrov said.")
    for reviewer in ("reviewer", "reviewer2"):
        review = editing.start_review(article=article, reviewer=users[reviewer])
        editing.create_quote(
            review=review,
            parts=[_at(article.body, "We are ready for airstrikes")],
            speaker=lavrov,
        )
        editing.submit_review(review=review)
    assert words(client.get(EXPLORER, {"q": "ready"})) == []

    adjudicate(article=article, curator=users["curator"], choices={})
    assert words(client.get(EXPLORER, {"q": "ready"})) == [
        "We are ready for airstrikes"
    ]


def test_a_curators_edits_of_the_gold_are_found_at_once(client, news):
    quote = Quote.objects.get(parts__exact="the talks failed")
    editing.update_quote(quote=quote, type="direct", speaker=news["abadi"])
    assert words(client.get(EXPLORER, {"speaker": "abadi", "type": "direct"})) == [
        "the talks failed"
    ]
    assert words(client.get(EXPLORER, {"kind": "described"})) == []

    start, end = _at(quote.article.body, "Abadi said Iraq")
    editing.add_quote_part(quote=quote, start=start, end=end)
    assert words(client.get(EXPLORER, {"q": "iraq talks"})) == [
        "Abadi said Iraq … the talks failed"
    ]


def test_a_deleted_quote_is_gone_and_undo_brings_it_back(client, news, users):
    quote = Quote.objects.get(parts__exact="We are ready for airstrikes")
    token = editing.delete_span(span=quote.parts.get())
    assert words(client.get(EXPLORER, {"q": "ready"})) == []

    editing.undo(token=token, user=None)
    assert words(client.get(EXPLORER, {"q": "ready"})) == [
        "We are ready for airstrikes"
    ]


def test_a_merged_speakers_quotes_are_found_under_the_target(client, news, users):
    abadi = news["abadi"]
    duplicate = make_entity("Haidar al-Abadi")
    article = make_article(
        body="Haidar al-Abadi said the ceasefire held.",
        published_at=dt.datetime(2025, 7, 1, tzinfo=dt.UTC),
    )
    make_gold_quote(article, duplicate, "the ceasefire held", curator=users["curator"])

    merge_entities(target=abadi, sources=[duplicate], user=users["curator"])
    assert words(client.get(EXPLORER, {"speaker": abadi.slug})) == [
        "the ceasefire held",
        "Iraq would welcome airstrikes",
    ]


def test_an_articles_new_date_and_outlet_are_found(client, news):
    article = Quote.objects.get(parts__exact="the talks failed").article
    article.published_at = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    article.source = make_source(name="AP")
    article.save()
    response = client.get(EXPLORER, {"date_from": "2025-05-25"})
    assert words(response) == ["Iraq would welcome airstrikes", "the talks failed"]
    response = client.get(EXPLORER, {"source": article.source_id})
    assert len(words(response)) == 2


def test_a_review_no_longer_adjudicated_leaves_the_explorer(client, news):
    Review.objects.filter(status="adjudicated", article__source=news["reuters"]).update(
        status="submitted"
    )
    assert words(client.get(EXPLORER)) == ["We are ready for airstrikes", "no"]


def test_a_speakers_name_searched_as_words_offers_their_quotes(client, news):
    response = client.get(EXPLORER, {"q": "al-abadi"})
    assert words(response) == []
    link = f'<a href="{EXPLORER}?speaker=haider-al-abadi">Haider al-Abadi</a>'
    assert f"Did you mean quotes by {link}?" in response.text
    # A name no curated quote is by is not offered.
    make_entity("Zelda Quint")
    assert "Did you mean" not in client.get(EXPLORER, {"q": "quint"}).text
