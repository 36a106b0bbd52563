// Progressive enhancement only: every page works without it. On a page with an
// error summary, focus moves to the summary (a screen reader reads it first); a
// link in it shows the whole question (legend or label) and focuses the field.
"use strict";
(function () {
  var summary = document.querySelector(".error-summary");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a");
    var field = link && document.getElementById(link.hash.slice(1));
    if (!field) {
      return;
    }
    var group = field.closest("fieldset");
    var question = group
      ? group.querySelector("legend")
      : document.querySelector('label[for="' + field.id + '"]');
    event.preventDefault();
    (question || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
