"""What a person does in the browser, for the Playwright tests."""

from __future__ import annotations

from playwright.sync_api import Page

# Finds the nth occurrence of `text` in the rendered article body (it may run
# over several segments) and returns the points a mouse drag would use.
_FIND_TEXT = """([text, nth]) => {
  const area = document.getElementById("article-body");
  const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let whole = "";
  while (walker.nextNode()) {
    nodes.push([walker.currentNode, whole.length]);
    whole += walker.currentNode.data;
  }
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = whole.indexOf(text, at + 1);
    if (at < 0) return null;
  }
  const locate = (offset) => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (nodes[i][1] <= offset) return [nodes[i][0], offset - nodes[i][1]];
    }
  };
  const range = document.createRange();
  range.setStart(...locate(at));
  range.setEnd(...locate(at + text.length - 1));
  range.setEnd(range.endContainer, range.endOffset + 1);
  range.startContainer.parentElement.scrollIntoView({block: "center"});
  const rects = Array.from(range.getClientRects());
  const first = rects[0];
  const last = rects[rects.length - 1];
  return {
    x1: first.left + 1, y1: first.top + first.height / 2,
    x2: last.right - 1, y2: last.top + last.height / 2,
  };
}"""


def drag_select(page: Page, text: str, nth: int = 0) -> None:
    """Select ``text`` in the article with a real mouse drag."""
    points = page.evaluate(_FIND_TEXT, [text, nth])
    assert points, f"{text!r} is not in the article"
    page.mouse.move(points["x1"], points["y1"])
    page.mouse.down()
    page.mouse.move(points["x2"], points["y2"], steps=8)
    page.mouse.up()


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
