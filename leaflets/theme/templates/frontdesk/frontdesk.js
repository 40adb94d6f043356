// The front desk page's search box: filters the leaflet cards as you type, by any word of
// the language's name (native or English) or the leaflet's title in that language.
// Plain ES5-level code with no dependencies; works from file://.
"use strict";
(function () {
  var form = document.getElementById("search");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var empty = document.getElementById("no-match");
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card[data-search]"));
  var sections = Array.prototype.slice.call(document.querySelectorAll(".leaflet"));

  // the page writes data-search in NFC; typed text may be decomposed (e.g. some keyboards)
  function fold(text) {
    return text.normalize("NFC").toLowerCase();
  }

  var keys = cards.map(function (card) { return fold(card.getAttribute("data-search")); });

  // each card's section, found once: a search then touches only what changes, so a page
  // of a thousand cards filters as fast as one of ten
  var owner = cards.map(function (card) { return sections.indexOf(card.closest(".leaflet")); });

  function filter() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    var perSection = sections.map(function () { return 0; });
    cards.forEach(function (card, i) {
      var match = words.every(function (word) { return keys[i].indexOf(word) !== -1; });
      if (card.hidden === match) card.hidden = !match;
      if (match) {
        shown += 1;
        if (owner[i] >= 0) perSection[owner[i]] += 1;
      }
    });
    sections.forEach(function (section, i) {
      var hide = perSection[i] === 0;
      if (section.hidden !== hide) section.hidden = hide;
    });
    empty.hidden = shown !== 0;
    status.textContent = words.length
      ? "Showing " + shown + " of " + cards.length
      : "";
  }

  form.addEventListener("submit", function (event) {
    // Enter jumps to the first match, so the keyboard alone gets to a leaflet fast
    event.preventDefault();
    var first = document.querySelector(".card:not([hidden]) a.open");
    if (first) first.focus();
  });
  input.addEventListener("input", filter);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      input.value = "";
      filter();
    }
  });
  form.hidden = false;
  filter();
})();
