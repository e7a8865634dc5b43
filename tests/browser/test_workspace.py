from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from newsreader.models import Article
from tests.browser.helpers import drag_select, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "demo-pass-for-tests"


@pytest.fixture
def seed(monkeypatch) -> Article:
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("seed", verbosity=0)
    return Article.objects.get()


def marks(page: Page, label: str):
    return page.locator(f'#article-body mark[data-label="{label}"]')


def test_reviewer_marks_a_quote_and_a_mention_and_others_see_them_after_submit(
    page: Page, browser, live_server, seed
):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    # The reviewer starts from a blank page, not from the curator's gold.
    expect(page.locator("#article-body mark")).to_have_count(0)

    drag_select(page, "Not yet")
    expect(page.locator("#selection-toolbar")).to_be_visible()
    page.keyboard.press("q")
    expect(page.locator(".editor blockquote")).to_have_text("“Not yet”")

    page.get_by_role("button", name="Search for the speaker…").click()
    page.locator("#picker-input").press_sequentially("Abadi", delay=20)
    expect(page.locator("#picker-options [role=option]").first).to_contain_text(
        "Haider al-Abadi"
    )
    page.locator("#picker-input").press("Enter")
    expect(page.locator(".quote-list")).to_contain_text("Haider al-Abadi — Not yet")

    drag_select(page, "Rogachyov")
    page.keyboard.press("p")
    expect(page.locator("#picker-input")).to_have_value("Rogachyov")
    expect(page.locator("#picker-options [role=option]").first).to_contain_text(
        "Ilya Rogachev"
    )
    page.keyboard.press("Enter")
    expect(marks(page, "Person: Ilya Rogachev")).to_have_count(1)

    page.reload()
    expect(marks(page, "Person: Ilya Rogachev")).to_have_text("Rogachyov")
    expect(marks(page, "Direct quote by Haider al-Abadi")).to_have_text("Not yet")

    other = browser.new_context(base_url=live_server.url).new_page()
    sign_in(other, "reviewer2", PASSWORD)
    other.goto(seed.get_absolute_url() + "?others=1")
    expect(other.locator("#article-body mark")).to_have_count(0)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit review").click()
    expect(page.locator(".review-box .status")).to_contain_text("Submitted")

    other.reload()
    expect(marks(other, "Person: Ilya Rogachev — reviewer")).to_have_text("Rogachyov")
    other.context.close()


def test_reviewer_deletes_a_mention_with_the_keyboard_and_undoes_it(page: Page, seed):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    drag_select(page, "Tikrit")
    page.keyboard.press("l")
    expect(page.locator("#picker-options [role=option]").first).to_contain_text(
        "Tikrit"
    )
    page.keyboard.press("Enter")
    tikrit = marks(page, "Place: Tikrit")
    expect(tikrit).to_have_count(1)

    page.locator("#article-body").focus()
    page.keyboard.press("n")
    expect(tikrit).to_be_focused()
    page.keyboard.press("Delete")
    expect(tikrit).to_have_count(0)
    expect(page.locator("#toast")).to_contain_text("Deleted “Tikrit”")

    page.keyboard.press("Control+z")
    expect(marks(page, "Place: Tikrit")).to_have_count(1)
    page.reload()
    expect(marks(page, "Place: Tikrit")).to_have_text("Tikrit")


def test_the_undo_toast_goes_away_after_ten_seconds(page: Page, seed):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    page.clock.install()
    drag_select(page, "Mosul")
    page.keyboard.press("l")
    expect(page.locator("#picker-options [role=option]").first).to_contain_text("Mosul")
    page.keyboard.press("Enter")
    expect(marks(page, "Place: Mosul")).to_have_count(1)
    page.clock.run_for(1_000)  # let htmx settle the swap: its timers are fake too
    page.locator("#article-body").focus()
    page.keyboard.press("n")
    expect(marks(page, "Place: Mosul")).to_be_focused()
    page.keyboard.press("Delete")
    expect(page.locator("#toast")).to_be_visible()
    page.clock.run_for(9_000)
    expect(page.locator("#toast")).to_be_visible()
    page.clock.run_for(1_500)
    expect(page.locator("#toast")).to_be_hidden()


def test_a_selection_may_start_inside_an_existing_highlight(page: Page, seed):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    drag_select(page, "Ilya Rogachev")
    page.keyboard.press("p")
    expect(page.locator("#picker-options [role=option]").first).to_contain_text(
        "Ilya Rogachev"
    )
    page.keyboard.press("Enter")
    expect(marks(page, "Person: Ilya Rogachev")).to_have_count(1)

    # The drag starts on the new highlight and runs past it: a nested span.
    drag_select(page, "Ilya Rogachev said")
    page.keyboard.press("q")
    expect(page.locator(".editor blockquote")).to_have_text("“Ilya Rogachev said”")
