// The reviewer's keys: mark the selection (P, O, L, Q; C and A in a quote's
// editor), decide a suggestion (A, R; with Shift, all like it), open or
// delete the focused mark (Enter, Delete), undo (Ctrl+Z), cancel (Esc).
import { editable, offsetOf, openQuote, pickerOpen, url } from "./page.js";
import { closePicker } from "./picker.js";
import { clearSelection, selection, showToolbar } from "./selection.js";
import { mark, setSpeakerMode, speakerModeOn, useSelectionFor } from "./editors.js";
import { openEditor, post } from "./server.js";
import { alike, decide } from "./suggestions.js";

const MARK_KEYS = { p: "PERSON", o: "ORG", l: "PLACE", q: "QUOTE" };

function undo(event) {
  // Straight to the server: the button may not be wired up by htmx yet.
  const button = document.querySelector("#toast:not([hidden]) [data-undo]");
  if (button) {
    event.preventDefault();
    post(button.dataset.undo);
  }
}

// Enter opens a focused mark of one's own, Delete removes it.
function onOwnMark(event, key, focused) {
  if (key === "enter") {
    event.preventDefault();
    if (focused.dataset.quote) openEditor("quote", focused.dataset.quote);
    else openEditor("mention", focused.dataset.span);
    return true;
  }
  if ((key === "delete" || key === "backspace") && editable()) {
    event.preventDefault();
    post(url("delete", focused.dataset.span), {}, offsetOf(focused));
    return true;
  }
  return false;
}

function onKey(event) {
  if (event.target.closest("input, select, textarea")) return;
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && key === "z") return undo(event);
  if (event.ctrlKey || event.metaKey) return;
  const focused = event.target.closest?.("#article-body mark.mine");
  const suggestion = event.target.closest?.("#article-body mark.suggested");
  if (suggestion && (key === "a" || key === "r")) {
    event.preventDefault();
    // Shift: every suggestion of this entity at once.
    decide(suggestion, key === "a" ? "accept" : "reject", event.shiftKey && alike(suggestion).length > 1);
    return;
  }
  if (focused && window.getSelection().isCollapsed && onOwnMark(event, key, focused)) return;
  if (key === "escape") {
    if (pickerOpen()) closePicker();
    else if (speakerModeOn()) setSpeakerMode(false);
    else clearSelection();
    return;
  }
  // The selection as it is now: a key can beat the debounce, and even the
  // mouseup's redraw of a toolbar shown halfway through a slow drag.
  if (!pickerOpen()) showToolbar();
  if (!selection() || document.getElementById("selection-toolbar").hidden) return;
  if (MARK_KEYS[key]) { event.preventDefault(); mark(MARK_KEYS[key]); }
  else if (key === "c" && openQuote()) { event.preventDefault(); useSelectionFor("cue"); }
  else if (key === "a" && openQuote()) { event.preventDefault(); useSelectionFor("parts"); }
}

export function listen() {
  document.addEventListener("keydown", onKey);
}
