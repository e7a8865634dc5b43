from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from annotations import editing
from tests.browser.helpers import sign_in
from tests.factories import make_article, make_entity, make_gold_quote, make_source

pytestmark = pytest.mark.django_db(transaction=True)


def test_stats_page_draws_its_charts_and_opens_their_numbers(page: Page, users):
    abadi = make_entity("Haider al-Abadi")
    reuters = make_source(name="Reuters")
    for day in ("2025-01-10", "2025-01-20", "2025-03-05"):
        article = make_article(
            body="Abadi said yes.",
            source=reuters,
            published_at=dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC),
        )
        make_gold_quote(article, abadi, "yes", curator=users["curator"])

    page.goto("/")
    page.get_by_role("link", name="Who is quoted").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Who is quoted, and where"
    )
    chart = page.get_by_role("img", name="Quotes per outlet, month by month Reuters")
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(3)
    assert chart.bounding_box()["height"] > 50

    numbers = page.get_by_role("table").filter(has_text="January 2025")
    expect(numbers).to_be_hidden()
    page.get_by_text("The numbers").click()
    expect(numbers).to_be_visible()
    january = numbers.get_by_role("row", name="January 2025")
    expect(january.get_by_role("cell")).to_have_text("2")

    page.get_by_role("link", name="Haider al-Abadi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Haider al-Abadi")


def test_the_chart_pages_do_not_scroll_sideways_on_a_phone(browser, live_server, users):
    abadi = make_entity("Haider al-Abadi")
    for name in ("Associated Press", "Al Jazeera English", "The Guardian", "Reuters"):
        article = make_article(body="Abadi said yes.", source=make_source(name=name))
        make_gold_quote(article, abadi, "yes", curator=users["curator"])
    for name in ("reviewer", "reviewer2"):
        review = editing.start_review(article=article, reviewer=users[name])
        editing.create_mention(review=review, start=0, end=5, entity=abadi)
        editing.submit_review(review=review)

    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 800}
    )
    page = context.new_page()
    sign_in(page, "curator", "pw-curator")
    page.goto("/stats/")
    page.get_by_text("The numbers").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/curation/agreement/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
