"""A curator gives a reviewer articles from the admin; the reviewer works
through them from My work."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import sign_in
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)


def test_curator_gives_two_articles_and_the_reviewer_works_through_them(
    page: Page, browser, live_server, users
):
    make_article(title="Not for today")
    first = make_article(title="Floods in the north")
    make_article(title="Bridge reopens")
    sign_in(page, "curator", "pw-curator")
    page.goto("/admin/newsreader/article/")
    for title in ["Floods in the north", "Bridge reopens"]:
        row = page.locator("#result_list tr", has=page.get_by_role("link", name=title))
        row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(
        label="Assign the selected to a reviewer…"
    )
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("2 articles chosen")).to_be_visible()
    page.get_by_label("To").select_option(label="reviewer")
    page.get_by_role("button", name="Give them").click()
    expect(page.get_by_role("status")).to_contain_text("2 articles added")

    reviewer = browser.new_context(base_url=live_server.url).new_page()
    sign_in(reviewer, "reviewer", "pw-reviewer")
    reviewer.get_by_role("link", name="My work").click()
    rows = reviewer.locator(".article-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Not started")
    reviewer.get_by_role("link", name="Floods in the north").click()
    reviewer.get_by_role("button", name="Submit review").click()
    reviewer.get_by_role("button", name="Submit", exact=True).click()
    reviewer.locator("#toast").get_by_role("link", name="Next article").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Bridge reopens")
    reviewer.goto("/my-work/")
    expect(rows.filter(has_text="Floods in the north")).to_contain_text("Submitted")
    assert first.reviews.get().status == "submitted"
    reviewer.context.close()
