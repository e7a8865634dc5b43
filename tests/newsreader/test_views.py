from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from annotations import editing
from tests.factories import make_article, make_entity, make_gold_mention, make_source

pytestmark = pytest.mark.django_db

LIST = reverse("newsreader:article-list")
ENTITIES = reverse("newsreader:entity-list")


def titles(response) -> list[str]:
    return [article.title for article in response.context["page"]]


def test_article_list_shows_newest_first(client):
    older = make_article(published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    newer = make_article(published_at=dt.datetime(2021, 1, 1, tzinfo=dt.UTC))
    response = client.get(LIST)
    assert response.status_code == 200
    assert titles(response) == [newer.title, older.title]


def test_article_list_is_paginated(settings, client):
    settings.ARTICLES_PER_PAGE = 2
    for _ in range(5):
        make_article()
    response = client.get(LIST, {"page": 3})
    assert len(response.context["page"]) == 1
    assert "Page 3 of 3" in response.text


@pytest.mark.parametrize("page", ["99", "abc", "-1", ""])
def test_article_list_survives_any_page_number(client, page):
    make_article()
    response = client.get(LIST, {"page": page})
    assert response.status_code == 200
    assert len(response.context["page"]) == 1


def test_search_ranks_and_highlights(client):
    make_article(title="Weather", body="A flood hit the town.")
    best = make_article(title="Flood warning", body="Rivers rose.")
    response = client.get(LIST, {"q": "flood"})
    assert titles(response)[0] == best.title
    assert "<mark>flood</mark>" in response.text.lower()
    assert "2 articles match “flood”" in response.text


def test_search_without_accents_highlights_the_accented_words(client):
    make_article(title="Peña in Ankara", body="Enrique Peña Nieto arrived.")
    response = client.get(LIST, {"q": "Pena"})
    assert titles(response) == ["Peña in Ankara"]
    assert "<mark>Peña</mark> Nieto" in response.text


def test_search_snippet_escapes_article_text(client):
    make_article(body="The <script>alert(1)</script> storm hit Tom & Jerry's <b>town.")
    response = client.get(LIST, {"q": "storm"})
    snippet = response.text.split('class="snippet">')[1].split("</p>")[0]
    assert "<script>" not in snippet
    assert "<b>" not in snippet
    assert "Tom &amp; Jerry" in snippet
    assert "<mark>storm</mark>" in snippet


def test_search_with_no_result_says_so(client):
    make_article(body="Nothing relevant.")
    response = client.get(LIST, {"q": "zeppelin"})
    assert response.status_code == 200
    assert "No articles match “zeppelin”" in response.text


def test_search_over_htmx_returns_only_the_results(client):
    make_article(title="Flood warning")
    response = client.get(LIST, {"q": "flood"}, headers={"HX-Request": "true"})
    assert "1 article matches “flood”" in response.text
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="results"')
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]


def test_filter_by_source(client):
    source = make_source(name="Wire")
    kept = make_article(source=source)
    make_article()
    response = client.get(LIST, {"source": source.pk})
    assert titles(response) == [kept.title]


def test_filter_by_entity_keeps_only_articles_that_mention_it(client, users):
    entity = make_entity("Haider al-Abadi")
    kept = make_article(body="Abadi said no.")
    make_article(body="Someone else said no.")
    make_gold_mention(kept, entity, "Abadi", curator=users["curator"])
    response = client.get(LIST, {"entity": entity.slug})
    assert titles(response) == [kept.title]
    assert "Mentioning" in response.text


def test_filter_by_date_range_includes_both_ends(client):
    def on(day):
        return make_article(published_at=dt.datetime(2024, 3, day, 12, tzinfo=dt.UTC))

    first, last = on(1), on(3)
    on(4)
    response = client.get(LIST, {"date_from": "2024-03-01", "date_to": "2024-03-03"})
    assert titles(response) == [last.title, first.title]


def test_bad_date_filter_shows_the_error(client):
    response = client.get(LIST, {"date_from": "yesterday"})
    assert response.status_code == 200
    assert "Enter a valid date" in response.text


def test_reversed_date_range_shows_the_error(client):
    response = client.get(LIST, {"date_from": "2024-03-02", "date_to": "2024-03-01"})
    assert "The end date is before the start date" in response.text


def test_unknown_entity_filter_shows_the_error(client):
    response = client.get(LIST, {"entity": "nobody"})
    assert "No article mentions that person" in response.text


@pytest.mark.parametrize("query", ["!!!", "?!.,;:", "   "])
def test_search_of_only_punctuation_is_a_normal_page(client, query):
    make_article()
    response = client.get(LIST, {"q": query})
    assert response.status_code == 200
    assert len(response.context["page"]) == 1


def test_search_of_ten_thousand_characters_gets_a_message(client):
    response = client.get(LIST, {"q": "word " * 2000})
    assert response.status_code == 200
    assert "That search is too long" in response.text


def test_search_with_a_nul_byte_gets_a_message(client):
    response = client.get(LIST, {"q": "flo\x00od"})
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.text


def test_the_query_stays_in_the_page_so_it_can_be_shared(client):
    response = client.get(LIST, {"q": "flood"})
    assert 'value="flood"' in response.text


def test_article_detail_shows_text_and_mentioned_entities(client, users):
    source = make_source(name="Press TV")
    article = make_article(
        title="Abadi speaks",
        byline="A. Writer",
        source=source,
        body="Abadi spoke in Baghdad.\n\nAbadi left.",
    )
    make_gold_mention(
        article, make_entity("Haider al-Abadi"), "Abadi", curator=users["curator"]
    )
    make_gold_mention(
        article,
        make_entity("Baghdad", kind="PLACE"),
        "Baghdad",
        curator=users["curator"],
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    body = response.text.split('id="article-body"')[1].split("</div>")[0]
    assert body.count("<p ") == 2
    assert "By A. Writer" in response.text
    assert "Press TV" in response.text
    assert 'href="/entities/haider-al-abadi/"' in response.text
    assert 'href="/entities/baghdad/"' in response.text


def test_article_detail_escapes_the_body(client):
    article = make_article(
        title="<img src=x onerror=alert(1)>", body="<script>x()</script>"
    )
    response = client.get(article.get_absolute_url())
    assert "<script>x()" not in response.text
    assert "<img src=x" not in response.text


def test_unknown_article_is_404(client):
    response = client.get(reverse("newsreader:article-detail", args=[999999]))
    assert response.status_code == 404
    assert "Not found" in response.text


def test_entity_list_finds_by_alias(client):
    make_entity("Ilya Rogachev", aliases=("Rogachyov",))
    make_entity("Haider al-Abadi")
    response = client.get(ENTITIES, {"q": "Rogachyov"})
    assert [e.name for e in response.context["page"]] == ["Ilya Rogachev"]


def test_entity_list_finds_a_name_searched_without_its_accents(client):
    make_entity("Enrique Peña Nieto")
    make_entity("Haider al-Abadi")
    response = client.get(ENTITIES, {"q": "Pena"})
    assert [e.name for e in response.context["page"]] == ["Enrique Peña Nieto"]


def test_entity_list_over_htmx_returns_only_the_results(client):
    make_entity("Ilya Rogachev")
    response = client.get(ENTITIES, {"q": "rog"}, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section id="results"')


def test_entity_list_with_no_match_says_so(client):
    response = client.get(ENTITIES, {"q": "Nobody Atall"})
    assert "No one called “Nobody Atall”" in response.text


def test_entity_list_hides_merged_entities(client):
    target = make_entity("Ilya Rogachev")
    make_entity("I. Rogachev", merged_into=target)
    response = client.get(ENTITIES)
    assert [e.name for e in response.context["page"]] == ["Ilya Rogachev"]


def test_entity_list_leaves_out_speakers_the_machine_proposed(client):
    make_entity("Rim Authority", status="suggested")
    make_entity("Pacific Rim Authority", kind="ORG")
    for params in ({}, {"q": "Rim Authority"}):
        response = client.get(ENTITIES, params)
        assert [e.name for e in response.context["page"]] == ["Pacific Rim Authority"]


def test_entity_detail_shows_aliases_wikidata_and_articles(client, users):
    entity = make_entity(
        "Russia", kind="PLACE", aliases=("Russian Federation",), wikidata_id="Q159"
    )
    article = make_article(title="Moscow acts", body="Russia acted.")
    make_gold_mention(article, entity, "Russia", curator=users["curator"])
    response = client.get(entity.get_absolute_url())
    assert response.status_code == 200
    assert "Russian Federation" in response.text
    assert 'href="https://www.wikidata.org/wiki/Q159"' in response.text
    assert "Moscow acts" in response.text


def test_merged_entity_redirects_to_its_target(client):
    target = make_entity("Ilya Rogachev")
    merged = make_entity("I. Rogachev", merged_into=target)
    response = client.get(merged.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == target.get_absolute_url()


def test_unknown_entity_is_404(client):
    assert (
        client.get(reverse("newsreader:entity-detail", args=["nobody"])).status_code
        == 404
    )


def test_header_shows_who_is_signed_in(client, users):
    client.force_login(users["reviewer"])
    response = client.get(LIST)
    assert "Signed in as <strong>reviewer</strong>" in response.text
    assert "Sign out" in response.text


def test_anonymous_header_offers_sign_in(client):
    assert "Sign in" in client.get(LIST).text


def test_login_and_logout(client, users):
    response = client.post(
        reverse("login"),
        {"username": "reviewer", "password": "pw-reviewer"},
        follow=True,
    )
    assert response.context["user"].username == "reviewer"
    response = client.post(reverse("logout"), follow=True)
    assert not response.context["user"].is_authenticated


def test_login_with_a_wrong_password_says_so(client, users):
    response = client.post(
        reverse("login"), {"username": "reviewer", "password": "nope"}
    )
    assert "do not match" in response.text


def test_pages_do_not_accept_posts(client):
    assert client.post(LIST).status_code == 405


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")


def test_the_list_tells_a_reviewer_where_each_of_their_reviews_stands(client, users):
    from annotations.models import Review

    untouched = make_article(title="Untouched")
    started = make_article(title="Started")
    done = make_article(title="Done")
    Review.objects.create(article=started, reviewer=users["reviewer"])
    Review.objects.create(article=done, reviewer=users["reviewer"], status="submitted")
    Review.objects.create(
        article=untouched, reviewer=users["reviewer2"], status="submitted"
    )
    client.force_login(users["reviewer"])
    rows = {a.title: a.review_status for a in client.get(LIST).context["page"]}
    assert rows == {"Untouched": None, "Started": "in_progress", "Done": "submitted"}
    text = client.get(LIST).text
    assert "Not started" in text and "In progress" in text and "Submitted" in text


def test_the_list_shows_no_review_status_to_readers(client, users):
    make_article()
    client.force_login(users["reader"])
    assert "Not started" not in client.get(LIST).text


def test_a_search_matching_more_than_the_cap_ranks_the_newest_and_says_so(
    client, settings
):
    settings.SEARCH_CANDIDATES = 2
    oldest = make_article(
        title="Flood flood flood", published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    make_article(title="Flood warning")
    make_article(title="Flood again")
    response = client.get(LIST, {"q": "flood"})
    assert oldest.title not in titles(response)
    assert len(titles(response)) == 2
    assert "2 or more articles match “flood”" in response.text


def test_filters_apply_before_the_search_cap(client, settings):
    settings.SEARCH_CANDIDATES = 1
    wire = make_source(name="Wire")
    kept = make_article(
        title="Flood in the hills",
        source=wire,
        published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    make_article(title="Flood warning")
    response = client.get(LIST, {"q": "flood", "source": wire.pk})
    assert titles(response) == [kept.title]


def test_a_signed_in_users_pages_are_private_and_every_page_denies_features(
    client, users
):
    article = make_article()
    for address in (LIST, article.get_absolute_url()):
        anonymous = client.get(address)
        assert "private" not in anonymous.headers.get("Cache-Control", "")
        assert "camera=()" in anonymous.headers["Permissions-Policy"]
    client.force_login(users["reviewer"])
    for address in (LIST, article.get_absolute_url()):
        response = client.get(address)
        assert "private" in response.headers["Cache-Control"]
        assert "geolocation=()" in response.headers["Permissions-Policy"]


def test_head_answers_like_get_without_a_body(client, users):
    article = make_article()
    client.force_login(users["reviewer"])
    for address in (
        LIST,
        article.get_absolute_url(),
        reverse("newsreader:entity-list"),
    ):
        response = client.head(address)
        assert response.status_code == 200, address
        assert response.content == b""


def test_reviewers_filter_the_list_by_where_their_own_review_stands(client, users):
    started = make_article(title="Started one")
    done = make_article(title="Submitted one")
    fresh = make_article(title="Untouched one")
    editing.start_review(article=started, reviewer=users["reviewer"])
    editing.submit_review(
        review=editing.start_review(article=done, reviewer=users["reviewer"])
    )
    editing.start_review(article=fresh, reviewer=users["reviewer2"])  # not theirs
    client.force_login(users["reviewer"])

    def titles(mine: str) -> list[str]:
        text = client.get("/", {"mine": mine}).text
        return re.findall(r'class="title" href="[^"]+">([^<]+)</a>', text)

    assert titles("none") == ["Untouched one"]
    assert titles("in_progress") == ["Started one"]
    assert titles("submitted") == ["Submitted one"]
    assert len(titles("")) == 3
    # Readers have no reviews: the filter is not theirs to use.
    client.force_login(users["reader"])
    page = client.get("/", {"mine": "none"}).text
    assert 'name="mine"' not in page
    assert len(re.findall(r'class="title"', page)) == 3


def test_article_text_is_the_body_as_plain_utf8_text(client):
    article = make_article(title="Not in the text", body="🚀 Abadi said <b>no</b>.")
    response = client.get(reverse("newsreader:article-text", args=[article.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode("utf-8") == article.body
    response = client.head(reverse("newsreader:article-text", args=[article.pk]))
    assert response.status_code == 200


def test_article_text_of_an_unknown_article_is_404(client, db):
    response = client.get(reverse("newsreader:article-text", args=[999]))
    assert response.status_code == 404
    response = client.post(reverse("newsreader:article-text", args=[999]))
    assert response.status_code == 405


def test_the_next_page_keeps_the_search_and_filters(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    source = make_source(name="Reuters")
    for n in range(3):
        make_article(title=f"Flood {n}", body="Rivers rose.", source=source)
    response = client.get("/", {"q": "flood", "source": source.pk})
    link = re.search(r'<a rel="next" href="([^"]+)"', response.text)[1]
    following = client.get("/" + html.unescape(link))
    assert following.context["page"].number == 2
    assert following.context["form"].cleaned_data["q"] == "flood"
    assert [a.title for a in following.context["page"]] == ["Flood 0"]
