"""Comparing reviews, adjudicating them into the gold, and the curator pages."""

from __future__ import annotations

import doctest
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import annotations.adjudication
from annotations import editing
from annotations.adjudication import (
    BOUNDARIES,
    CUE,
    ENTITY,
    MISSING,
    NEITHER,
    SPEAKER_OR_TYPE,
    AdjudicationError,
    adjudicate,
    compare,
    gold_choices,
    submitted_reviews,
)
from annotations.agreement import Annotations, MentionItem, QuoteItem
from annotations.models import Mention, Quote, Review, Span
from tests.factories import make_article, make_entity

BODY = (
    "Haider al-Abadi met Ilya Rogachev in Baghdad.\n\n"
    "“Not yet,” Abadi said, adding that Moscow would help."
)


def test_the_docstring_examples_hold():
    result = doctest.testmod(annotations.adjudication)
    assert result.attempted > 0
    assert result.failed == 0


def _q(start: int, end: int, speaker: int | None, type: str = "direct") -> QuoteItem:
    return QuoteItem(((start, end),), speaker, type)


def test_compare_classifies_each_kind_of_disagreement():
    m = MentionItem
    ann = Annotations(
        "ann",
        (m(0, 5, 1), m(10, 15, 2), m(20, 25, 3), m(30, 35, 4)),
        (_q(50, 60, 1), _q(70, 80, 1)),
        review_id=1,
    )
    bob = Annotations(
        "bob",
        (m(0, 5, 1), m(11, 15, 2), m(20, 25, 9)),
        (_q(50, 60, 1, "partial"), _q(70, 80, 2)),
        review_id=2,
    )
    found = {group.key: group.differences for group in compare([ann, bob])}
    assert found == {
        "m0-5": [],
        "m10-15": [BOUNDARIES],
        "m20-25": [ENTITY],
        "m30-35": [MISSING],
        "q50-60": [SPEAKER_OR_TYPE],
        "q70-80": [SPEAKER_OR_TYPE],
    }


def test_quotes_that_differ_only_in_their_cue_are_a_disagreement():
    said, added = (62, 66), (80, 85)
    reviews = [
        Annotations(
            name, quotes=(QuoteItem(((50, 60),), 1, "direct", cue),), review_id=pk
        )
        for pk, name, cue in [(1, "ann", said), (2, "bob", added), (3, "cy", said)]
    ]
    (group,) = compare(reviews)
    assert group.differences == [CUE]
    assert [(v.reviewers, v.items[0].cue) for v in group.versions] == [
        (["ann", "cy"], said),
        (["bob"], added),
    ]
    gold = Annotations("gold", quotes=(QuoteItem(((50, 60),), 1, "direct", added),))
    assert gold_choices([group], gold) == {group.key: "2"}


def test_reviews_holding_the_same_version_share_one_choice():
    m = MentionItem
    reviews = [
        Annotations(name, (m(0, 5, entity),), review_id=pk)
        for pk, name, entity in [(1, "ann", 1), (2, "bob", 1), (3, "cy", 2)]
    ]
    (group,) = compare(reviews)
    assert [(v.value, v.reviewers) for v in group.versions] == [
        ("1", ["ann", "bob"]),
        ("3", ["cy"]),
    ]
    # Two of three is a majority: the page offers it first.
    assert group.majority(3) == "1"


def test_a_mention_split_in_two_by_one_reviewer_is_one_disagreement():
    m = MentionItem
    one = Annotations("ann", (m(0, 15, 1),), review_id=1)
    two = Annotations("bob", (m(0, 6, 1), m(7, 15, 1)), review_id=2)
    (group,) = compare([one, two])
    assert group.differences == [BOUNDARIES]
    assert group.version("2").items == (m(0, 6, 1), m(7, 15, 1))


# --- In the database --------------------------------------------------------


@pytest.fixture
def entities(db) -> dict:
    return {
        "abadi": make_entity("Haider al-Abadi"),
        "rogachev": make_entity("Ilya Rogachev"),
        "baghdad": make_entity("Baghdad", kind="PLACE"),
        "moscow": make_entity("Moscow", kind="PLACE"),
        "other": make_entity("Baghdad Governorate", kind="PLACE"),
    }


def _mention(review, words: str, entity, nth: int = 0) -> Mention:
    body = review.article.body
    start = -1
    for _ in range(nth + 1):
        start = body.index(words, start + 1)
    return editing.create_mention(
        review=review, start=start, end=start + len(words), entity=entity
    )


def _at(body: str, words: str) -> tuple[int, int]:
    start = body.index(words)
    return start, start + len(words)


@pytest.fixture
def article(users, entities):
    """Two submitted reviews that agree on one mention and differ on the rest.

    reviewer:  Haider al-Abadi, Ilya Rogachev, Baghdad, Abadi; “Not yet,”
               by Abadi (direct, cue “said”, speaker mention “Abadi”)
    reviewer2: Haider al-Abadi, Rogachev, Baghdad as the governorate,
               Moscow; “Not yet,” by Abadi (partial)
    """
    article = make_article(body=BODY)
    e = entities
    one = editing.start_review(article=article, reviewer=users["reviewer"])
    _mention(one, "Haider al-Abadi", e["abadi"])
    _mention(one, "Ilya Rogachev", e["rogachev"])
    _mention(one, "Baghdad", e["baghdad"])
    said_by = _mention(one, "Abadi", e["abadi"], nth=1)
    editing.create_quote(
        review=one,
        parts=[_at(BODY, "Not yet,")],
        speaker_mention=said_by,
        cue=_at(BODY, "said"),
    )
    editing.submit_review(review=one)

    two = editing.start_review(article=article, reviewer=users["reviewer2"])
    _mention(two, "Haider al-Abadi", e["abadi"])
    _mention(two, "Rogachev", e["rogachev"])
    _mention(two, "Baghdad", e["other"])
    _mention(two, "Moscow", e["moscow"])
    editing.create_quote(
        review=two,
        parts=[_at(BODY, "Not yet,")],
        type=Quote.Type.PARTIAL,
        speaker=e["abadi"],
    )
    editing.submit_review(review=two)
    return article


def _keys(article) -> dict[str, object]:
    groups = compare(submitted_reviews(article))
    return {group.key: group for group in groups}


def _reviewers_rows(article) -> list[tuple]:
    return sorted(
        Span.objects.filter(article=article, review__status="submitted").values_list(
            "pk", "review_id", "start", "end", "status", "mention__entity", "quote_id"
        )
    )


def _choose(article, users, **taken: str) -> dict[str, str]:
    """Choices for every disagreement: ``taken`` maps words to a reviewer
    (or ``NEITHER``); the others take reviewer's version."""
    body = article.body
    reviews = {r.reviewer.username: str(r.pk) for r in article.reviews.all()}
    choices = {}
    for key, group in _keys(article).items():
        if group.agreed:
            continue
        words = body[group.start : group.end]
        who = taken.get(words, "reviewer")
        value = NEITHER if who == NEITHER else reviews[who]
        if group.version(value) is None and value != NEITHER:
            value = NEITHER
        choices[key] = value
    return choices


def test_the_disagreements_of_the_two_reviews_are_found(article):
    body = article.body
    found = {body[g.start : g.end]: g.differences for g in _keys(article).values()}
    assert found == {
        "Haider al-Abadi": [],
        "Ilya Rogachev": [BOUNDARIES],
        "Baghdad": [ENTITY],
        "Abadi": [MISSING],
        "Moscow": [MISSING],
        "Not yet,": [SPEAKER_OR_TYPE, CUE],  # reviewer2 marked no cue
    }


def test_adjudicating_builds_the_gold_from_the_chosen_versions(
    article, users, entities
):
    before = _reviewers_rows(article)
    choices = _choose(
        article, users, **{"Ilya Rogachev": "reviewer2", "Moscow": "reviewer2"}
    )
    gold = adjudicate(article=article, curator=users["curator"], choices=choices)

    assert gold.status == Review.Status.ADJUDICATED
    assert gold.reviewer == users["curator"]
    mentions = sorted(
        (span.exact, span.mention.entity.name)
        for span in gold.spans.filter(mention__isnull=False)
    )
    assert mentions == [
        ("Abadi", "Haider al-Abadi"),
        ("Baghdad", "Baghdad"),
        ("Haider al-Abadi", "Haider al-Abadi"),
        ("Moscow", "Moscow"),
        ("Rogachev", "Ilya Rogachev"),
    ]
    (quote,) = gold.quotes.all()
    assert [part.exact for part in quote.parts.all()] == ["Not yet,"]
    assert (quote.type, quote.speaker, quote.cue.exact) == (
        "direct",
        entities["abadi"],
        "said",
    )
    # The speaker mention is the gold's own copy of the reviewer's.
    assert quote.speaker_mention.span.review == gold
    assert quote.speaker_mention.span.exact == "Abadi"
    # The reviewers' rows are as they were.
    assert _reviewers_rows(article) == before


def test_a_described_source_is_compared_and_goes_into_the_gold(users, entities):
    article = make_article(body=BODY)
    for name, described in (("reviewer", "Officials"), ("reviewer2", "aides")):
        review = editing.start_review(article=article, reviewer=users[name])
        editing.create_quote(
            review=review, parts=[_at(BODY, "Not yet,")], speaker_description=described
        )
        editing.submit_review(review=review)
    [group] = compare(submitted_reviews(article))
    assert group.differences == [SPEAKER_OR_TYPE]
    choices = _choose(article, users, **{"Not yet,": "reviewer"})
    gold = adjudicate(article=article, curator=users["curator"], choices=choices)
    (quote,) = gold.quotes.all()
    assert (quote.speaker, quote.speaker_description) == (None, "Officials")


def test_adjudicating_again_replaces_the_gold_and_neither_leaves_a_span_out(
    article, users
):
    curator = users["curator"]
    adjudicate(article=article, curator=curator, choices=_choose(article, users))
    choices = _choose(article, users, Abadi=NEITHER, **{"Not yet,": "reviewer2"})
    gold = adjudicate(article=article, curator=curator, choices=choices)

    assert Review.objects.filter(article=article, status="adjudicated").count() == 1
    words = sorted(gold.spans.values_list("exact", flat=True))
    assert words == ["Baghdad", "Haider al-Abadi", "Ilya Rogachev", "Not yet,"]
    (quote,) = gold.quotes.all()
    # reviewer2's quote had no speaker mention; "Abadi" was left out, so the
    # speaker stands without one.
    assert (quote.type, quote.speaker_mention, quote.cue) == ("partial", None, None)


def test_a_disagreement_without_a_choice_is_refused_and_nothing_is_saved(
    article, users
):
    choices = _choose(article, users)
    choices.pop(next(iter(choices)))
    with pytest.raises(AdjudicationError, match="1 more disagreement"):
        adjudicate(article=article, curator=users["curator"], choices=choices)
    assert not Review.objects.filter(article=article, status="adjudicated").exists()


def test_a_choice_that_is_no_version_is_refused(article, users):
    choices = _choose(article, users)
    choices[next(iter(choices))] = "999999"
    with pytest.raises(AdjudicationError, match="not one of the versions"):
        adjudicate(article=article, curator=users["curator"], choices=choices)


def test_adjudication_needs_two_submitted_reviews(users, entities):
    article = make_article(body=BODY)
    review = editing.start_review(article=article, reviewer=users["reviewer"])
    _mention(review, "Baghdad", entities["baghdad"])
    editing.submit_review(review=review)
    with pytest.raises(AdjudicationError, match="two submitted reviews"):
        adjudicate(article=article, curator=users["curator"], choices={})


def test_a_curator_who_reviewed_the_article_cannot_adjudicate_it(
    article, users, entities
):
    own = editing.start_review(article=article, reviewer=users["curator"])
    _mention(own, "Moscow", entities["moscow"])
    with pytest.raises(AdjudicationError, match="reviewed this article yourself"):
        adjudicate(
            article=article,
            curator=users["curator"],
            choices=_choose(article, users),
        )
    assert Span.objects.filter(review=own).count() == 1


def test_another_curators_gold_is_rebuilt_not_doubled(article, users):
    adjudicate(
        article=article, curator=users["curator"], choices=_choose(article, users)
    )
    second = users["outsider"]
    second.groups.set(users["curator"].groups.all())
    gold = adjudicate(article=article, curator=second, choices=_choose(article, users))
    assert list(Review.objects.filter(article=article, status="adjudicated")) == [gold]
    assert gold.reviewer == second


# --- The pages --------------------------------------------------------------


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_curator_sees_the_reviews_side_by_side_with_the_disagreements(
    article, users
):
    response = _client(users["curator"]).get(
        reverse("annotations:article-adjudicate", args=[article.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="review-column"') == 2
    assert "Boundaries differ" in html
    assert "Different entity" in html
    assert "Different speaker or type" in html
    assert "Different cue" in html
    assert "Direct quote by Haider al-Abadi, cue “said”" in html
    assert html.count('value="none"') == 5  # one "neither" per disagreement
    # Mentions, 4 each. Exact: Haider al-Abadi and Baghdad, 2 * 2 / 8 = 0.50;
    # overlapping: Rogachev too, 2 * 3 / 8 = 0.75.
    figures = html.split('class="figures"')[1].split("</table>")[0]
    assert ">0.50<" in figures
    assert ">0.75<" in figures
    assert 'class="mention kind-person agreed"' in html
    assert "disputed" in html


@pytest.mark.parametrize("name", ["reviewer", "reader", "outsider"])
def test_others_than_curators_get_403_on_the_curation_pages(article, users, name):
    client = _client(users[name])
    url = reverse("annotations:article-adjudicate", args=[article.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _choose(article, users)).status_code == 403
    assert client.get(reverse("annotations:agreement-report")).status_code == 403
    assert not Review.objects.filter(status="adjudicated").exists()


def test_the_anonymous_user_is_sent_to_sign_in(article):
    for url in [
        reverse("annotations:article-adjudicate", args=[article.pk]),
        reverse("annotations:agreement-report"),
    ]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_saving_the_form_makes_the_gold_that_readers_see(article, users):
    url = reverse("annotations:article-adjudicate", args=[article.pk])
    form = {f"choice-{k}": v for k, v in _choose(article, users).items()}
    response = _client(users["curator"]).post(url, form, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Saved as the gold" in response.content.decode()

    page = Client().get(article.get_absolute_url()).content.decode()
    assert 'data-label="Person: Ilya Rogachev"' in page
    assert "Direct quote by Haider al-Abadi" in page
    # Back on the page, every disagreement shows what the gold took.
    shown = {row.group.key: row.chosen for row in response.context["disagreements"]}
    assert shown == {key.removeprefix("choice-"): v for key, v in form.items()}


def test_words_a_review_holds_twice_go_into_the_gold_once(article, users, entities):
    # Made as a double click could before it was refused.
    twice = Span.objects.get(review__reviewer=users["reviewer"], exact="Ilya Rogachev")
    copy = Span.objects.create(
        article=article,
        review=twice.review,
        start=twice.start,
        end=twice.end,
        exact=twice.exact,
        status="accepted",
    )
    Mention.objects.create(span=copy, entity=entities["rogachev"])
    gold = adjudicate(
        article=article,
        curator=users["curator"],
        choices=_choose(article, users, **{"Ilya Rogachev": "reviewer"}),
    )
    assert gold.spans.filter(exact="Ilya Rogachev").count() == 1


def test_a_form_with_a_disagreement_left_open_gets_400_and_keeps_the_choices(
    article, users
):
    choices = _choose(article, users, Moscow=NEITHER)
    form = {f"choice-{k}": v for k, v in choices.items()}
    del form[next(iter(form))]
    response = _client(users["curator"]).post(
        reverse("annotations:article-adjudicate", args=[article.pk]), form
    )
    assert response.status_code == 400
    assert "Choose a version (or neither) for 1 more disagreement" in (
        response.content.decode()
    )
    assert not Review.objects.filter(status="adjudicated").exists()


def test_the_article_page_links_curators_to_adjudication(article, users):
    url = reverse("annotations:article-adjudicate", args=[article.pk])
    assert url in _client(users["curator"]).get(article.get_absolute_url()).text
    assert url not in _client(users["reviewer"]).get(article.get_absolute_url()).text


def test_the_agreement_report_shows_each_pair_overall_and_per_article(article, users):
    response = _client(users["curator"]).get(reverse("annotations:agreement-report"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "reviewer · reviewer2" in html
    assert reverse("annotations:article-adjudicate", args=[article.pk]) in html
    # Quotes: 1 match of 1 and 1 is 1.00; same speaker 1 of 1.
    assert "1.00" in html


def test_the_agreement_report_charts_each_pairs_figures_over_all_articles(
    article, users
):
    response = _client(users["curator"]).get(reverse("annotations:agreement-report"))

    figures = {
        name: [(f"{row.item.a} · {row.item.b}", row.value, row.length) for row in bars]
        for name, bars in response.context["measures"]
    }
    # Mentions: 2 of 4 and 4 exactly alike, 3 overlapping; the entities of
    # the overlapping three differ once (Baghdad): alpha 1 - 5 * 2 / 26.
    assert figures == {
        "Mention F1, exact": [("reviewer · reviewer2", 0.5, 50.0)],
        "Mention F1, overlap": [("reviewer · reviewer2", 0.75, 75.0)],
        "Entity α": [("reviewer · reviewer2", pytest.approx(8 / 13), 61.5)],
        "Quote F1": [("reviewer · reviewer2", 1.0, 100.0)],
        "Same speaker": [("reviewer · reviewer2", 1.0, 100.0)],
    }
    html = response.content.decode()
    chart = html[html.index('class="agreement-chart"') : html.index("</figure>")]
    overlap = chart[chart.index("<caption>Mention F1, overlap</caption>") :]
    assert re.search(
        r'<th scope="row">reviewer · reviewer2</th>\s*<td class="bar-cell">.*?'
        r'<rect width="75.0" height="10"/></svg>\s*<span class="num">0.75</span>',
        overlap,
        re.S,
    )


def test_the_agreement_chart_is_for_curators_only(article, users):
    url = reverse("annotations:agreement-report")
    assert "agreement-chart" in _client(users["curator"]).get(url).content.decode()
    refused = _client(users["reviewer"]).get(url)
    assert refused.status_code == 403
    assert "agreement-chart" not in refused.content.decode()
    assert Client().get(url).status_code == 302


def test_the_agreement_report_takes_the_same_queries_for_more_articles(
    article, users, entities
):
    client = _client(users["curator"])
    url = reverse("annotations:agreement-report")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        more = make_article(body=BODY)
        for name in ["reviewer", "reviewer2"]:
            review = editing.start_review(article=more, reviewer=users[name])
            _mention(review, "Moscow", entities["moscow"])
            editing.submit_review(review=review)
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert response.content.decode().count("<h3>") == 4
    assert len(four) == len(one)
