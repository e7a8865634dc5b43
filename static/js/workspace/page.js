// What every part of the workspace reads from the page: the workspace
// element (redrawn by swaps, so always looked up afresh), the URLs the
// server rendered into it, the marks in the text and the toast.

export const workspace = () => document.getElementById("workspace");

// A submitted review is closed: the server would refuse any mark (409).
export const editable = () => workspace().dataset.editable === "true";

// The quote whose editor is open, if any.
export const openQuote = () => document.getElementById("editor")?.dataset.quote;

// A URL the server rendered as a data- attribute of the workspace
// (data-accept-url for "accept"); those for one span or quote are rendered
// with 0 for its id, which ``id`` takes the place of.
export function url(name, id) {
  const template = workspace().dataset[`${name}Url`];
  return id === undefined ? template : template.replace(/\/0\/(?!.*\/0\/)/, `/${id}/`);
}

// Where a mark's words start: the offset (UTF-16) of its segment.
export const offsetOf = (mark) => Number(mark.closest("[data-o]").dataset.o);

// Each highlight once, in reading order: suggestions and one's own alike,
// so the keyboard reaches every one of them.
export function highlights() {
  const seen = new Set();
  return Array.from(document.querySelectorAll("#article-body mark[data-span]"))
    .filter((m) => !seen.has(m.dataset.span) && seen.add(m.dataset.span));
}

// The entity picker is open (a dialog of its own over the text).
export const pickerOpen = () => !document.getElementById("picker").hidden;

// Marks are not focusable until the keyboard moves to one: Chromium will
// not start a mouse selection on a focusable element.
export function focusMark(mark, options) {
  mark.tabIndex = -1;
  mark.addEventListener("blur", () => mark.removeAttribute("tabindex"), { once: true });
  mark.focus(options);
}

// ---- The toast --------------------------------------------------------------

let toastTimer = null;

// ``text``, and after it any ``controls`` (buttons) that act on it.
export function showToast(text, ...controls) {
  const toast = document.getElementById("toast");
  toast.replaceChildren(Object.assign(document.createElement("span"), { textContent: text }), ...controls);
  toast.hidden = false;
  armToast();
}

// The server's toasts come with the swap; each goes after ten seconds.
export function armToast() {
  const toast = document.getElementById("toast");
  clearTimeout(toastTimer);
  if (toast && !toast.hidden) toastTimer = setTimeout(() => { toast.hidden = true; }, 10000);
}

// To the middle of the screen: the toast at the bottom would cover it there.
export function goTo(mark) {
  mark.scrollIntoView({ block: "center" });
  focusMark(mark, { preventScroll: true });
}
