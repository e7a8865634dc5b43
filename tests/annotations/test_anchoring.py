"""Re-anchoring spans when a curator edits an article's body, and orphans.

Every test counts the spans before and after: an edit may move or orphan a
span, never lose one; and a placed span is always on its own words.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import anchoring
from annotations.models import Mention, Quote, Review, Span
from annotations.spans import SpanError, quote_selector
from newsreader.models import Article
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db

BODY = (
    "Abadi said the talks had failed.\n\n"
    "Rogachev said no. Sinirlioglu said no.\n\n"
    "The meeting ended at noon."
)


def mark(
    article: Article,
    words: str,
    *,
    review: Review | None,
    nth: int = 0,
    status: str = Span.Status.ACCEPTED,
    **fields,
) -> Span:
    """A span on the ``nth`` occurrence of ``words`` in the article's body."""
    start = -1
    for _ in range(nth + 1):
        start = article.body.index(words, start + 1)
    return Span.objects.create(
        article=article,
        review=review,
        start=start,
        end=start + len(words),
        status=status,
        **quote_selector(article.body, start, start + len(words))._asdict(),
        **fields,
    )


def on_words(span: Span) -> bool:
    span.refresh_from_db()
    return span.article.body[span.start : span.end] == span.exact


@pytest.fixture
def article() -> Article:
    return make_article(body=BODY)


@pytest.fixture
def review(article, users) -> Review:
    return Review.objects.create(article=article, reviewer=users["reviewer"])


def edit(article: Article, body: str, user=None) -> anchoring.ReanchorResult:
    before = Span.objects.count()
    result = anchoring.update_article_body(article=article, body=body, user=user)
    assert Span.objects.count() == before, "an edit never deletes a span"
    article.refresh_from_db()
    assert article.body_sha256 == Article.hash_body(article.body)
    return result


# --- the workflow ---------------------------------------------------------


def test_text_typed_before_spans_moves_them_onto_the_same_words(article, review):
    abadi = mark(article, "Abadi", review=review)
    noon = mark(article, "noon", review=review)
    result = edit(article, "Yesterday in Geneva, " + BODY)
    for span in (abadi, noon):
        assert on_words(span)
        assert span.status == Span.Status.ACCEPTED
    assert abadi.start == len("Yesterday in Geneva, ")
    assert abadi.prefix == "Yesterday in Geneva, "
    assert (result.moved, result.kept, result.orphaned) == (2, 0, 0)


def test_text_typed_after_a_span_keeps_its_offsets_and_updates_its_suffix(
    article, review
):
    noon = mark(article, "noon", review=review)
    start = noon.start
    result = edit(article, BODY[:-1] + " sharp, officials said.")
    assert on_words(noon)
    assert noon.start == start
    assert noon.suffix == " sharp, officials said."
    assert result.moved == 1  # its context changed, so it was saved


def test_text_typed_inside_a_span_orphans_it_and_keeps_its_old_context(article, review):
    failed = mark(article, "the talks had failed", review=review)
    old = (failed.start, failed.end, failed.exact, failed.prefix, failed.suffix)
    edit(article, BODY.replace("talks had", "talks in Geneva had"))
    failed.refresh_from_db()
    assert failed.status == Span.Status.ORPHANED
    assert (failed.start, failed.end, failed.exact, failed.prefix, failed.suffix) == (
        old
    )


def test_deleted_words_orphan_their_span_but_not_the_same_words_elsewhere(
    article, review
):
    first_no = mark(article, "no", review=review, nth=0)
    second_no = mark(article, "no", review=review, nth=1)
    result = edit(article, BODY.replace("Rogachev said no. ", ""))
    first_no.refresh_from_db()
    assert first_no.status == Span.Status.ORPHANED
    assert on_words(second_no)
    assert second_no.prefix.endswith("Sinirlioglu said ")
    assert (result.orphaned, result.moved) == (1, 1)


def test_repeated_words_each_follow_their_own_sentence_when_sentences_swap(
    article, review
):
    rogachev_no = mark(article, "no", review=review, nth=0)
    sinirlioglu_no = mark(article, "no", review=review, nth=1)
    swapped = BODY.replace(
        "Rogachev said no. Sinirlioglu said no.",
        "Sinirlioglu said no. Rogachev said no.",
    )
    edit(article, swapped)
    for span, speaker in [(rogachev_no, "Rogachev"), (sinirlioglu_no, "Sinirlioglu")]:
        assert on_words(span)
        assert span.status == Span.Status.ACCEPTED
        assert article.body[: span.start].endswith(f"{speaker} said ")


def test_edited_words_orphan_the_span_rather_than_guess(article, review):
    abadi = mark(article, "Abadi", review=review)
    edit(article, BODY.replace("Abadi", "Abbadi"))
    abadi.refresh_from_db()
    assert abadi.status == Span.Status.ORPHANED
    assert abadi.exact == "Abadi"


def test_splitting_and_joining_paragraphs_moves_spans_and_orphans_a_span_over_a_break(
    article, review
):
    noon = mark(article, "noon", review=review)
    across = mark(article, "failed.\n\nRogachev", review=review)
    split = BODY.replace("Sinirlioglu said no.", "\n\nSinirlioglu said no.")
    edit(article, split)
    assert on_words(noon)
    assert on_words(across)
    joined = article.body.replace("failed.\n\nRogachev", "failed. Rogachev")
    edit(article, joined)
    assert on_words(noon)
    across.refresh_from_db()
    assert across.status == Span.Status.ORPHANED


def test_every_review_and_every_suggestion_is_re_anchored(article, review, users):
    other = Review.objects.create(article=article, reviewer=users["reviewer2"])
    spans = [
        mark(article, "Abadi", review=review),
        mark(article, "Abadi", review=other),
        mark(
            article,
            "Rogachev",
            review=None,
            status=Span.Status.SUGGESTED,
            origin=Span.Origin.RULES,
        ),
        mark(article, "noon", review=other, status=Span.Status.REJECTED),
    ]
    statuses = [span.status for span in spans]
    edit(article, "Update: " + BODY)
    for span, status in zip(spans, statuses, strict=True):
        assert on_words(span)
        assert span.status == status


def test_the_body_is_saved_canonical_with_its_hash(article, review):
    abadi = mark(article, "Abadi", review=review)
    edit(article, "  New   lead.\r\n" + BODY.replace("\n\n", "\r\n"))
    assert article.body == "New lead.\n\n" + BODY
    assert on_words(abadi)


def test_an_unchanged_body_changes_nothing(article, review):
    abadi = mark(article, "Abadi", review=review)
    before = abadi.history.count()
    result = edit(article, BODY)
    assert result == anchoring.ReanchorResult(changed=False)
    assert abadi.history.count() == before


def test_an_empty_body_is_refused(article):
    with pytest.raises(ValueError, match="some text"):
        anchoring.update_article_body(article=article, body=" \n ")
    article.refresh_from_db()
    assert article.body == BODY


def test_each_change_is_in_the_history_with_its_reason_and_curator(
    article, review, users
):
    abadi = mark(article, "Abadi", review=review)
    failed = mark(article, "failed", review=review)
    edit(article, "Lead. " + BODY.replace("failed", "stalled"), user=users["curator"])
    moved, orphaned = abadi.history.first(), failed.history.first()
    assert (moved.history_change_reason, moved.history_user) == (
        anchoring.MOVED,
        users["curator"],
    )
    assert orphaned.history_change_reason == anchoring.ORPHANED
    assert orphaned.status == Span.Status.ORPHANED


def test_mentions_and_quotes_keep_their_spans_through_an_edit(article, review):
    entity = make_entity("Abadi")
    mention = Mention.objects.create(
        span=mark(article, "Abadi", review=review), entity=entity
    )
    quote = Quote.objects.create(article=article, review=review, speaker=entity)
    part = mark(article, "the talks had failed", review=review, quote=quote)
    edit(article, BODY.replace("the talks had failed", "the talks went on"))
    mention.refresh_from_db()
    assert mention.span.status == Span.Status.ACCEPTED
    assert list(quote.parts.all()) == [part]
    part.refresh_from_db()
    assert part.status == Span.Status.ORPHANED


def test_a_span_orphaned_earlier_comes_back_with_its_status_when_its_words_do(
    article,
):
    suggestion = mark(
        article,
        "Sinirlioglu said no",
        review=None,
        status=Span.Status.SUGGESTED,
        origin=Span.Origin.RULES,
    )
    without = BODY.replace(" Sinirlioglu said no.", "")
    edit(article, without)
    suggestion.refresh_from_db()
    assert suggestion.status == Span.Status.ORPHANED
    result = edit(article, BODY)
    assert result.restored == 1
    assert on_words(suggestion)
    assert suggestion.status == Span.Status.SUGGESTED


def test_re_anchoring_takes_the_same_number_of_queries_for_many_spans(users):
    def queries_for(count: int) -> int:
        body = " ".join(f"Word{i}." for i in range(count))
        article = make_article(body=body)
        review = Review.objects.create(
            article=article, reviewer=User.objects.create(username=f"r{count}")
        )
        for i in range(count):
            mark(article, f"Word{i}.", review=review)
        with CaptureQueriesContext(connection) as queries:
            result = anchoring.update_article_body(
                article=article, body="Lead. " + body
            )
        assert result.moved == count
        return len(queries)

    assert queries_for(5) == queries_for(60)


def test_reattach_span_puts_it_on_new_words_with_its_old_status(article, review, users):
    abadi = mark(article, "Abadi", review=review)
    edit(article, BODY.replace("Abadi", "Mr Abbadi"))
    abadi.refresh_from_db()
    start = article.body.index("Mr Abbadi")
    anchoring.reattach_span(
        span=abadi, start=start, end=start + 9, exact="Mr Abbadi", user=users["curator"]
    )
    assert on_words(abadi)
    assert (abadi.exact, abadi.status) == ("Mr Abbadi", Span.Status.ACCEPTED)
    assert abadi.history.first().history_change_reason == anchoring.REATTACHED


def test_reattach_span_refuses_words_that_are_not_at_the_place(article, review):
    abadi = mark(article, "Abadi", review=review)
    edit(article, BODY.replace("Abadi", "Abbadi"))
    abadi.refresh_from_db()
    with pytest.raises(SpanError):
        anchoring.reattach_span(span=abadi, start=0, end=6, exact="Abadi")
    with pytest.raises(SpanError):
        anchoring.reattach_span(span=abadi, start=5, end=5)
    abadi.refresh_from_db()
    assert abadi.status == Span.Status.ORPHANED


# --- the admin: editing the body, the orphans, re-attaching -----------------


@pytest.fixture
def curator_client(client, users):
    client.force_login(users["curator"])
    return client


def article_form_data(article: Article, **changes) -> dict:
    data = {
        "source": article.source_id or "",
        "url": article.url,
        "title": article.title,
        "byline": article.byline,
        "language": article.language,
        "published_at_0": article.published_at.date().isoformat(),
        "published_at_1": article.published_at.time().isoformat("seconds"),
        "body": article.body,
    }
    return {**data, **changes}


def test_curator_edits_the_body_in_the_admin_and_spans_follow(
    curator_client, article, review
):
    abadi = mark(article, "Abadi", review=review)
    failed = mark(article, "failed", review=review)
    body = "Lead paragraph.\r\n\r\n" + BODY.replace("failed", "stalled").replace(
        "\n\n", "\r\n\r\n"
    )
    url = reverse("admin:newsreader_article_change", args=[article.pk])
    response = curator_client.post(url, article_form_data(article, body=body))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body.startswith("Lead paragraph.\n\nAbadi")
    assert article.body_sha256 == Article.hash_body(article.body)
    assert on_words(abadi)
    failed.refresh_from_db()
    assert failed.status == Span.Status.ORPHANED
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "1 span(s) moved" in text
    assert "1 lost their words" in text
    assert f"orphanedspan/?article={article.pk}" in text


def test_saving_the_article_without_touching_the_body_reports_nothing(
    curator_client, article, review
):
    abadi = mark(article, "Abadi", review=review)
    url = reverse("admin:newsreader_article_change", args=[article.pk])
    response = curator_client.post(url, article_form_data(article, title="Renamed"))
    assert response.status_code == 302
    assert not any("span" in str(m) for m in get_messages(response.wsgi_request))
    assert on_words(abadi)
    assert Article.objects.get(pk=article.pk).title == "Renamed"


def test_article_change_page_links_to_its_orphans(curator_client, article, review):
    mark(article, "Abadi", review=review)
    edit(article, BODY.replace("Abadi", "Abbadi"))
    response = curator_client.get(
        reverse("admin:newsreader_article_change", args=[article.pk])
    )
    assert "1 to re-attach" in response.text


def orphan(article: Article, review: Review, words: str, replacement: str) -> Span:
    span = mark(article, words, review=review)
    edit(article, article.body.replace(words, replacement))
    span.refresh_from_db()
    assert span.status == Span.Status.ORPHANED
    return span


def test_orphan_list_shows_old_context_article_reviewer_and_type(
    curator_client, article, review
):
    entity = make_entity("Ilya Rogachev")
    span = mark(article, "Rogachev", review=review)
    Mention.objects.create(span=span, entity=entity)
    mark(article, "noon", review=review)  # stays placed: not listed
    edit(article, BODY.replace("Rogachev", "Rogachyov"))
    response = curator_client.get(reverse("admin:annotations_orphanedspan_changelist"))
    assert response.status_code == 200
    assert [s.pk for s in response.context["cl"].result_list] == [span.pk]
    assert "failed.\n\n<mark>Rogachev</mark> said no." in response.text
    assert "Mention of Ilya Rogachev" in response.text
    assert "reviewer" in response.text
    assert article.title in response.text


def test_orphan_list_filters_by_article_at_a_constant_number_of_queries(
    curator_client, review, users
):
    url = reverse("admin:annotations_orphanedspan_changelist")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert curator_client.get(url).status_code == 200
        return len(queries)

    orphan(review.article, review, "Abadi", "Abbadi")
    few = count()
    for _ in range(5):
        other = make_article(body=BODY)
        other_review = Review.objects.create(article=other, reviewer=users["reviewer"])
        orphan(other, other_review, "noon", "midday")
    assert count() == few
    filtered = curator_client.get(url, {"article": review.article_id})
    assert len(filtered.context["cl"].result_list) == 1


def test_reattach_page_offers_the_edited_words_and_reattaches_there(
    curator_client, article, review
):
    span = orphan(article, review, "Rogachev", "Rogachyov")
    url = reverse("admin:annotations_orphanedspan_reattach", args=[span.pk])
    response = curator_client.get(url)
    assert response.status_code == 200
    start = article.body.index("Rogachyov")
    first = response.context["choices"][0]
    assert first["value"] == f"{start}-{start + 9}"
    assert first["words"] == "Rogachyov"
    response = curator_client.post(url, {"place": first["value"]})
    assert response.status_code == 302
    span.refresh_from_db()
    assert (span.start, span.exact, span.status) == (
        start,
        "Rogachyov",
        Span.Status.ACCEPTED,
    )
    assert curator_client.get(url).status_code == 302  # no longer orphaned


def test_reattach_by_typed_words_and_their_start(curator_client, article, review):
    span = orphan(article, review, "the talks had failed", "talks broke down")
    url = reverse("admin:annotations_orphanedspan_reattach", args=[span.pk])
    response = curator_client.post(url, {"words": "said"})
    assert response.status_code == 400
    assert "occur 3 times" in response.text
    assert len(response.context["choices"]) >= 3
    response = curator_client.post(url, {"words": "broke down"})
    assert response.status_code == 302
    span.refresh_from_db()
    assert on_words(span)
    assert span.exact == "broke down"
    said = article.body.rindex("said")
    # Not orphaned any more: a second post goes back to the list, changing nothing.
    assert curator_client.post(url, {"words": "said"}).status_code == 302
    span.refresh_from_db()
    assert span.exact == "broke down"
    other = orphan(article, review, "noon", "midday")
    other_url = reverse("admin:annotations_orphanedspan_reattach", args=[other.pk])
    response = curator_client.post(other_url, {"words": "said", "start": said})
    assert response.status_code == 302
    other.refresh_from_db()
    assert (other.start, other.exact) == (said, "said")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a place or type the words"),
        ({"words": "not in the text"}, "not in the text"),
        ({"words": "said", "start": "0"}, "not &#x27;said&#x27;"),
        ({"words": "said", "start": "-3"}, "greater than or equal to 0"),
        ({"place": "0-9999"}, "Select a valid choice"),
        ({"place": "x", "words": "said"}, "Select a valid choice"),
    ],
)
def test_reattach_refuses_bad_input_with_a_message_and_a_400(
    curator_client, article, review, data, message
):
    span = orphan(article, review, "Abadi", "Abbadi")
    url = reverse("admin:annotations_orphanedspan_reattach", args=[span.pk])
    response = curator_client.post(url, data)
    assert response.status_code == 400
    assert message in response.text
    span.refresh_from_db()
    assert span.status == Span.Status.ORPHANED


def test_reattach_of_an_unknown_span_is_a_404(curator_client):
    url = reverse("admin:annotations_orphanedspan_reattach", args=[999999])
    assert curator_client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["reviewer", "reader", "staff_reviewer"])
def test_only_curators_see_orphans_or_reattach_them(
    client, article, review, users, who
):
    span = orphan(article, review, "Abadi", "Abbadi")
    user = users.get(who)
    if who == "staff_reviewer":
        user = users["reviewer2"]
        user.is_staff = True
        user.save()
    client.force_login(user)
    reattach = reverse("admin:annotations_orphanedspan_reattach", args=[span.pk])
    start = article.body.index("Abbadi")
    for response in [
        client.get(reverse("admin:annotations_orphanedspan_changelist")),
        client.get(reattach),
        client.post(reattach, {"place": f"{start}-{start + 6}"}),
    ]:
        assert response.status_code == 403
    span.refresh_from_db()
    assert span.status == Span.Status.ORPHANED


def test_anonymous_people_are_sent_to_log_in(client, article, review):
    span = orphan(article, review, "Abadi", "Abbadi")
    url = reverse("admin:annotations_orphanedspan_reattach", args=[span.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_nobody_can_add_or_delete_an_orphan_in_the_admin(
    curator_client, article, review
):
    span = orphan(article, review, "Abadi", "Abbadi")
    changelist = reverse("admin:annotations_orphanedspan_changelist")
    response = curator_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [span.pk]}
    )
    assert Span.objects.filter(pk=span.pk).exists()
    assert "delete_selected" not in curator_client.get(changelist).text
    assert response.status_code in (200, 302)
