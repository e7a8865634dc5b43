"""The reviewer walks the machine's suggestions with N, A and R."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from annotations.models import Span
from annotations.suggest import suggest_article
from tests.browser.helpers import sign_in
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db(transaction=True)


def test_reviewer_accepts_and_rejects_suggestions_from_the_keyboard(page: Page, users):
    article = make_article(
        body="Mayor Lena Brandt opened the bridge in Utrecht.\n\n"
        "“It took ten years,” Brandt said in Utrecht."
    )
    make_entity("Lena Brandt", kind="PERSON", aliases=("Brandt",))
    make_entity("Utrecht", kind="PLACE")
    suggest_article(article=article)
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())
    suggestions = page.locator("#article-body mark.suggested")
    expect(page.locator("#suggestions-heading .count")).to_have_text("5")

    page.get_by_role("button", name="Review the suggestions").click()
    focused = page.locator("#article-body mark:focus")
    expect(focused).to_have_text("Lena Brandt")
    expect(page.locator("#toast")).to_contain_text("Person: Lena Brandt?")

    page.keyboard.press("a")  # accept: it becomes the reviewer's own
    expect(page.locator("#article-body mark.mine")).to_have_text("Lena Brandt")
    expect(focused).to_have_text("Utrecht")  # and the next one is focused
    page.keyboard.press("r")  # reject
    expect(page.locator("#suggestions-heading .count")).to_have_text("3")
    expect(focused).to_contain_text("It took ten years")
    page.keyboard.press("n")
    expect(focused).to_have_text("Brandt")
    page.keyboard.press("a")
    expect(page.locator("#suggestions-heading .count")).to_have_text("2")

    page.reload()
    expect(page.locator("#suggestions-heading .count")).to_have_text("2")
    expect(suggestions.filter(has_text="Utrecht")).to_have_count(1)  # the second
    own = Span.objects.filter(review__reviewer=users["reviewer"])
    assert sorted(own.values_list("exact", "status")) == [
        ("Brandt", "accepted"),
        ("Lena Brandt", "accepted"),
        ("Utrecht", "rejected"),
    ]
