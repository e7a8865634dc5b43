// Marking the selection, and the editors of one's quotes and mentions:
// the URLs each action posts to are rendered on its button or editor.
import { focusMark, openQuote, showToast, url } from "./page.js";
import { openPicker } from "./picker.js";
import { clearSelection, selection, selectionValues } from "./selection.js";
import { openEditor, post } from "./server.js";
import { firstSuggestion, offerSuggestion, visitSuggestion } from "./suggestions.js";

const KIND_LABELS = { PERSON: "person", ORG: "organisation", PLACE: "place" };

let speakerMode = false;

// ``what``: an entity kind, QUOTE or CANCEL (a toolbar button or its key).
export function mark(what) {
  if (!selection()) return;
  if (what === "CANCEL") return clearSelection();
  const chosen = selectionValues();
  if (what === "QUOTE") {
    post(url("quotes"), chosen);
    return clearSelection();
  }
  openPicker({
    kind: what,
    text: chosen.exact,
    title: `Which ${KIND_LABELS[what]} is “${chosen.exact}”?`,
    onChoose: (entity) => post(url("mentions"), { ...chosen, ...entity }),
  });
}

// ``what``: "cue" or "parts" of the open quote.
export function useSelectionFor(what) {
  const editor = document.getElementById("editor");
  if (!openQuote()) return;
  if (!selection()) {
    showToast(what === "cue"
      ? "Select the reporting verb (“said”, “told”) first."
      : "Select the quoted words first.");
    return;
  }
  post(editor.dataset[`${what}Url`], selectionValues());
  clearSelection();
}

export function speakerModeOn() {
  return speakerMode;
}

export function setSpeakerMode(on) {
  speakerMode = on;
  document.getElementById("mode-banner").hidden = !on;
  document.body.classList.toggle("picking-speaker", on);
}

// The speaker is a person or organisation the reviewer has linked themselves.
function whyNotSpeaker(markEl) {
  const classes = markEl.classList;
  if (!classes.contains("mention")) return "Click the name of a person or organisation.";
  if (classes.contains("suggested")) return "That name is only suggested: accept it first (A), then click it.";
  if (!classes.contains("mine")) return "That is another reviewer’s mark: link the name yourself first.";
  if (classes.contains("kind-place")) return "A place cannot be a speaker: click a person or organisation.";
  if (!classes.contains("kind-person") && !classes.contains("kind-org")) {
    return "Only a person or organisation can be a speaker.";
  }
  return null;
}

function act(action) {
  const name = action.dataset.action;
  const editor = document.getElementById("editor");
  if (name === "pick-speaker") setSpeakerMode(true);
  if (name === "search-speaker") {
    openPicker({
      kind: "PERSON", text: "", title: "Who said it?",
      onChoose: (entity) => post(editor.dataset.updateUrl, entity),
      near: action.getBoundingClientRect(),
    });
  }
  if (name === "set-cue") useSelectionFor("cue");
  if (name === "add-part") useSelectionFor("parts");
  if (name === "close-editor") editor.replaceChildren();
  if (name === "next-suggestion") {
    const first = firstSuggestion();
    if (first) visitSuggestion(first);
  }
  if (name === "relink") {
    openPicker({
      kind: action.dataset.kind, text: action.dataset.exact,
      title: `Which entity is “${action.dataset.exact}”?`,
      onChoose: (entity) => post(action.dataset.url, entity),
      near: action.getBoundingClientRect(),
    });
  }
  if (name === "move") {
    if (!selection()) return showToast("Select the new words first, then press this again.");
    post(action.dataset.url, selectionValues());
    clearSelection();
  }
}

// A click on a mark: the speaker being picked, a suggestion to decide, or
// one's own mark to edit.
function clickMark(markEl) {
  if (speakerMode) {
    const refusal = whyNotSpeaker(markEl);
    if (refusal) return showToast(refusal);
    const editor = document.getElementById("editor");
    if (openQuote()) post(editor.dataset.updateUrl, { speaker_mention: markEl.dataset.span });
    setSpeakerMode(false);
  } else if (markEl.classList.contains("suggested")) {
    focusMark(markEl);
    offerSuggestion(markEl);
  } else if (markEl.classList.contains("mine")) {
    if (markEl.dataset.quote) openEditor("quote", markEl.dataset.quote);
    else openEditor("mention", markEl.dataset.span);
  }
}

export function listen() {
  const toolbar = document.getElementById("selection-toolbar");
  toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("[data-mark]");
    if (button) mark(button.dataset.mark);
  });

  document.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]");
    if (action) return act(action);
    const markEl = event.target.closest("#article-body mark[data-span]");
    if (markEl && window.getSelection().isCollapsed) clickMark(markEl);
  });
}
