// The entity picker: which person, organisation or place some words are,
// or who said a quote. Candidates come from the server as typed.
import { clearSelection, selection } from "./selection.js";

const picker = () => document.getElementById("picker");
const input = () => document.getElementById("picker-input");
const results = () => document.getElementById("picker-results");

let purpose = null; // {kind, onChoose}
let loading = false;
let chooseOnLoad = false;
let typingTimer = null;

// Beside ``near`` (the button that opened it), or below the selection;
// always inside the window, whose width a phone's 390 px may be.
// ``onChoose`` gets {entity} or {new_name, kind}.
export function openPicker({ kind, text, title, onChoose, near }) {
  const box = picker();
  purpose = { kind, onChoose };
  document.getElementById("selection-toolbar").hidden = true;
  box.hidden = false;
  document.getElementById("picker-title").textContent = title;
  const anchor = near || selection()?.rect;
  box.style.top = `${(anchor ? anchor.bottom : 120) + window.scrollY + 8}px`;
  const right = window.scrollX + document.documentElement.clientWidth - box.offsetWidth - 8;
  box.style.left = `${Math.max(8, Math.min((anchor ? anchor.left : 80) + window.scrollX, right))}px`;
  input().value = text;
  loadCandidates();
  input().focus();
  input().select();
}

export function closePicker() {
  clearTimeout(typingTimer); // typing just before a choice: no search after it
  picker().hidden = true;
  purpose = null;
  chooseOnLoad = false;
  results().replaceChildren();
}

function loadCandidates() {
  const params = new URLSearchParams({ q: input().value, kind: purpose.kind || "" });
  loading = true;
  htmx.ajax("GET", `${picker().dataset.url}?${params}`, { target: results(), swap: "innerHTML" })
    .finally(() => {
      loading = false;
      if (chooseOnLoad) {
        chooseOnLoad = false;
        choose(chosen());
      }
    });
}

const options = () => Array.from(results().querySelectorAll("[role=option]"));
const chosen = () => options().find((o) => o.getAttribute("aria-selected") === "true");

function moveChoice(step) {
  const all = options();
  if (!all.length) return;
  let index = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
  index = (index + step + all.length) % all.length;
  all.forEach((o, i) => o.setAttribute("aria-selected", String(i === index)));
  all[index].scrollIntoView({ block: "nearest" });
  input().setAttribute("aria-activedescendant", all[index].id);
}

function choose(option) {
  if (!option || !purpose) return;
  const entity = option.dataset.entity
    ? { entity: option.dataset.entity }
    : { new_name: option.dataset.new, kind: purpose.kind || "PERSON" };
  const { onChoose } = purpose;
  closePicker();
  clearSelection();
  onChoose(entity);
}

export function listen() {
  input().addEventListener("input", () => {
    clearTimeout(typingTimer);
    loading = true; // typing: the list on screen is about to change
    typingTimer = setTimeout(loadCandidates, 150);
  });

  input().addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") { event.preventDefault(); moveChoice(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); moveChoice(-1); }
    else if (event.key === "Enter") {
      event.preventDefault();
      // Enter before the candidates arrive takes the best of them on arrival.
      if (loading) chooseOnLoad = true;
      else choose(chosen());
    } else if (event.key === "Escape") { event.preventDefault(); closePicker(); }
  });
  results().addEventListener("click", (event) => choose(event.target.closest("[role=option]")));

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target?.id === "picker-results") moveChoice(0);
  });
}
