from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from annotations import editing
from tests.browser.helpers import sign_in
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db(transaction=True)

BODY = "Ilya Rogachev spoke in Baghdad.\n\nNobody else did."


def _submitted(article, user, marks) -> None:
    review = editing.start_review(article=article, reviewer=user)
    for words, entity in marks:
        start = article.body.index(words)
        editing.create_mention(
            review=review, start=start, end=start + len(words), entity=entity
        )
    editing.submit_review(review=review)


def test_curator_takes_one_version_saves_and_readers_see_the_gold(
    page: Page, browser, live_server, users
):
    article = make_article(body=BODY)
    rogachev = make_entity("Ilya Rogachev")
    baghdad = make_entity("Baghdad", kind="PLACE")
    _submitted(
        article, users["reviewer"], [("Ilya Rogachev", rogachev), ("Baghdad", baghdad)]
    )
    _submitted(
        article, users["reviewer2"], [("Rogachev", rogachev), ("Baghdad", baghdad)]
    )

    sign_in(page, "curator", "pw-curator")
    page.goto(article.get_absolute_url())
    page.get_by_role(
        "link", name="Compare the submitted reviews and adjudicate"
    ).click()

    disagreement = page.locator("fieldset", has_text="Boundaries differ")
    expect(disagreement).to_have_count(1)
    disagreement.get_by_text("reviewer2:").click()
    page.get_by_role("button", name="Save as gold").click()
    expect(page.get_by_role("status")).to_contain_text("Saved as the gold")

    reader = browser.new_context(base_url=live_server.url).new_page()
    reader.goto(article.get_absolute_url())
    expect(reader.locator('mark[data-label="Person: Ilya Rogachev"]')).to_have_text(
        "Rogachev"
    )
    expect(reader.locator('mark[data-label="Place: Baghdad"]')).to_have_text("Baghdad")
    reader.context.close()


def test_curator_reopens_a_review_and_its_reviewer_can_work_on_it(
    page: Page, browser, live_server, users
):
    article = make_article(body=BODY)
    rogachev = make_entity("Ilya Rogachev")
    _submitted(article, users["reviewer"], [("Ilya Rogachev", rogachev)])

    sign_in(page, "curator", "pw-curator")
    page.goto(article.get_absolute_url() + "adjudicate/")
    page.get_by_role("button", name="Reopen for reviewer").click()
    expect(page.get_by_role("status")).to_contain_text("reviewer’s review is open")
    expect(page.get_by_role("button", name="Reopen for reviewer")).to_have_count(0)

    reviewer = browser.new_context(base_url=live_server.url).new_page()
    sign_in(reviewer, "reviewer", "pw-reviewer")
    reviewer.goto(article.get_absolute_url())
    expect(reviewer.locator(".review-box .status")).to_have_text("In progress")
    expect(reviewer.get_by_role("button", name="Submit review")).to_be_visible()
    reviewer.context.close()
