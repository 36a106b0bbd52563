// Progressive enhancement only (every page works without it): when a page comes
// back with an error summary, move focus to it, so a screen reader reads it first
// and a keyboard user starts from its links. Loaded with defer, from our origin.
"use strict";
(function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
