"""The reviewer walks the machine's suggestions with N, A and R."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from annotations.models import Span
from annotations.suggest.store import suggest_article
from tests.browser.helpers import drag_select, sign_in
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db(transaction=True)


def brandt_article():
    article = make_article(
        body="Mayor Lena Brandt opened the bridge in Utrecht.\n\n"
        "“It took ten years,” Brandt said in Utrecht."
    )
    make_entity("Lena Brandt", kind="PERSON", aliases=("Brandt",))
    make_entity("Utrecht", kind="PLACE")
    suggest_article(article=article)
    return article


def test_reviewer_accepts_and_rejects_suggestions_from_the_keyboard(page: Page, users):
    article = brandt_article()
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


def test_n_moves_through_suggestions_and_ones_own_highlights(page: Page, users):
    article = brandt_article()
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())
    focused = page.locator("#article-body mark:focus")
    page.get_by_role("button", name="Review the suggestions").click()
    expect(focused).to_have_text("Lena Brandt")
    page.keyboard.press("a")
    expect(focused).to_have_text("Utrecht")  # on to the next suggestion

    page.keyboard.press("Shift+N")  # back to the reviewer's own
    expect(focused).to_have_text("Lena Brandt")
    expect(focused).to_have_class(re.compile(r"\bmine\b"))
    page.keyboard.press("n")
    expect(focused).to_have_text("Utrecht")
    # The button skips one's own highlights.
    page.locator("#article-body").focus()
    page.get_by_role("button", name="Review the suggestions").click()
    expect(focused).to_have_text("Utrecht")


def test_deciding_a_quotes_cue_says_it_decides_the_whole_quote(page: Page, users):
    article = brandt_article()
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())
    cue = page.locator("#article-body mark.cue.suggested")
    cue.click()
    expect(page.locator("#toast")).to_contain_text(
        "The whole quote by Lena Brandt, cue and all?"
    )
    page.locator("#article-body mark.quote.suggested").click()
    expect(page.locator("#toast")).to_contain_text(
        "The whole quote by Lena Brandt, cue and all?"
    )


def test_a_suggested_name_cannot_be_picked_as_the_speaker(page: Page, users):
    article = brandt_article()
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())
    drag_select(page, "opened the bridge")
    expect(page.locator("#selection-toolbar")).to_be_visible()
    page.keyboard.press("q")
    page.get_by_role("button", name="Click a name in the text").click()
    page.locator("#article-body mark.suggested", has_text="Lena Brandt").click()
    expect(page.locator("#toast")).to_contain_text("only suggested")
    expect(page.locator(".editor")).to_contain_text("not chosen yet")


def test_the_focused_suggestion_is_clear_of_the_toast(page: Page, users):
    filler = "\n\n".join(f"Paragraph {n} of filler text." for n in range(40))
    article = make_article(
        body=f"{filler}\n\nMayor Lena Brandt opened the bridge.\n\n{filler}"
    )
    make_entity("Lena Brandt", kind="PERSON")
    suggest_article(article=article)
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())
    page.get_by_role("button", name="Review the suggestions").click()
    focused = page.locator("#article-body mark:focus")
    expect(focused).to_have_text("Lena Brandt")
    expect(page.locator("#toast")).to_be_visible()
    mark = focused.bounding_box()
    toast = page.locator("#toast").bounding_box()
    assert mark["y"] + mark["height"] < toast["y"]


def test_submitting_first_shows_what_is_left_and_goes_to_it(page: Page, users):
    article = brandt_article()
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())
    drag_select(page, "It took ten years")
    page.keyboard.press("q")  # a quote of one's own, no speaker yet
    expect(page.locator(".editor blockquote")).to_have_text("“It took ten years”")

    page.get_by_role("button", name="Submit review").click()
    check = page.locator(".submit-check")
    expect(check).to_contain_text("5 suggestions not accepted or rejected yet")
    expect(check).to_contain_text("1 quote without a speaker")
    check.get_by_role("button", name="“It took ten years”").click()
    # Its editor opens, where the speaker is asked for; nothing was submitted.
    expect(page.locator(".editor")).to_contain_text("Speaker: not chosen yet")
    expect(page.locator(".review-box .status")).to_have_text("In progress")

    page.get_by_role("button", name="Submit review").click()
    page.get_by_role("button", name="Not yet").click()
    expect(check).to_have_count(0)
    page.get_by_role("button", name="Submit review").click()
    check.get_by_role("button", name="Go to the first").click()
    expect(page.locator("#article-body mark:focus")).to_have_text("Lena Brandt")
    expect(page.locator(".review-box .status")).to_have_text("In progress")


def test_shift_a_accepts_every_suggestion_of_the_entity_and_ctrl_z_undoes_it(
    page: Page, users
):
    article = brandt_article()
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())
    count = page.locator("#suggestions-heading .count")
    expect(count).to_have_text("5")
    utrecht = page.locator("#article-body mark.suggested", has_text="Utrecht").first
    utrecht.click()
    expect(page.locator("#toast")).to_contain_text("Accept all 2")
    page.keyboard.press("Shift+A")
    expect(page.locator("#article-body mark.mine", has_text="Utrecht")).to_have_count(2)
    expect(count).to_have_text("3")
    expect(page.locator("#toast")).to_contain_text("Accepted 2 suggestions.")

    page.keyboard.press("Control+z")
    expect(page.locator("#toast")).to_contain_text("Restored.")
    expect(page.locator("#article-body mark.mine")).to_have_count(0)
    expect(count).to_have_text("5")

    # By kind, from the side panel: every quote rejected.
    page.get_by_label("All that are left of").select_option("QUOTE")
    page.get_by_role("button", name="Reject all").click()
    expect(count).to_have_text("4")
    assert (
        Span.objects.filter(review__reviewer=users["reviewer"], status="rejected")
        .values_list("exact", flat=True)
        .get()
        == "It took ten years,"
    )


def test_keys_pressed_while_a_decision_is_on_its_way_wait_their_turn(page: Page, users):
    article = brandt_article()
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())
    page.get_by_role("button", name="Review the suggestions").click()
    focused = page.locator("#article-body mark:focus")
    expect(focused).to_have_text("Lena Brandt")
    # Three keys at once: accept, accept the next, reject the one after.
    page.keyboard.press("a")
    page.keyboard.press("a")
    page.keyboard.press("r")
    expect(page.locator("#suggestions-heading .count")).to_have_text("2")
    own = Span.objects.filter(review__reviewer=users["reviewer"])
    assert sorted(own.values_list("exact", "status")) == [
        ("It took ten years,", "rejected"),
        ("Lena Brandt", "accepted"),
        ("Utrecht", "accepted"),
    ]
    expect(page.locator("#toast")).not_to_contain_text("already")


def test_m_u_and_s_go_to_ones_own_marks_suggestions_and_quotes_to_attribute(
    page: Page, users
):
    article = brandt_article()
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())
    focused = page.locator("#article-body mark:focus")
    page.locator("#article-body").focus()
    page.keyboard.press("s")
    expect(page.locator("#toast")).to_contain_text(
        "Every quote of yours has a speaker."
    )
    drag_select(page, "bridge")
    page.keyboard.press("q")  # a quote of one's own, no speaker yet
    expect(page.locator(".editor blockquote")).to_have_text("“bridge”")
    page.locator("#article-body").focus()
    page.keyboard.press("u")
    expect(focused).to_have_text("Lena Brandt")
    page.keyboard.press("s")
    expect(focused).to_have_text("bridge")
    page.keyboard.press("u")  # on from there: the next suggestion after it
    expect(focused).to_have_text("Utrecht")
    page.keyboard.press("Shift+M")
    expect(focused).to_have_text("bridge")


def test_ones_own_mark_inside_a_suggestion_is_not_faded_with_it(page: Page, users):
    article = make_article(body="“We love Utrecht,” Lena Brandt said.")
    make_entity("Lena Brandt", kind="PERSON")
    make_entity("Utrecht", kind="PLACE")
    suggest_article(article=article)
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())
    page.locator("#article-body mark.mention.suggested", has_text="Utrecht").click()
    page.keyboard.press("a")
    own = page.locator("#article-body mark.mine", has_text="Utrecht")
    expect(own).to_have_count(1)
    # Inside the suggested quote, it keeps its full strength.
    outer = own.locator("xpath=ancestor::mark[contains(@class, 'suggested')]")
    expect(outer).to_have_count(1)
    opacity = own.evaluate(
        """m => { let o = 1; for (let e = m; e; e = e.parentElement)
                   o *= Number(getComputedStyle(e).opacity); return o; }"""
    )
    assert opacity == 1
