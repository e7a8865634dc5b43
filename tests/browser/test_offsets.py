"""Selections in Chromium land on the right code points, or are refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from annotations.management.commands.seed import ensure_groups
from annotations.models import Span
from tests.browser.helpers import drag_select, sign_in
from tests.factories import make_article, make_entity, make_gold_mention

pytestmark = pytest.mark.django_db(transaction=True)

# An emoji (two UTF-16 units, one code point) and a combining accent (x has
# no precomposed form, so NFC keeps two code points) before the words.
BODY = "The 🎉 party at Bax\u0301ter’s began.\n\nAbadi said, “Not yet,” and left."


@pytest.fixture
def reviewer(db) -> User:
    user = User.objects.create_user("reviewer", password="pw-reviewer")
    user.groups.add(ensure_groups()["reviewer"])
    return user


def test_a_mention_after_an_emoji_and_a_combining_accent_saves_the_right_span(
    page: Page, reviewer
):
    article = make_article(body=BODY)
    make_entity("Haider al-Abadi", aliases=("Abadi",))
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())

    drag_select(page, "Abadi")
    page.keyboard.press("p")
    expect(page.locator("#picker-options [role=option]").first).to_contain_text(
        "Haider al-Abadi"
    )
    page.keyboard.press("Enter")
    expect(
        page.locator('#article-body mark[data-label="Person: Haider al-Abadi"]')
    ).to_have_text("Abadi")

    span = Span.objects.get()
    assert (span.start, span.end) == (BODY.index("Abadi"), BODY.index("Abadi") + 5)
    assert span.exact == "Abadi"


def test_a_selection_inside_a_word_snaps_to_the_word_unless_alt_is_held(
    page: Page, reviewer
):
    article = make_article(body=BODY)
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())

    drag_select(page, "arty")
    page.keyboard.press("q")
    expect(page.locator(".editor blockquote")).to_have_text("“party”")

    page.keyboard.down("Alt")
    drag_select(page, "ax\u0301t")
    page.keyboard.up("Alt")
    page.get_by_role("button", name="Add selection as a part").click()
    expect(page.locator(".editor .parts li")).to_have_count(2)
    assert sorted(Span.objects.values_list("exact", flat=True)) == [
        "ax\u0301t",
        "party",
    ]


def test_a_quote_across_two_paragraphs_is_one_span(page: Page, reviewer):
    article = make_article(body=BODY)
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())

    drag_select(page, "began.Abadi")
    page.keyboard.press("q")
    expect(page.locator(".editor blockquote")).to_be_visible()
    span = Span.objects.get()
    assert span.exact == "began.\n\nAbadi"
    assert BODY[span.start : span.end] == span.exact


def test_text_that_looks_like_html_stays_text(page: Page, reviewer):
    body = (
        "Before <script>window.pwned = 1</script> and "
        '<img src=x onerror="window.pwned = 2"> after.'
    )
    article = make_article(title="<b>Bold</b> title", body=body)
    evil = make_entity(
        "<img src=x onerror=alert(1)>", aliases=("<script>alert(2)</script>",)
    )
    make_gold_mention(article, evil, "after", curator=reviewer)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(article.get_absolute_url())
    expect(page.locator("#article-body")).to_contain_text(
        "<script>window.pwned = 1</script>"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("<b>Bold</b> title")
    expect(page.locator(".entities")).to_contain_text("<img src=x onerror=alert(1)>")

    page.goto(evil.get_absolute_url())
    expect(page.locator(".facts")).to_contain_text("<script>alert(2)</script>")
    assert page.evaluate("window.pwned") is None
    assert dialogs == []


def test_a_reviewer_selects_and_links_words_with_the_keyboard_alone(
    page: Page, reviewer
):
    article = make_article(body="Abadi met Rogachev in Baghdad.")
    make_entity("Ilya Rogachev", aliases=("Rogachev",))
    sign_in(page, "reviewer", "pw-reviewer")
    page.goto(article.get_absolute_url())

    page.locator("#article-body").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#selection-toolbar")).to_be_visible()
    page.keyboard.press("p")
    expect(page.locator("#picker-input")).to_have_value("Rogachev")
    page.keyboard.press("Enter")
    expect(
        page.locator('#article-body mark[data-label="Person: Ilya Rogachev"]')
    ).to_have_text("Rogachev")
