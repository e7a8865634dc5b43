from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import editing
from annotations.models import Mention, Quote, Review, Span
from newsreader.models import Entity
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db

BODY = "“Not yet,” Abadi said in Baghdad."
MODELS = ["review", "span", "mention", "quote"]


@pytest.fixture
def curator_client(client, users):
    client.force_login(users["curator"])
    return client


def annotate(reviewer: User, *, speaker_name: str = "Haider al-Abadi") -> Review:
    """An article with a reviewer's mention, a quote with its cue, and a suggestion."""
    article = make_article(title=f"About {speaker_name}", body=BODY)
    speaker = Entity.objects.filter(name=speaker_name).first() or make_entity(
        speaker_name
    )
    place = make_entity(f"Baghdad {article.pk}", kind="PLACE")
    review = editing.start_review(article=article, reviewer=reviewer)
    mention = editing.create_mention(review=review, start=11, end=16, entity=speaker)
    editing.create_mention(review=review, start=25, end=32, entity=place)
    editing.create_quote(
        review=review, parts=[(1, 9)], speaker_mention=mention, cue=(17, 21)
    )
    suggestion = Span.objects.create(
        article=article,
        start=25,
        end=32,
        exact="Baghdad",
        status="suggested",
        origin="rules",
    )
    Mention.objects.create(span=suggestion, entity=place)
    return review


def changelist(model: str) -> str:
    return reverse(f"admin:annotations_{model}_changelist")


def shown(client, model: str, **params) -> list:
    response = client.get(changelist(model), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    "params", [{}, {"status": "accepted", "q": "a"}], ids=["plain", "filtered"]
)
def test_changelist_queries_do_not_grow_with_the_rows(
    curator_client, users, django_assert_max_num_queries, model, params
):
    for _ in range(2):
        annotate(users["reviewer"])
    if model == "mention":
        params = {"span__status__exact": "accepted"} if params else {}
    if model == "quote":
        params = {"parts__status__exact": "accepted"} if params else {}
    if model == "review":
        params = {"status": "in_progress", "q": "about"} if params else {}
    with CaptureQueriesContext(connection) as few:
        curator_client.get(changelist(model), params)
    for _ in range(15):
        annotate(users["reviewer2"])
    with django_assert_max_num_queries(len(few)):
        response = curator_client.get(changelist(model), params)
    assert len(response.context["cl"].result_list) > 2


def test_span_list_filters_by_status_origin_type_kind_and_reviewer(
    curator_client, users
):
    annotate(users["reviewer"])
    annotate(users["reviewer2"], speaker_name="Ilya Rogachev")
    assert {s.exact for s in shown(curator_client, "span", status="suggested")} == {
        "Baghdad"
    }
    assert len(shown(curator_client, "span", origin="rules")) == 2
    assert {s.exact for s in shown(curator_client, "span", role="cue")} == {"said"}
    quote_parts = shown(curator_client, "span", role="quote")
    assert [s.exact for s in quote_parts] == ["Not yet,", "Not yet,"]
    places = shown(curator_client, "span", mention__entity__kind="PLACE")
    assert {s.exact for s in places} == {"Baghdad"} and len(places) == 4
    mine = shown(curator_client, "span", reviewer=users["reviewer2"].pk)
    assert {s.review.reviewer for s in mine} == {users["reviewer2"]}
    assert len(mine) == 4


def test_span_list_filters_by_article_speaker_and_entity(curator_client, users):
    first = annotate(users["reviewer"])
    annotate(users["reviewer2"], speaker_name="Ilya Rogachev")
    in_first = shown(curator_client, "span", article=first.article_id)
    assert {s.article_id for s in in_first} == {first.article_id}
    assert len(in_first) == 5
    by_speaker = shown(curator_client, "span", speaker="rogach")
    assert [s.exact for s in by_speaker] == ["Not yet,"]
    assert by_speaker[0].quote.speaker.name == "Ilya Rogachev"
    assert [s.exact for s in shown(curator_client, "span", entity="al-abadi")] == [
        "Abadi"
    ]


def test_span_list_filters_by_a_speaker_named_without_accents(curator_client, users):
    annotate(users["reviewer"], speaker_name="Enrique Peña Nieto")
    annotate(users["reviewer2"])
    assert [s.exact for s in shown(curator_client, "span", speaker="pena")] == [
        "Not yet,"
    ]
    assert [s.exact for s in shown(curator_client, "span", entity="PENA NIETO")] == [
        "Abadi"
    ]


def test_mention_and_quote_lists_filter_by_their_own_fields(curator_client, users):
    first = annotate(users["reviewer"])
    annotate(users["reviewer2"], speaker_name="Ilya Rogachev")
    people = shown(curator_client, "mention", entity__kind__exact="PERSON")
    assert {m.entity.name for m in people} == {"Haider al-Abadi", "Ilya Rogachev"}
    assert len(shown(curator_client, "mention", article=first.article_id)) == 3
    assert len(shown(curator_client, "mention", entity="baghdad")) == 4
    [quote] = shown(curator_client, "quote", speaker="Abadi")
    assert quote.review == first
    assert shown(curator_client, "quote", type__exact="indirect") == []
    [quote] = shown(curator_client, "quote", reviewer=users["reviewer2"].pk)
    assert quote.speaker.name == "Ilya Rogachev"


def test_search_finds_words_and_speaker_names(curator_client, users):
    annotate(users["reviewer"])
    annotate(users["reviewer2"], speaker_name="Ilya Rogachev")
    assert {s.exact for s in shown(curator_client, "span", q="not yet")} == {"Not yet,"}
    assert {s.exact for s in shown(curator_client, "span", q="Rogachev")} == {
        "Abadi",
        "Not yet,",
    }
    [quote] = shown(curator_client, "quote", q="Rogachev")
    assert quote.speaker.name == "Ilya Rogachev"
    assert len(shown(curator_client, "quote", q="yet")) == 2
    assert len(shown(curator_client, "mention", q="baghdad")) == 4


def test_a_bad_filter_value_is_refused_without_an_error_page(curator_client, users):
    annotate(users["reviewer"])
    for model in MODELS:
        response = curator_client.get(changelist(model), {"article": "x"})
        assert response.status_code == 302
        assert response["Location"].endswith("?e=1")


def test_rows_show_words_type_speaker_article_and_reviewer(curator_client, users):
    annotate(users["reviewer"])
    text = curator_client.get(changelist("span"), {"role": "quote"}).text
    for words in [
        "Not yet,",
        "Quote part (direct)",
        "Haider al-Abadi",
        "About Haider al-Abadi",
        "reviewer",
    ]:
        assert words in text
    assert "Mention (place)" in curator_client.get(changelist("span")).text
    text = curator_client.get(changelist("review")).text
    assert "About Haider al-Abadi" in text and "In progress" in text


def test_each_row_links_to_its_span_highlighted_on_the_article_page(
    curator_client, users
):
    review = annotate(users["reviewer"])
    span = review.spans.get(quote__isnull=False)
    link = f"/articles/{review.article_id}/?others=1&amp;span={span.pk}"
    assert link in curator_client.get(changelist("quote")).text
    assert link in curator_client.get(changelist("span")).text
    # The reviewer's review is still open, so only the link shows it.
    page = curator_client.get(link.replace("&amp;", "&")).text
    assert f'data-span="{span.pk}"' in page
    suggestion = Span.objects.get(status="suggested")
    page = curator_client.get(
        f"/articles/{review.article_id}/", {"others": "1", "span": suggestion.pk}
    ).text
    assert f'data-span="{suggestion.pk}"' in page


def test_a_reviewer_cannot_see_other_spans_through_the_link(client, users):
    review = annotate(users["reviewer"])
    span = review.spans.get(quote__isnull=False)
    client.force_login(users["reviewer2"])
    page = client.get(
        f"/articles/{review.article_id}/", {"others": "1", "span": span.pk}
    ).text
    assert f'data-span="{span.pk}"' not in page


def test_orphaned_spans_get_no_link(curator_client, users):
    review = annotate(users["reviewer"])
    Span.objects.filter(review=review, quote__isnull=False).update(status="orphaned")
    row = next(
        r
        for r in curator_client.get(changelist("quote")).text.split("<tr")
        if "Not yet," in r
    )
    assert "orphaned" in row and "span=" not in row


def run_action(client, model: str, action: str, rows) -> None:
    response = client.post(
        changelist(model),
        {"action": action, "_selected_action": [row.pk for row in rows]},
    )
    assert response.status_code in (200, 302)
    return response


def test_bulk_reject_and_accept_of_spans_go_through_the_history(curator_client, users):
    review = annotate(users["reviewer"])
    accepted = Span.objects.get(exact="Abadi")
    rejected = review.spans.get(exact="Baghdad")
    run_action(curator_client, "span", "reject", [accepted, rejected])
    assert Span.objects.get(pk=accepted.pk).status == "rejected"
    last = Span.history.filter(id=accepted.pk).latest("history_id")
    assert (last.status, last.history_user) == ("rejected", users["curator"])
    run_action(curator_client, "span", "accept", [rejected])
    assert Span.objects.get(pk=rejected.pk).status == "accepted"
    assert Span.history.filter(id=rejected.pk, status="accepted").exists()


def test_bulk_accept_leaves_machine_suggestions_to_a_review_and_says_so(
    curator_client, users
):
    annotate(users["reviewer"])
    suggestion = Span.objects.get(review=None)
    response = curator_client.post(
        changelist("span"),
        {"action": "accept", "_selected_action": [suggestion.pk]},
        follow=True,
    )
    assert Span.objects.get(pk=suggestion.pk).status == "suggested"
    assert "1 machine suggestion(s) left as suggestions" in response.text
    # Rejecting one hides it from every reviewer: that the curator may do.
    run_action(curator_client, "span", "reject", [suggestion])
    assert Span.objects.get(pk=suggestion.pk).status == "rejected"


def test_bulk_actions_on_quotes_and_mentions_change_their_spans(curator_client, users):
    review = annotate(users["reviewer"])
    run_action(curator_client, "quote", "reject", Quote.objects.all())
    quote = Quote.objects.get()
    assert {quote.cue.status, *quote.parts.values_list("status", flat=True)} == {
        "rejected"
    }
    assert review.spans.get(exact="Abadi").status == "accepted"
    run_action(
        curator_client, "mention", "reject", Mention.objects.filter(span__review=review)
    )
    assert set(review.spans.values_list("status", flat=True)) == {"rejected"}
    assert Span.objects.get(review=None).status == "suggested"


def test_bulk_accept_leaves_orphans_alone_and_confirms_suggested_entities(
    curator_client, users
):
    review = annotate(users["reviewer"])
    orphan = review.spans.get(exact="Abadi")
    Span.objects.filter(pk=orphan.pk).update(status="orphaned")
    entity = make_entity("Suggested Person", status="suggested")
    Span.objects.filter(pk=review.spans.get(exact="Baghdad").pk).update(
        status="suggested"
    )
    Mention.objects.filter(span__exact="Baghdad").update(entity=entity)
    run_action(curator_client, "span", "accept", review.spans.all())
    assert Span.objects.get(pk=orphan.pk).status == "orphaned"
    assert review.spans.get(exact="Baghdad").status == "accepted"
    entity.refresh_from_db()
    assert entity.status == "confirmed"


def test_reviewers_and_outsiders_are_kept_out_of_the_curation_lists(client, users):
    for name in ["reviewer", "reader", "outsider"]:
        client.force_login(users[name])
        for model in MODELS:
            response = client.get(changelist(model))
            assert response.status_code == 403
            assert "for curators" in response.text


def test_staff_without_the_curator_role_get_403(client, users):
    users["reviewer"].is_staff = True
    users["reviewer"].save()
    client.force_login(users["reviewer"])
    for model in MODELS:
        assert client.get(changelist(model)).status_code == 403


def test_staff_outside_the_curator_group_cannot_accept_or_reject(client, users):
    annotate(users["reviewer"])
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_span", "view_quote"])
    )
    client.force_login(viewer)
    assert client.get(changelist("span")).status_code == 403
    before = list(Span.objects.order_by("pk").values_list("status", flat=True))
    for model in ["span", "quote"]:
        rows = Span.objects.all() if model == "span" else Quote.objects.all()
        response = client.post(
            changelist(model),
            {"action": "reject", "_selected_action": [row.pk for row in rows]},
        )
        assert response.status_code == 403
    assert list(Span.objects.order_by("pk").values_list("status", flat=True)) == before


def test_review_actions_download_jsonl_json_ld_and_quotes_csv(curator_client, users):
    first = annotate(users["reviewer"])
    annotate(users["reviewer2"])
    selected = [first]

    response = run_action(curator_client, "review", "download_jsonl", selected)
    assert response["Content-Disposition"] == 'attachment; filename="annotations.jsonl"'
    [line] = b"".join(response.streaming_content).decode().splitlines()
    record = json.loads(line)
    assert (record["reviewer"], record["text"]) == ("reviewer", BODY)
    assert [q["text"] for q in record["quotes"]] == ["Not yet,"]

    response = run_action(curator_client, "review", "download_jsonld", selected)
    assert response["Content-Type"] == "application/ld+json"
    [collection] = response.json()
    assert collection["total"] == 3
    assert collection["id"].startswith("http://testserver/articles/")

    response = run_action(curator_client, "review", "download_quotes_csv", selected)
    text = b"".join(response.streaming_content).decode()
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert (row["speaker"], row["words"], row["reviewer"]) == (
        "Haider al-Abadi",
        "Not yet,",
        "reviewer",
    )


def test_the_admin_saves_no_span_whose_offsets_do_not_hold_its_words(
    curator_client, users
):
    review = annotate(users["reviewer"])
    span = review.spans.get(start=25)
    address = reverse("admin:annotations_span_change", args=[span.pk])
    form = {
        "article": span.article_id,
        "review": span.review_id,
        "start": span.start,
        "end": span.end,
        "exact": span.exact,
        "prefix": span.prefix,
        "suffix": span.suffix,
        "status": span.status,
        "origin": span.origin,
    }
    for bad in ({"exact": "not the text"}, {"end": 999999}, {"start": 26}):
        response = curator_client.post(address, {**form, **bad})
        assert response.status_code == 200, bad
        assert "errornote" in response.text, bad
        span.refresh_from_db()
        assert (span.start, span.end, span.exact) == (25, 32, "Baghdad")
    # Moving it onto other words, with those words, saves and takes their context.
    response = curator_client.post(
        address, {**form, "start": 11, "end": 16, "exact": BODY[11:16]}
    )
    assert response.status_code == 302
    span.refresh_from_db()
    assert (span.exact, span.prefix) == (BODY[11:16], BODY[:11])


def test_curators_reopen_submitted_reviews_in_bulk_with_the_change_in_history(
    curator_client, users
):
    submitted = annotate(users["reviewer"])
    editing.submit_review(review=submitted)
    still_open = annotate(users["reviewer2"], speaker_name="Nouri al-Maliki")
    response = run_action(curator_client, "review", "reopen", [submitted, still_open])
    submitted.refresh_from_db()
    assert (submitted.status, submitted.submitted_at) == ("in_progress", None)
    last = submitted.history.latest("history_id")
    assert (last.history_change_reason, last.history_user) == (
        "reopened",
        users["curator"],
    )
    assert still_open.history.count() == 1  # made, never changed
    follow = curator_client.get(response["Location"])
    assert "1 review(s) reopened" in follow.text
    assert "1 not submitted, left as they were" in follow.text
    # The reviewer can change it again.
    editing.create_mention(
        review=submitted, start=0, end=4, entity=make_entity("Iraq", kind="PLACE")
    )
