// The article page: jump to spans from the side panel, and for reviewers,
// turn a text selection into a mention or a quote.
//
// Offsets sent to the server are UTF-16 positions in the article body (the
// JSON in #article-text); each rendered segment carries its own (data-o).
// The server converts them to code points and checks the words are there.
(function () {
  "use strict";

  const WORD = /[\p{L}\p{N}\p{M}]/u;
  const KEYS = { p: "PERSON", o: "ORG", l: "PLACE", q: "QUOTE" };
  const KIND_LABELS = { PERSON: "person", ORG: "organisation", PLACE: "place" };

  const textNode = document.getElementById("article-text");
  const body = textNode ? JSON.parse(textNode.textContent) : null;
  const toolbar = document.getElementById("selection-toolbar");
  const picker = document.getElementById("picker");
  const pickerInput = document.getElementById("picker-input");
  const pickerResults = document.getElementById("picker-results");
  const modeBanner = document.getElementById("mode-banner");

  let selection = null; // {start, end, exact} in UTF-16 units
  let altHeld = false;
  let pickerPurpose = null; // {kind, onChoose}
  let speakerMode = false;
  let toastTimer = null;

  const workspace = () => document.getElementById("workspace");
  const articleUrl = () => `/articles/${workspace().dataset.article}/`;
  // A submitted review is closed: the server would refuse any mark (409).
  const editable = () => workspace().dataset.editable === "true";
  // The quote whose editor is open, if any.
  const openQuote = () => document.getElementById("editor")?.dataset.quote;

  // ---- Jumping to a span from the side panel -----------------------------

  // Marks are not focusable until the keyboard moves to one: Chromium will
  // not start a mouse selection on a focusable element.
  function focusMark(mark, options) {
    mark.tabIndex = -1;
    mark.addEventListener("blur", () => mark.removeAttribute("tabindex"), { once: true });
    mark.focus(options);
  }

  function flash(spanId) {
    const mark = document.querySelector(`#article-body mark[data-span="${spanId}"]`);
    if (!mark) return;
    mark.scrollIntoView({ behavior: "smooth", block: "center" });
    document.querySelectorAll(`#article-body mark[data-span="${spanId}"]`).forEach((m) => {
      m.classList.remove("flash");
      void m.offsetWidth; // restart the animation
      m.classList.add("flash");
    });
    focusMark(mark, { preventScroll: true });
  }

  // A link from the admin names one span (?span=ID): show it.
  const linkedSpan = new URLSearchParams(window.location.search).get("span");
  if (linkedSpan) flash(linkedSpan);

  // Each highlight once, in reading order: suggestions and one's own alike,
  // so the keyboard reaches every one of them.
  function highlights() {
    const seen = new Set();
    return Array.from(document.querySelectorAll("#article-body mark[data-span]"))
      .filter((m) => !seen.has(m.dataset.span) && seen.add(m.dataset.span));
  }

  // To the middle of the screen: the toast at the bottom would cover it there.
  function goTo(mark) {
    mark.scrollIntoView({ block: "center" });
    focusMark(mark, { preventScroll: true });
    if (mark.classList.contains("suggested")) offerSuggestion(mark);
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

  document.addEventListener("keydown", (event) => {
    const area = document.getElementById("article-body");
    const key = event.key.toLowerCase();
    if (!MOVES[key] || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!area || !area.contains(event.target)) return;
    if (key !== "n" && !textNode) return; // readers have no marks of their own
    event.preventDefault();
    const [wanted, none] = MOVES[key];
    const marks = highlights();
    const step = event.shiftKey ? -1 : 1;
    const current = marks.findIndex((m) => m.dataset.span === event.target.dataset.span);
    const from = current >= 0 ? current : (step > 0 ? -1 : marks.length);
    for (let i = 1; i <= marks.length; i++) {
      const mark = marks[(((from + step * i) % marks.length) + marks.length) % marks.length];
      if (wanted(mark)) return goTo(mark);
    }
    showToast(none);
  });

  // ---- Suggestions ----------------------------------------------------------------

  let resumeAt = null; // where the last decided suggestion was: go on from there

  function offerSuggestion(mark) {
    const toast = document.getElementById("toast");
    const label = mark.dataset.label.replace(/ — suggested.*$/, "");
    // A quote's parts and cue are decided together: say so, whichever is focused.
    const quote = mark.dataset.quote;
    const cue = quote && document.querySelector(`#article-body mark.cue[data-quote="${quote}"]`);
    const text = Object.assign(document.createElement("span"), {
      textContent: quote
        ? `The whole quote by ${label.replace(/^.* quote by /, "")}${cue ? ", cue and all" : ""}?`
        : `${label}?`,
    });
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
    toast.replaceChildren(text, ...buttons);
    toast.hidden = false;
    armToast();
  }

  // The suggested mentions of the same entity as ``mark`` (names are unique:
  // the same label is the same entity); none for a quote.
  function alike(mark) {
    if (!mark.classList.contains("mention")) return [];
    return highlights().filter((m) => m.classList.contains("suggested") &&
      m.classList.contains("mention") && m.dataset.label === mark.dataset.label);
  }

  function decide(mark, verb, all) {
    // After one, on to the next; after many, the toast stays with its Undo.
    if (all) return post("suggestions/decide/", { verb, like: mark.dataset.span });
    resumeAt = Number(mark.closest("[data-o]").dataset.o);
    post(`suggestions/${mark.dataset.span}/${verb}/`, {});
  }

  function resumeSuggestions() {
    if (resumeAt === null) return;
    const after = resumeAt;
    resumeAt = null;
    const marks = highlights().filter((m) => m.classList.contains("suggested"));
    const next = marks.find((m) => Number(m.closest("[data-o]").dataset.o) >= after) || marks[0];
    if (next) goTo(next);
  }

  document.addEventListener("click", (event) => {
    const jump = event.target.closest("[data-jump]");
    if (jump) {
      flash(jump.dataset.jump);
      if (jump.dataset.openQuote) openEditor("quote", jump.dataset.openQuote);
    }
  });

  if (!body) return; // not an annotator: reading only

  // ---- Selection to offsets ----------------------------------------------

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

  function showToolbar() {
    selection = editable() ? readSelection() : null;
    if (!selection || picker.hidden === false) {
      if (!selection) toolbar.hidden = true;
      return;
    }
    toolbar.hidden = false;
    const { rect } = selection;
    const top = rect.bottom + window.scrollY + 8;
    const left = Math.max(8, Math.min(rect.left + window.scrollX,
      window.scrollX + document.documentElement.clientWidth - toolbar.offsetWidth - 8));
    toolbar.style.top = `${top}px`;
    toolbar.style.left = `${left}px`;
  }

  let selectionTimer = null;
  document.addEventListener("selectionchange", () => {
    clearTimeout(selectionTimer);
    selectionTimer = setTimeout(showToolbar, 120);
  });
  // Alt counts as it was when the selection was made, by mouse or by keys.
  document.addEventListener("mouseup", (event) => {
    altHeld = event.altKey;
    if (!event.target.closest("#selection-toolbar, #picker")) setTimeout(showToolbar, 0);
  });

  // ---- Talking to the server ------------------------------------------------

  // Where a write's words end (UTF-16): if its swap takes the focus away,
  // the caret goes there, for Shift+arrows to go on from.
  let caretAt = null;

  // Keys that act on a highlight wait while a write is on its way, then run
  // in turn: the highlight they would act on is about to be redrawn (a
  // second A on the same suggestion was refused as accepted already).
  const WAITING_KEYS = new Set(["a", "r", "n", "m", "u", "s"]);
  let writing = 0;
  const waiting = [];

  document.addEventListener("keydown", (event) => {
    if (!writing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!WAITING_KEYS.has(event.key.toLowerCase()) || event.target.closest("input, select, textarea")) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    waiting.push({ key: event.key, shiftKey: event.shiftKey });
  }, true);

  function replayKeys() {
    for (const { key, shiftKey } of waiting.splice(0)) {
      // A key replayed while the write it starts is on its way waits again.
      (document.activeElement || document.body).dispatchEvent(
        new KeyboardEvent("keydown", { key, shiftKey, bubbles: true, cancelable: true }));
    }
  }

  function post(path, values) {
    caretAt = "end" in values ? values.end : null;
    values.others = workspace().dataset.others;
    writing++;
    return htmx.ajax("POST", articleUrl() + path, {
      target: "#workspace", swap: "outerHTML", values,
    }).finally(() => {
      writing--;
      if (!writing) setTimeout(replayKeys);
    });
  }

  function openEditor(what, id) {
    const others = workspace().dataset.others;
    htmx.ajax("GET", `${articleUrl()}?others=${others}&${what}=${id}`, {
      target: "#workspace", swap: "outerHTML",
    });
  }

  function selectionValues() {
    return { start: selection.start, end: selection.end, exact: selection.exact };
  }

  function clearSelection() {
    window.getSelection().removeAllRanges();
    selection = null;
    toolbar.hidden = true;
  }

  // ---- The toolbar ------------------------------------------------------------

  function mark(what) {
    if (!selection) return;
    if (what === "CANCEL") return clearSelection();
    if (what === "QUOTE") {
      post("quotes/", selectionValues());
      return clearSelection();
    }
    const chosen = selectionValues();
    openPicker({
      kind: what,
      text: chosen.exact,
      title: `Which ${KIND_LABELS[what]} is “${chosen.exact}”?`,
      onChoose: (entity) => post("mentions/", { ...chosen, ...entity }),
    });
  }

  toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("[data-mark]");
    if (button) mark(button.dataset.mark);
  });

  // ---- The entity picker ----------------------------------------------------

  // Beside ``near`` (the button that opened it), or below the selection;
  // always inside the window, whose width a phone's 390 px may be.
  function openPicker({ kind, text, title, onChoose, near }) {
    pickerPurpose = { kind, onChoose };
    toolbar.hidden = true;
    picker.hidden = false;
    document.getElementById("picker-title").textContent = title;
    const anchor = near || (selection ? selection.rect : null);
    picker.style.top = `${(anchor ? anchor.bottom : 120) + window.scrollY + 8}px`;
    const right = window.scrollX + document.documentElement.clientWidth - picker.offsetWidth - 8;
    picker.style.left = `${Math.max(8, Math.min((anchor ? anchor.left : 80) + window.scrollX, right))}px`;
    pickerInput.value = text;
    loadCandidates();
    pickerInput.focus();
    pickerInput.select();
  }

  function closePicker() {
    clearTimeout(pickerTimer); // typing just before a choice: no search after it
    picker.hidden = true;
    pickerPurpose = null;
    chooseOnLoad = false;
    pickerResults.replaceChildren();
  }

  let pickerLoading = false;
  let chooseOnLoad = false;

  function loadCandidates() {
    const params = new URLSearchParams({ q: pickerInput.value, kind: pickerPurpose.kind || "" });
    pickerLoading = true;
    htmx.ajax("GET", `${picker.dataset.url}?${params}`, { target: "#picker-results", swap: "innerHTML" })
      .finally(() => {
        pickerLoading = false;
        if (chooseOnLoad) {
          chooseOnLoad = false;
          choose(options().find((o) => o.getAttribute("aria-selected") === "true"));
        }
      });
  }

  let pickerTimer = null;
  pickerInput.addEventListener("input", () => {
    clearTimeout(pickerTimer);
    pickerLoading = true; // typing: the list on screen is about to change
    pickerTimer = setTimeout(loadCandidates, 150);
  });

  function options() {
    return Array.from(pickerResults.querySelectorAll("[role=option]"));
  }

  function moveChoice(step) {
    const all = options();
    if (!all.length) return;
    let index = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
    index = (index + step + all.length) % all.length;
    all.forEach((o, i) => o.setAttribute("aria-selected", String(i === index)));
    all[index].scrollIntoView({ block: "nearest" });
    pickerInput.setAttribute("aria-activedescendant", all[index].id);
  }

  function choose(option) {
    if (!option || !pickerPurpose) return;
    const entity = option.dataset.entity
      ? { entity: option.dataset.entity }
      : { new_name: option.dataset.new, kind: pickerPurpose.kind || "PERSON" };
    const { onChoose } = pickerPurpose;
    closePicker();
    clearSelection();
    onChoose(entity);
  }

  pickerInput.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") { event.preventDefault(); moveChoice(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); moveChoice(-1); }
    else if (event.key === "Enter") {
      event.preventDefault();
      // Enter before the candidates arrive takes the best of them on arrival.
      if (pickerLoading) chooseOnLoad = true;
      else choose(options().find((o) => o.getAttribute("aria-selected") === "true"));
    } else if (event.key === "Escape") { event.preventDefault(); closePicker(); }
  });
  pickerResults.addEventListener("click", (event) => choose(event.target.closest("[role=option]")));

  // ---- Quote and mention editors ---------------------------------------------

  function setSpeakerMode(on) {
    speakerMode = on;
    modeBanner.hidden = !on;
    document.body.classList.toggle("picking-speaker", on);
  }

  document.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]");
    const quoteId = openQuote();
    if (action) {
      const name = action.dataset.action;
      if (name === "pick-speaker") setSpeakerMode(true);
      if (name === "search-speaker") {
        openPicker({
          kind: "PERSON", text: "", title: "Who said it?",
          onChoose: (entity) => post(`quotes/${quoteId}/`, entity),
          near: action.getBoundingClientRect(),
        });
      }
      if (name === "set-cue" || name === "add-part") useSelectionFor(name);
      if (name === "close-editor") document.getElementById("editor").replaceChildren();
      if (name === "next-suggestion") {
        const first = highlights().find((m) => m.classList.contains("suggested"));
        if (first) goTo(first);
      }
      if (name === "relink") {
        const spanId = action.dataset.span;
        openPicker({
          kind: action.dataset.kind, text: action.dataset.exact,
          title: `Which entity is “${action.dataset.exact}”?`,
          onChoose: (entity) => post(`mentions/${spanId}/`, entity),
          near: action.getBoundingClientRect(),
        });
      }
      if (name === "move") {
        if (!selection) return showToast("Select the new words first, then press this again.");
        post(`spans/${action.dataset.span}/move/`, selectionValues());
        clearSelection();
      }
      return;
    }
    const markEl = event.target.closest("#article-body mark[data-span]");
    if (!markEl || !window.getSelection().isCollapsed) return;
    if (speakerMode) {
      const refusal = whyNotSpeaker(markEl);
      if (refusal) return showToast(refusal);
      if (quoteId) post(`quotes/${quoteId}/`, { speaker_mention: markEl.dataset.span });
      setSpeakerMode(false);
      return;
    }
    if (markEl.classList.contains("suggested")) {
      focusMark(markEl);
      offerSuggestion(markEl);
    } else if (markEl.classList.contains("mine")) {
      if (markEl.dataset.quote) openEditor("quote", markEl.dataset.quote);
      else openEditor("mention", markEl.dataset.span);
    }
  });

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

  function useSelectionFor(what) {
    const quoteId = openQuote();
    if (!quoteId) return;
    if (!selection) {
      showToast(what === "set-cue"
        ? "Select the reporting verb (“said”, “told”) first."
        : "Select the quoted words first.");
      return;
    }
    post(`quotes/${quoteId}/${what === "set-cue" ? "cue" : "parts"}/`, selectionValues());
    clearSelection();
  }

  // ---- Selecting with the keyboard ----------------------------------------------
  // With the text (or a highlight in it) focused, arrows move a caret and
  // Shift+arrows extend the selection by words or lines: no caret browsing needed.

  const ARROWS = {
    ArrowRight: ["forward", "word"], ArrowLeft: ["backward", "word"],
    ArrowDown: ["forward", "line"], ArrowUp: ["backward", "line"],
  };

  document.addEventListener("keydown", (event) => {
    const area = document.getElementById("article-body");
    if (!ARROWS[event.key] || !area || !area.contains(event.target) || !picker.hidden) return;
    const sel = window.getSelection();
    if (!sel.rangeCount || !area.contains(sel.anchorNode)) {
      const start = event.target === area ? area.querySelector("[data-o]") : event.target;
      sel.collapse(start, 0);
    }
    altHeld = event.altKey;
    sel.modify(event.shiftKey ? "extend" : "move", ...ARROWS[event.key]);
    event.preventDefault();
  });

  // ---- Keys -------------------------------------------------------------------

  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea")) return;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
      // Straight to the server: the button may not be wired up by htmx yet.
      const undo = document.querySelector("#toast:not([hidden]) [data-undo]");
      if (undo) {
        event.preventDefault();
        htmx.ajax("POST", undo.dataset.undo, { target: "#workspace", swap: "outerHTML" });
      }
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    const key = event.key.toLowerCase();
    // A focused highlight of one's own: Enter opens it, Delete removes it.
    const focused = event.target.closest && event.target.closest("#article-body mark.mine");
    const suggestion = event.target.closest && event.target.closest("#article-body mark.suggested");
    if (suggestion && (key === "a" || key === "r")) {
      event.preventDefault();
      // Shift: every suggestion of this entity at once.
      decide(suggestion, key === "a" ? "accept" : "reject", event.shiftKey && alike(suggestion).length > 1);
      return;
    }
    if (focused && window.getSelection().isCollapsed) {
      if (key === "enter") {
        event.preventDefault();
        if (focused.dataset.quote) openEditor("quote", focused.dataset.quote);
        else openEditor("mention", focused.dataset.span);
        return;
      }
      if ((key === "delete" || key === "backspace") && editable()) {
        event.preventDefault();
        post(`spans/${focused.dataset.span}/delete/`, {});
        caretAt = Number(focused.closest("[data-o]").dataset.o);
        return;
      }
    }
    if (key === "escape") {
      if (!picker.hidden) closePicker();
      else if (speakerMode) setSpeakerMode(false);
      else clearSelection();
      return;
    }
    if (toolbar.hidden && picker.hidden) showToolbar(); // keys may beat the debounce
    if (!selection || toolbar.hidden) return;
    if (KEYS[key]) { event.preventDefault(); mark(KEYS[key]); }
    else if (key === "c" && openQuote()) { event.preventDefault(); useSelectionFor("set-cue"); }
    else if (key === "a" && openQuote()) { event.preventDefault(); useSelectionFor("add-part"); }
  });

  // ---- Messages -----------------------------------------------------------------

  function showToast(text) {
    const toast = document.getElementById("toast");
    toast.replaceChildren(Object.assign(document.createElement("span"), { textContent: text }));
    toast.hidden = false;
    armToast();
  }

  function armToast() {
    const toast = document.getElementById("toast");
    clearTimeout(toastTimer);
    if (toast && !toast.hidden) toastTimer = setTimeout(() => { toast.hidden = true; }, 10000);
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

  document.body.addEventListener("htmx:afterSwap", (event) => {
    // A history restore swaps without a target.
    const target = event.detail.target;
    if (target?.id === "workspace" || event.target.id === "workspace") {
      armToast();
      resumeSuggestions();
      refocus();
    }
    if (target?.id === "picker-results") moveChoice(0);
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
})();
