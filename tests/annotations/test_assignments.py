"""Curators give reviewers articles; reviewers find them under My work."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from annotations import editing
from annotations.models import Assignment
from tests.factories import make_article

pytestmark = pytest.mark.django_db

ASSIGN = reverse("annotations:assign-articles")
MY_WORK = reverse("annotations:my-work")


def titles(html: str) -> list[str]:
    return re.findall(r'class="title" href="[^"]+">([^<]+)</a>', html)


def test_curator_gives_chosen_articles_once_each(client, users):
    one, two = make_article(title="One"), make_article(title="Two")
    client.force_login(users["curator"])
    page = client.get(ASSIGN, {"articles": f"{one.pk},{two.pk}"})
    assert "2 articles chosen" in page.text
    data = {"articles": f"{one.pk},{two.pk}", "reviewer": users["reviewer"].pk}
    response = client.post(ASSIGN, data, follow=True)
    assert "2 articles added to reviewer’s work." in response.text
    response = client.post(ASSIGN, data, follow=True)  # again: nothing new
    assert "0 articles added" in response.text
    given = Assignment.objects.get(article=one)
    assert (given.reviewer, given.assigned_by) == (users["reviewer"], users["curator"])
    assert Assignment.objects.count() == 2


def test_curator_gives_the_newest_no_one_has_been_given(client, users):
    old, middle, new = (make_article(title=t) for t in ("Old", "Middle", "New"))
    editing.assign(articles=[new], reviewer=users["reviewer2"])
    client.force_login(users["curator"])
    client.post(ASSIGN, {"newest": 1, "reviewer": users["reviewer"].pk})
    mine = Assignment.objects.filter(reviewer=users["reviewer"])
    assert [a.article.title for a in mine] == ["Middle"]
    # Nothing chosen and no number: a clear message, nothing made.
    response = client.post(ASSIGN, {"reviewer": users["reviewer"].pk})
    assert response.status_code == 200
    assert "say how many of the newest" in response.text
    assert client.post(ASSIGN, {"newest": 1, "reviewer": 999999}).status_code == 200
    assert mine.count() == 1


def test_an_imports_articles_and_the_admins_selection_come_to_the_page(client, users):
    from newsreader.models import ImportJob

    one, two = make_article(title="One"), make_article(title="Two")
    job = ImportJob.objects.create(
        status=ImportJob.Status.DONE,
        summary={"imported": [{"article_id": one.pk, "label": "a"}]},
    )
    client.force_login(users["curator"])
    page = client.get(ASSIGN, {"import": job.pk})
    assert "1 article chosen" in page.text and "<li>One</li>" in page.text
    response = client.post(
        reverse("admin:newsreader_article_changelist"),
        {"action": "assign", "_selected_action": [one.pk, two.pk]},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(ASSIGN + "?articles=")
    assert sorted(response["Location"].split("=")[1].split(",")) == sorted(
        [str(one.pk), str(two.pk)]
    )


def test_only_curators_give_articles(client, users):
    article = make_article()
    client.force_login(users["reviewer"])
    data = {"articles": str(article.pk), "reviewer": users["reviewer"].pk}
    assert client.post(ASSIGN, data).status_code == 403
    assert client.get(ASSIGN).status_code == 403
    assert not Assignment.objects.exists()


def test_my_work_lists_what_i_was_given_and_where_each_stands(client, users):
    first, second, third = (make_article(title=t) for t in ("First", "Second", "Third"))
    editing.assign(articles=[first, second, third], reviewer=users["reviewer"])
    editing.assign(articles=[first], reviewer=users["reviewer2"])
    editing.submit_review(
        review=editing.start_review(article=first, reviewer=users["reviewer"])
    )
    editing.start_review(article=second, reviewer=users["reviewer"])
    client.force_login(users["reviewer"])
    page = client.get(MY_WORK).text
    assert titles(page) == ["First", "Second", "Third"]
    assert re.findall(r"review-status status-(\w+)", page) == [
        "submitted",
        "in_progress",
        "none",
    ]
    assert titles(client.get(MY_WORK, {"mine": "none"}).text) == ["Third"]
    assert titles(client.get(MY_WORK, {"mine": "submitted"}).text) == ["First"]
    client.force_login(users["reader"])
    assert client.get(MY_WORK).status_code == 403


def test_after_submitting_the_next_article_is_the_next_one_given(client, users):
    given_first, given_second = make_article(title="A"), make_article(title="B")
    make_article(title="Newest, not given")
    editing.assign(articles=[given_first], reviewer=users["reviewer"])
    editing.assign(articles=[given_second], reviewer=users["reviewer"])
    client.force_login(users["reviewer"])
    submit = reverse("annotations:review-submit", args=[given_first.pk])
    text = client.post(submit).text
    assert f'href="{given_second.get_absolute_url()}">Next article: B</a>' in text


def test_my_work_costs_the_same_queries_for_many_articles(
    client, users, django_assert_max_num_queries
):
    articles = [make_article(title=f"Article {n}") for n in range(20)]
    editing.assign(articles=articles, reviewer=users["reviewer"], by=users["curator"])
    client.force_login(users["reviewer"])
    with django_assert_max_num_queries(6):
        assert len(titles(client.get(MY_WORK).text)) == 20
