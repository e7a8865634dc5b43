"""The quote explorer in the browser: results swap in as one types."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import make_article, make_entity, make_gold_quote, make_source

pytestmark = pytest.mark.django_db(transaction=True)


def test_typing_swaps_the_quotes_in_and_the_url_keeps_the_search(page: Page, users):
    curator = users["curator"]
    abadi, lavrov = make_entity("Haider al-Abadi"), make_entity("Sergei Lavrov")
    first = make_article(
        body="Abadi said Iraq would welcome airstrikes.",
        source=make_source(name="Reuters"),
    )
    second = make_article(body="“The coalition failed,” Lavrov said.")
    make_gold_quote(first, abadi, "Iraq would welcome airstrikes", curator=curator)
    make_gold_quote(second, lavrov, "The coalition failed", curator=curator)

    page.goto("/")
    page.get_by_role("link", name="Quotes").click()
    rows = page.locator("#results .quote-row")
    expect(rows).to_have_count(2)
    page.evaluate("window.stillSamePage = true")

    page.get_by_role("searchbox", name="Search").press_sequentially(
        "airstrikes", delay=30
    )
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Haider al-Abadi")
    expect(page).to_have_url(re.compile(r"/quotes/\?q=airstrikes"))
    expect(page.locator("#results")).to_have_count(1)  # replaced, not nested

    page.get_by_label("Type").select_option(label="Partial")
    expect(page.locator("#results .empty")).to_contain_text("No quotes match")
    assert page.evaluate("window.stillSamePage") is True

    # The URL is the search: opened afresh, it shows the same.
    page.goto(page.url)
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("airstrikes")
    expect(page.get_by_label("Type")).to_have_value("partial")
