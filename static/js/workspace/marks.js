// Moving through the highlights, for readers and reviewers: from the side
// panel to a span, and with the keys N, M, U and S.
import { focusMark, goTo, highlights, showToast } from "./page.js";
import { openEditor } from "./server.js";
import { offerSuggestion } from "./suggestions.js";

function flash(spanId) {
  const marks = document.querySelectorAll(`#article-body mark[data-span="${spanId}"]`);
  if (!marks.length) return;
  marks[0].scrollIntoView({ behavior: "smooth", block: "center" });
  marks.forEach((m) => {
    m.classList.remove("flash");
    void m.offsetWidth; // restart the animation
    m.classList.add("flash");
  });
  focusMark(marks[0], { preventScroll: true });
}

// N moves to the next highlight, M to the next of one's own, U to the next
// undecided suggestion, S to the next quote of one's own with no speaker
// yet; with Shift, back.
const MOVES = {
  n: [() => true, "There are no highlights here yet."],
  m: [(m) => m.classList.contains("mine"), "You have not marked anything here yet."],
  u: [(m) => m.classList.contains("suggested"), "No suggestions are left to decide."],
  s: [(m) => m.classList.contains("mine") && m.classList.contains("no-speaker"),
    "Every quote of yours has a speaker."],
};

// ``annotating``: the reviewer's keys too; readers have no marks of their own.
export function listen({ annotating }) {
  // A mark's hover text: its label becomes its title when the pointer first
  // comes to it (the innermost mark, as a title on each would show). The
  // server sends the label once, in data-label.
  document.addEventListener("mouseover", (event) => {
    const mark = event.target.closest("#article-body mark[data-label]");
    if (mark && !mark.title) mark.title = mark.dataset.label;
  });

  // A link from the admin names one span (?span=ID): show it.
  const linkedSpan = new URLSearchParams(window.location.search).get("span");
  if (linkedSpan) flash(linkedSpan);

  document.addEventListener("click", (event) => {
    const jump = event.target.closest("[data-jump]");
    if (jump) {
      flash(jump.dataset.jump);
      if (jump.dataset.openQuote) openEditor("quote", jump.dataset.openQuote);
    }
  });

  document.addEventListener("keydown", (event) => {
    const area = document.getElementById("article-body");
    const key = event.key.toLowerCase();
    if (!MOVES[key] || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!area || !area.contains(event.target)) return;
    if (key !== "n" && !annotating) return;
    event.preventDefault();
    const [wanted, none] = MOVES[key];
    const marks = highlights();
    const step = event.shiftKey ? -1 : 1;
    const current = marks.findIndex((m) => m.dataset.span === event.target.dataset.span);
    const from = current >= 0 ? current : (step > 0 ? -1 : marks.length);
    for (let i = 1; i <= marks.length; i++) {
      const mark = marks[(((from + step * i) % marks.length) + marks.length) % marks.length];
      if (wanted(mark)) {
        goTo(mark);
        if (mark.classList.contains("suggested")) offerSuggestion(mark);
        return;
      }
    }
    showToast(none);
  });
}
