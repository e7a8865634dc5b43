from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Page, expect

from annotations import editing
from newsreader.models import Article
from tests.browser.helpers import drag_select, sign_in
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "demo-pass-for-tests"


@pytest.fixture
def seed(monkeypatch) -> Article:
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("seed", verbosity=0)
    return Article.objects.get()


def marks(page: Page, label: str):
    return page.locator(f'#article-body mark[data-label="{label}"]')


def test_a_mark_shows_its_label_when_the_pointer_comes_to_it(
    page: Page, live_server, seed
):
    """The page sends each label once (data-label); the script makes it the
    title, which the browser shows on hover, of the innermost mark."""
    page.goto(seed.get_absolute_url())
    mark = page.locator("#article-body mark[data-label]:not(:has(mark))").first
    label = mark.get_attribute("data-label")
    assert label
    expect(mark).not_to_have_attribute("title", re.compile("."))
    mark.hover()
    expect(mark).to_have_attribute("title", label)


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
    sent = []
    page.on("request", lambda request: sent.append(request.method))
    page.keyboard.press("Enter")
    expect(marks(page, "Person: Ilya Rogachev")).to_have_count(1)
    # The side panel's list came in the same answer: one request in all.
    expect(page.locator("#entity-list")).to_contain_text("Ilya Rogachev")
    expect(page.locator("#entity-list button.count")).to_have_text(["1"])
    expect(page.get_by_text("You have not linked any names")).to_be_hidden()
    assert sent == ["POST"]

    page.reload()
    expect(marks(page, "Person: Ilya Rogachev")).to_have_text("Rogachyov")
    expect(marks(page, "Direct quote by Haider al-Abadi")).to_have_text("Not yet")

    other = browser.new_context(base_url=live_server.url).new_page()
    sign_in(other, "reviewer2", PASSWORD)
    other.goto(seed.get_absolute_url() + "?others=1")
    expect(other.locator("#article-body mark")).to_have_count(0)

    page.get_by_role("button", name="Submit review").click()
    expect(page.locator(".submit-check")).to_contain_text("every quote has a speaker")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".review-box .status")).to_contain_text("Submitted")

    other.reload()
    expect(marks(other, "Person: Ilya Rogachev — reviewer")).to_have_text("Rogachyov")
    # In the colour of that reviewer, named beside it.
    theirs = marks(other, "Person: Ilya Rogachev — reviewer")
    expect(theirs).to_have_class(re.compile(r"\bothers reviewer-\d\b"))
    assert theirs.evaluate("m => getComputedStyle(m).outlineStyle") == "solid"
    expect(other.locator(".review-box .reviewers")).to_contain_text("reviewer")
    expect(other.locator(".quote-list li.other")).to_contain_text("(reviewer)")
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


def link(page: Page, words: str, key: str, name: str) -> None:
    """Select ``words`` and link them with the picker to the entity ``name``."""
    drag_select(page, words)
    expect(page.locator("#selection-toolbar")).to_be_visible()
    page.keyboard.press(key)
    expect(page.locator("#picker-options [role=option]").first).to_contain_text(name)
    page.keyboard.press("Enter")
    expect(page.locator("#picker")).to_be_hidden()


def test_a_refused_write_shows_its_message_in_the_toast_with_debug_on(
    browser, live_server, seed, settings
):
    # As `make run` serves it: django-htmx's DEBUG helper would make the
    # 403's message the whole page.
    settings.DEBUG = True
    # Not the `page` fixture: the browser rightly logs the 403 as an error.
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    expect(page.locator('script[data-debug="True"]')).to_have_count(1)

    User.objects.get(username="reviewer").groups.clear()
    drag_select(page, "Not yet")
    expect(page.locator("#selection-toolbar")).to_be_visible()
    page.keyboard.press("q")
    expect(page.locator("#toast")).to_contain_text("Only reviewers can annotate")
    expect(page.locator("#workspace #article-body")).to_contain_text("Not yet")
    context.close()
    assert not errors, errors


def test_back_after_showing_others_work_loads_the_page_afresh(page: Page, seed):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    page.get_by_role("link", name="Show other reviewers’ submitted work").click()
    expect(page).to_have_url(re.compile(r"\?others=1$"))
    link(page, "Tikrit", "l", "Tikrit")
    expect(marks(page, "Place: Tikrit")).to_have_count(1)

    page.go_back()
    expect(page).not_to_have_url(re.compile("others"))
    # Not htmx's snapshot from before the mark was made.
    expect(marks(page, "Place: Tikrit")).to_have_count(1)
    expect(
        page.get_by_role("link", name="Show other reviewers’ submitted work")
    ).to_be_visible()


def test_a_submitted_review_offers_no_marking(page: Page, seed):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    page.get_by_role("button", name="Submit review").click()
    # The check's Submit has the focus: Enter submits.
    expect(page.locator(".submit-check button:focus")).to_have_text("Submit")
    page.keyboard.press("Enter")
    expect(page.locator(".review-box .status")).to_contain_text("Submitted")

    drag_select(page, "Tikrit")
    page.keyboard.press("l")
    page.wait_for_timeout(300)  # past the toolbar's wait for the selection to settle
    expect(page.locator("#selection-toolbar")).to_be_hidden()
    expect(page.locator("#picker")).to_be_hidden()


def test_after_a_save_the_keyboard_goes_on_from_the_text(page: Page, seed):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    text = page.locator("#article-body")
    selected = "String(window.getSelection())"
    link(page, "Tikrit", "l", "Tikrit")
    expect(text).to_be_focused()
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#selection-toolbar")).to_be_visible()
    assert page.evaluate(selected).strip() == ", the"  # on from the new mention

    page.keyboard.press("Escape")
    page.locator("#article-body").focus()
    page.keyboard.press("n")
    page.keyboard.press("Delete")
    expect(marks(page, "Place: Tikrit")).to_have_count(0)
    expect(text).to_be_focused()
    page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#selection-toolbar")).to_be_visible()
    assert page.evaluate(selected) == "Tikrit"  # where the deleted one was


def test_a_mouse_selection_draws_no_box_round_the_text(page: Page, seed):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    drag_select(page, "Tikrit")
    expect(page.locator("#selection-toolbar")).to_be_visible()
    page.keyboard.press("Escape")  # Chromium counts a key as keyboard focus
    text = page.locator("#article-body")
    expect(text).to_be_focused()
    assert text.evaluate("e => getComputedStyle(e).outlineStyle") == "none"


def test_only_ones_own_people_and_organisations_can_be_the_speaker(page: Page, seed):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    link(page, "Rogachyov", "p", "Ilya Rogachev")
    link(page, "Tikrit", "l", "Tikrit")
    drag_select(page, "Not yet")
    expect(page.locator("#selection-toolbar")).to_be_visible()
    page.keyboard.press("q")
    editor = page.locator(".editor")
    expect(editor).to_contain_text("not chosen yet")

    page.get_by_role("button", name="Click a name in the text").click()
    person, place = marks(page, "Person: Ilya Rogachev"), marks(page, "Place: Tikrit")
    assert person.evaluate("e => getComputedStyle(e).cursor") == "crosshair"
    assert place.evaluate("e => getComputedStyle(e).cursor") != "crosshair"
    place.click()
    expect(page.locator("#toast")).to_contain_text("A place cannot be a speaker")
    expect(editor).to_contain_text("not chosen yet")
    person.click()
    expect(editor).to_contain_text("Speaker: Ilya Rogachev")


def test_a_long_quote_parts_buttons_stay_on_its_line(page: Page, seed):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    drag_select(page, "On the basis that the coalition currently exists")
    expect(page.locator("#selection-toolbar")).to_be_visible()
    page.keyboard.press("q")
    part = page.locator(".editor .parts li").first
    words = part.locator("button.link").bounding_box()
    move = part.get_by_role("button", name="Replace this part’s words").bounding_box()
    assert words["height"] > move["height"], "the part should run over two lines"
    assert move["y"] < words["y"] + words["height"] / 2


def test_a_source_with_no_entity_is_typed_in_as_the_speaker(page: Page, seed):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    drag_select(page, "Not yet")
    expect(page.locator("#selection-toolbar")).to_be_visible()
    page.keyboard.press("q")
    editor = page.locator(".editor")
    expect(editor).to_contain_text("not chosen yet")
    # Letters typed here are words, not the workspace's keys (q marks a quote).
    field = page.get_by_label("Or describe a source the text does not name")
    field.press_sequentially("Iraqi officials", delay=10)
    field.press("Enter")
    expect(editor).to_contain_text("Speaker: Iraqi officials (a source described")
    expect(page.locator(".quote-list")).to_contain_text("Iraqi officials — Not yet")
    expect(marks(page, "Direct quote by Iraqi officials")).to_have_text("Not yet")
    page.reload()
    expect(page.locator(".quote-list")).to_contain_text("Iraqi officials — Not yet")


def test_a_choice_clicked_while_typing_links_once_and_breaks_nothing(page: Page, seed):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    drag_select(page, "Rogachyov")
    page.keyboard.press("p")
    option = page.locator("#picker-options [role=option]").first
    expect(option).to_contain_text("Ilya Rogachev")
    # A key, then the click at once: the search it started would have run
    # after the picker closed (the page fixture fails on the error).
    page.locator("#picker-input").press("End")
    page.locator("#picker-input").press_sequentially(" ", delay=0)
    option.click()
    expect(marks(page, "Person: Ilya Rogachev")).to_have_count(1)
    page.wait_for_timeout(300)  # past the picker's 150 ms search delay


def test_a_sentence_is_not_offered_as_a_new_name(page: Page, seed):
    sign_in(page, "reviewer", PASSWORD)
    page.goto(seed.get_absolute_url())
    drag_select(
        page,
        "Meanwhile, senior Russian foreign ministry official Ilya Rogachev said "
        "that his country would consider launching the strikes",
    )
    page.keyboard.press("o")
    options = page.locator("#picker-options")
    expect(options).to_contain_text("Too long for a name")
    expect(options.locator("[data-new]")).to_have_count(0)


def test_touch_screens_get_words_for_tapping_not_keys(browser, live_server, seed):
    touch = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    phone = touch.new_page()
    sign_in(phone, "reviewer", PASSWORD)
    phone.goto(seed.get_absolute_url())
    box = phone.locator(".review-box")
    expect(box.get_by_text("choose what they are")).to_be_visible()
    expect(box.get_by_text("then press")).to_be_hidden()
    expect(box.get_by_text("More keys")).to_be_hidden()
    touch.close()
    desk = browser.new_context(base_url=live_server.url).new_page()
    sign_in(desk, "reviewer", PASSWORD)
    desk.goto(seed.get_absolute_url())
    expect(desk.locator(".review-box").get_by_text("then press")).to_be_visible()
    expect(
        desk.locator(".review-box").get_by_text("choose what they are")
    ).to_be_hidden()
    desk.context.close()


def test_on_a_long_article_the_editor_opens_beside_what_it_edits(page: Page, users):
    body = "\n\n".join(
        f"Paragraph {n} of a long live blog, with enough words to fill a line."
        for n in range(120)
    )
    article = make_article(body=body + "\n\n“We will rebuild,” the mayor said.")
    review = editing.start_review(article=article, reviewer=users["reviewer"])
    start = article.body.index("We will rebuild")
    editing.create_quote(review=review, parts=[(start, start + 15)])
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())
    quote = page.locator("#article-body mark.quote.mine")
    quote.scroll_into_view_if_needed()
    quote.click()
    editor = page.locator(".editor")
    expect(editor).to_contain_text("We will rebuild")
    expect(editor).to_be_in_viewport()
    # The speaker picker opens by its button, in the window, not at the top.
    page.get_by_role("button", name="Search for the speaker…").click()
    expect(page.locator("#picker")).to_be_in_viewport()
    expect(page.get_by_role("heading", level=1)).not_to_be_in_viewport()


def test_on_a_phone_the_toolbar_and_picker_stay_on_the_screen(
    browser, live_server, seed
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    phone = context.new_page()
    sign_in(phone, "reviewer", PASSWORD)
    phone.goto(seed.get_absolute_url())
    drag_select(phone, "Rogachyov")
    toolbar = phone.locator("#selection-toolbar")
    expect(toolbar).to_be_visible()
    wide = (
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert phone.evaluate(wide)  # nothing runs off the side
    box = toolbar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    toolbar.get_by_role("button", name="Organisation").click()
    picker = phone.locator("#picker")
    expect(picker).to_be_visible()
    box = picker.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert phone.evaluate(wide)
    context.close()


def test_after_submitting_the_next_article_is_one_click_away(page: Page, users):
    first = make_article(title="The first to review")
    make_article(title="The second to review")
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(first.get_absolute_url())
    page.get_by_role("button", name="Submit review").click()
    page.get_by_role("button", name="Submit", exact=True).click()
    page.locator("#toast").get_by_role("link", name="Next article").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The second to review")
    # The list shows where one's reviews stand, and filters by it.
    page.goto("/")
    page.get_by_label("My review").select_option("submitted")
    expect(page.locator(".article-row")).to_have_count(1)
    expect(page.locator(".article-row .title")).to_have_text("The first to review")
