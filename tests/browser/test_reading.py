from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import (
    make_article,
    make_entity,
    make_gold_mention,
    make_gold_quote,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_live_search_swaps_results_in_and_opens_the_article(page: Page, users):
    flood = make_article(
        title="Flood warning for the river towns", body="Rivers rose fast."
    )
    abadi = make_entity("Haider al-Abadi")
    make_gold_mention(flood, abadi, "Rivers", curator=users["curator"])
    make_article(title="Election results", body="Votes were counted.")

    page.goto("/")
    expect(page.locator(".article-row")).to_have_count(2)
    # A full page load would wipe this marker; an htmx swap keeps it.
    page.evaluate("window.stillSamePage = true")

    page.get_by_role("searchbox").press_sequentially("flood", delay=30)
    expect(page.locator(".article-row")).to_have_count(1)
    expect(page.locator(".count")).to_have_text(re.compile("1 article matches “flood”"))
    expect(page.locator(".article-row .title mark")).to_have_text("Flood")
    expect(page.locator("#results")).to_have_count(1)  # replaced, not nested
    expect(page).to_have_url(re.compile(r"\?q=flood"))
    assert page.evaluate("window.stillSamePage") is True

    page.get_by_role("link", name="Flood warning for the river towns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Flood warning for the river towns"
    )
    expect(page.get_by_role("link", name="Haider al-Abadi")).to_be_visible()


def test_search_works_without_javascript(browser, live_server):
    make_article(title="Flood warning", body="Rivers rose.")
    make_article(title="Election results", body="Votes were counted.")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("searchbox").fill("election")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".article-row")).to_have_count(1)
    expect(page.locator(".article-row .title")).to_have_text("Election results")
    context.close()


def test_entity_search_finds_a_person_by_another_spelling(page: Page):
    make_entity("Ilya Rogachev", aliases=("Rogachyov",))
    make_entity("Sergei Kuralenko")
    page.goto("/entities/")
    page.get_by_role("searchbox").press_sequentially("rogachyov", delay=30)
    expect(page.locator(".entity-rows li")).to_have_count(1)
    page.get_by_role("link", name="Ilya Rogachev").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ilya Rogachev")


def test_a_side_panel_row_scrolls_to_its_span_and_flashes_it(page: Page, users):
    filler = "\n\n".join(f"Paragraph {n} of filler text." for n in range(60))
    article = make_article(body=filler + "\n\nAt the end, Rogachev spoke.")
    make_gold_mention(
        article, make_entity("Ilya Rogachev"), "Rogachev", curator=users["curator"]
    )
    page.goto(article.get_absolute_url())
    mark = page.locator('#article-body mark[data-label="Person: Ilya Rogachev"]')
    expect(mark).not_to_be_in_viewport()

    page.get_by_role("button", name="Show Ilya Rogachev in the text: 1 mention").click()
    expect(mark).to_be_in_viewport()
    expect(mark).to_have_class(re.compile("flash"))
    expect(mark).to_be_focused()


def test_filters_that_match_nothing_say_so_and_can_be_cleared(page: Page):
    make_article(title="Flood warning", body="Rivers rose.")
    page.goto("/")
    page.get_by_label("From").fill("2099-01-01")
    expect(page.locator(".article-row")).to_have_count(0)
    expect(page.locator("#results")).to_contain_text("No articles match these filters.")
    page.locator("#results").get_by_role(
        "link", name="Clear search and filters"
    ).click()
    expect(page.locator(".article-row")).to_have_count(1)
    expect(page.get_by_label("From")).to_have_value("")


def test_a_speakers_quote_opens_its_article_at_the_quote(page: Page, users):
    abadi = make_entity("Haider al-Abadi")
    filler = "\n\n".join(f"Paragraph {n} says nothing much." for n in range(60))
    article = make_article(
        title="Abadi on the airstrikes",
        body=f"{filler}\n\n“We would welcome it,” Abadi said.",
    )
    make_gold_quote(article, abadi, "We would welcome it", curator=users["curator"])

    page.goto(abadi.get_absolute_url())
    said = page.get_by_role("region", name=re.compile("What Haider al-Abadi said"))
    expect(said.locator("blockquote")).to_have_text("“We would welcome it”")
    expect(page.locator("figure.chart svg rect")).to_have_count(1)
    page.get_by_role("link", name="Abadi on the airstrikes").first.click()

    # The quote, at the end of a long article, is scrolled to and focused.
    quote = page.locator("#article-body mark", has_text="We would welcome it")
    expect(quote).to_be_focused()
    expect(quote).to_be_in_viewport()
