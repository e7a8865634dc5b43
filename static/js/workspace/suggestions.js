// The machine's suggestions: offering one, accepting or rejecting it (or
// every one like it), then going on to the next.
import { goTo, highlights, offsetOf, showToast, url } from "./page.js";
import { post, swapped } from "./server.js";

let resumeAt = null; // where the last decided suggestion was: go on from there

export function offerSuggestion(mark) {
  const label = mark.dataset.label.replace(/ — suggested.*$/, "");
  // A quote's parts and cue are decided together: say so, whichever is focused.
  const quote = mark.dataset.quote;
  const cue = quote && document.querySelector(`#article-body mark.cue[data-quote="${quote}"]`);
  const text = quote
    ? `The whole quote by ${label.replace(/^.* quote by /, "")}${cue ? ", cue and all" : ""}?`
    : `${label}?`;
  const button = (label, key, verb, all) => {
    const b = document.createElement("button");
    b.type = "button";
    b.innerHTML = `${label} <kbd>${key}</kbd>`;
    b.addEventListener("click", () => decide(mark, verb, all));
    return b;
  };
  const buttons = [button("Accept", "A", "accept"), button("Reject", "R", "reject")];
  const same = alike(mark).length;
  if (same > 1) {
    buttons.push(button(`Accept all ${same}`, "Shift+A", "accept", true),
      button(`Reject all ${same}`, "Shift+R", "reject", true));
  }
  showToast(text, ...buttons);
}

export function visitSuggestion(mark) {
  goTo(mark);
  offerSuggestion(mark);
}

// The suggested mentions of the same entity as ``mark`` (names are unique:
// the same label is the same entity); none for a quote.
export function alike(mark) {
  if (!mark.classList.contains("mention")) return [];
  return highlights().filter((m) => m.classList.contains("suggested") &&
    m.classList.contains("mention") && m.dataset.label === mark.dataset.label);
}

// ``verb`` is "accept" or "reject"; ``all``, every suggestion like this one.
export function decide(mark, verb, all) {
  // After one, on to the next; after many, the toast stays with its Undo.
  if (all) return post(url("decide"), { verb, like: mark.dataset.span });
  resumeAt = offsetOf(mark);
  post(url(verb, mark.dataset.span));
}

export function firstSuggestion() {
  return highlights().find((m) => m.classList.contains("suggested"));
}

function resume() {
  if (resumeAt === null) return;
  const after = resumeAt;
  resumeAt = null;
  const marks = highlights().filter((m) => m.classList.contains("suggested"));
  const next = marks.find((m) => offsetOf(m) >= after) || marks[0];
  if (next) visitSuggestion(next);
}

export function listen() {
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (swapped(event, "workspace")) resume();
  });
}
