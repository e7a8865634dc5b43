from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import make_article, make_entity, make_gold_mention

pytestmark = pytest.mark.django_db(transaction=True)


def test_curator_merges_two_entities_from_the_admin(page: Page, users):
    article = make_article(
        title="Talks", body="Rogachyov said Rogachev was right, Mr Rogachyov added."
    )
    keep = make_entity("Ilya Rogachev", aliases=("Rogachev",))
    duplicate = make_entity("Rogachyov")
    make_gold_mention(article, keep, "Rogachev", curator=users["curator"])
    for text in ["Rogachyov", "Mr Rogachyov"]:
        make_gold_mention(article, duplicate, text, curator=users["curator"])

    # The admin sends the curator to the site's sign-in page and back.
    page.goto("/admin/newsreader/entity/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill("pw-curator")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/newsreader/entity/")

    for name in ["Ilya Rogachev", "Rogachyov"]:
        row = page.locator("#result_list tr", has=page.get_by_role("link", name=name))
        row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label="Merge into …")
    page.get_by_role("button", name="Run").click()

    # The one with more mentions is offered as the target; the curator picks.
    expect(page.get_by_role("heading", name="What moves to Rogachyov")).to_be_visible()
    page.get_by_role("row", name=re.compile("Ilya Rogachev")).get_by_role(
        "link", name="Make this the target"
    ).click()
    expect(page.get_by_role("row", name=re.compile("Talks"))).to_contain_text("2")
    page.get_by_role("button", name="Merge into Ilya Rogachev").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "Merged Rogachyov into Ilya Rogachev"
    )
    expect(page.get_by_role("link", name="Undo")).to_be_visible()

    page.goto(duplicate.get_absolute_url())
    expect(page).to_have_url(re.compile(f"{keep.get_absolute_url()}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ilya Rogachev")


def test_the_span_list_fits_a_1366_pixel_screen(browser, live_server, users):
    article = make_article(
        title="Iraq would welcome Russian airstrikes against Daesh, Abadi says",
        body="Rogachyov said Rogachev was right.",
    )
    rogachev = make_entity("Ilya Rogachev", aliases=("Rogachev", "Rogachyov"))
    make_gold_mention(article, rogachev, "Rogachev", curator=users["curator"])
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 800}
    )
    page = context.new_page()
    page.goto("/admin/annotations/span/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill("pw-curator")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/annotations/span/")
    # No column out of sight, and the title more than a word a line; it
    # opens the span on its page.
    results = page.locator("#changelist .results")
    assert results.evaluate("e => e.scrollWidth <= e.clientWidth")
    title = page.locator("td.field-article_title").first
    assert title.bounding_box()["width"] >= 130
    expect(title.get_by_role("link")).to_have_attribute(
        "href", re.compile(rf"/articles/{article.pk}/\?others=1&span=\d+")
    )
    context.close()
