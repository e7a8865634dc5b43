// The reviewer's selection as offsets in the article body, and the toolbar
// that offers to mark it.
//
// Offsets sent to the server are UTF-16 positions in the article body (the
// JSON in #article-text); each rendered segment carries its own (data-o).
// The server converts them to code points and checks the words are there.
import { editable, pickerOpen } from "./page.js";

const WORD = /[\p{L}\p{N}\p{M}]/u;

let body = "";
let current = null; // {start, end, exact, rect} in UTF-16 units
let altHeld = false;

const toolbar = () => document.getElementById("selection-toolbar");

// The selection the toolbar was shown for, if any.
export const selection = () => current;

// What the server needs to mark the selection.
export function selectionValues() {
  return { start: current.start, end: current.end, exact: current.exact };
}

export function clearSelection() {
  window.getSelection().removeAllRanges();
  current = null;
  toolbar().hidden = true;
}

function pointOffset(node, offset) {
  // A boundary inside a text node: its segment's offset plus the offset.
  if (node.nodeType === Node.TEXT_NODE) {
    const seg = node.parentElement.closest("[data-o]");
    return seg ? Number(seg.dataset.o) + offset : null;
  }
  // A boundary between children: the start of the next segment, or the
  // end of the last one before it.
  const segs = Array.from(node.querySelectorAll ? node.querySelectorAll("[data-o]") : []);
  const after = node.childNodes[offset];
  for (const seg of segs) {
    if (after && (after === seg || after.contains(seg) ||
        (after.compareDocumentPosition(seg) & Node.DOCUMENT_POSITION_FOLLOWING))) {
      return Number(seg.dataset.o);
    }
  }
  const last = segs[segs.length - 1];
  if (last) return Number(last.dataset.o) + last.textContent.length;
  const seg = node.closest && node.closest("[data-o]");
  return seg ? Number(seg.dataset.o) + (offset ? seg.textContent.length : 0) : null;
}

// Whole words, without the spaces around them; with Alt, as selected.
function snap(start, end) {
  while (start < end && /\s/.test(body[start])) start++;
  while (end > start && /\s/.test(body[end - 1])) end--;
  if (!altHeld) {
    while (start > 0 && WORD.test(body[start - 1]) && WORD.test(body[start])) start--;
    while (end < body.length && WORD.test(body[end]) && WORD.test(body[end - 1])) end++;
  }
  return [start, end];
}

function readSelection() {
  const sel = window.getSelection();
  const area = document.getElementById("article-body");
  if (!sel || sel.isCollapsed || !sel.rangeCount || !area) return null;
  const range = sel.getRangeAt(0);
  if (!area.contains(range.commonAncestorContainer)) return null;
  let start = pointOffset(range.startContainer, range.startOffset);
  let end = pointOffset(range.endContainer, range.endOffset);
  if (start === null || end === null) return null;
  [start, end] = snap(Math.min(start, end), Math.max(start, end));
  if (start >= end) return null;
  return { start, end, exact: body.slice(start, end), rect: range.getBoundingClientRect() };
}

// Below the selection, inside the window.
export function showToolbar() {
  const bar = toolbar();
  current = editable() ? readSelection() : null;
  if (!current || pickerOpen()) {
    if (!current) bar.hidden = true;
    return;
  }
  bar.hidden = false;
  const { rect } = current;
  const left = Math.max(8, Math.min(rect.left + window.scrollX,
    window.scrollX + document.documentElement.clientWidth - bar.offsetWidth - 8));
  bar.style.top = `${rect.bottom + window.scrollY + 8}px`;
  bar.style.left = `${left}px`;
}

// With the text (or a highlight in it) focused, arrows move a caret and
// Shift+arrows extend the selection by words or lines: no caret browsing needed.
const ARROWS = {
  ArrowRight: ["forward", "word"], ArrowLeft: ["backward", "word"],
  ArrowDown: ["forward", "line"], ArrowUp: ["backward", "line"],
};

export function listen() {
  body = JSON.parse(document.getElementById("article-text").textContent);

  let timer = null;
  document.addEventListener("selectionchange", () => {
    clearTimeout(timer);
    timer = setTimeout(showToolbar, 120);
  });
  // Alt counts as it was when the selection was made, by mouse or by keys.
  document.addEventListener("mouseup", (event) => {
    altHeld = event.altKey;
    if (!event.target.closest("#selection-toolbar, #picker")) setTimeout(showToolbar, 0);
  });

  document.addEventListener("keydown", (event) => {
    const area = document.getElementById("article-body");
    if (!ARROWS[event.key] || !area || !area.contains(event.target) || pickerOpen()) return;
    const sel = window.getSelection();
    if (!sel.rangeCount || !area.contains(sel.anchorNode)) {
      const start = event.target === area ? area.querySelector("[data-o]") : event.target;
      sel.collapse(start, 0);
    }
    altHeld = event.altKey;
    sel.modify(event.shiftKey ? "extend" : "move", ...ARROWS[event.key]);
    event.preventDefault();
  });
}
