// The article page: readers move through its highlights; reviewers also
// mark the selection, decide suggestions and edit their quotes and
// mentions. Loaded as a module (no build step); each part listens for what
// it handles.
import * as editors from "./editors.js";
import * as keys from "./keys.js";
import * as marks from "./marks.js";
import * as picker from "./picker.js";
import * as selection from "./selection.js";
import * as server from "./server.js";
import * as suggestions from "./suggestions.js";

// The article's text comes with the page only for reviewers.
const annotating = document.getElementById("article-text") !== null;

marks.listen({ annotating });
if (annotating) {
  server.listen();
  suggestions.listen();
  selection.listen();
  picker.listen();
  editors.listen();
  keys.listen();
}
