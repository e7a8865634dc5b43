// Writes and editor loads, and what follows their swaps: keys that waited
// for them, the focus, and refusals shown as messages.
import { armToast, showToast, workspace } from "./page.js";

// Keys that act on a highlight wait while a write is on its way, then run
// in turn: the highlight they would act on is about to be redrawn (a
// second A on the same suggestion was refused as accepted already).
const WAITING_KEYS = new Set(["a", "r", "n", "m", "u", "s"]);
let writing = 0;
const waiting = [];

// Where a write's words end (UTF-16): if its swap takes the focus away,
// the caret goes there, for Shift+arrows to go on from.
let caretAt = null;

// The workspace says where a request's answer goes (hx-target, hx-swap);
// a write's answer is out of band, and says so itself.
export function post(url, values = {}, caret = values.end ?? null) {
  caretAt = caret;
  values.others = workspace().dataset.others;
  writing++;
  return htmx.ajax("POST", url, { source: workspace(), values }).finally(() => {
    writing--;
    if (!writing) setTimeout(replayKeys);
  });
}

// The page with one of one's quotes or mentions open in the editor.
export function openEditor(what, id) {
  const query = new URLSearchParams({ others: workspace().dataset.others, [what]: id });
  return htmx.ajax("GET", `?${query}`, { source: workspace() });
}

// Whether a swap was into the element of this id (a history restore swaps
// without a target).
export const swapped = (event, id) => event.detail.target?.id === id || event.target.id === id;

function replayKeys() {
  for (const { key, shiftKey } of waiting.splice(0)) {
    // A key replayed while the write it starts is on its way waits again.
    (document.activeElement || document.body).dispatchEvent(
      new KeyboardEvent("keydown", { key, shiftKey, bubbles: true, cancelable: true }));
  }
}

// A swap that took the focused element away leaves the focus on <body>,
// where Shift+arrows select nothing: back to the text. Not to the new
// highlight: a focusable mark would not let a mouse selection start on it.
function refocus() {
  const area = document.getElementById("article-body");
  const offset = caretAt;
  caretAt = null;
  if (!area || (document.activeElement && document.activeElement !== document.body)) return;
  area.focus({ preventScroll: true });
  const segment = offset === null ? null : Array.from(area.querySelectorAll("[data-o]"))
    .filter((s) => Number(s.dataset.o) <= offset).pop();
  const text = segment && document.createTreeWalker(segment, NodeFilter.SHOW_TEXT).nextNode();
  if (text) window.getSelection().collapse(text, Math.min(offset - Number(segment.dataset.o), text.length));
}

export function listen() {
  document.addEventListener("keydown", (event) => {
    if (!writing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!WAITING_KEYS.has(event.key.toLowerCase()) || event.target.closest("input, select, textarea")) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    waiting.push({ key: event.key, shiftKey: event.shiftKey });
  }, true);

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (swapped(event, "workspace")) {
      armToast();
      refocus();
    }
  });
  // A write redraws only what it changed, the toast among them.
  document.body.addEventListener("htmx:oobAfterSwap", (event) => {
    if (event.target.id === "toast") armToast();
  });
  // A refused write's answer is a message for the toast. Stopped here, it
  // never reaches django-htmx's DEBUG helper, which listens on the document
  // and would make it the whole page; a 500 (the traceback) still does.
  document.body.addEventListener("htmx:beforeOnLoad", (event) => {
    const status = event.detail.xhr.status;
    if (status >= 400 && status < 500) event.stopPropagation();
  });
  document.body.addEventListener("htmx:responseError", (event) => {
    // Refusals are plain-text messages; an error page is no message.
    const xhr = event.detail.xhr;
    const plain = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/plain");
    showToast((plain && xhr.responseText) || "Something went wrong; nothing was saved.");
  });
  armToast();
}
