/* Refuge's own progressive enhancements. Every page works without this file.
 *
 * Country picker: each <select data-country-picker> gets a search box before it. Typing filters
 * the list by every name an option carries in data-terms (English, Russian, Korean, short names
 * such as "КНДР" or "북한", the ISO code) and selects the best match; a polite live region says
 * how many countries match and which one is chosen. The <select> stays the form's field, so the
 * keyboard, screen readers and the server see an ordinary select.
 */
(function () {
  "use strict";

  function fold(text) {
    return text
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .normalize("NFKC")
      .replace(/ё/g, "е")
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  }

  function rank(option, query) {
    var terms = (option.getAttribute("data-terms") || "").split("|");
    var best = -1;
    terms.forEach(function (term) {
      var r = -1;
      if (term === query) r = 3;
      else if (term.indexOf(query) === 0 || term.split(" ").some(function (w) { return w.indexOf(query) === 0; })) r = 2;
      else if (term.indexOf(query) !== -1) r = 1;
      if (r > best) best = r;
    });
    return best;
  }

  function enhanceCountry(select) {
    if (select.dataset.enhanced) return;
    select.dataset.enhanced = "1";
    var id = select.id || "country-" + Math.random().toString(36).slice(2);
    select.id = id;
    var label = document.querySelector('label[for="' + id + '"]');
    var wrap = document.createElement("div");
    wrap.className = "country-search";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id + "-search";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("aria-controls", id);
    input.setAttribute("aria-label", "Search " + (label ? label.textContent.trim() : "country") + " by name");
    input.placeholder = "Search: Korea, КНДР, 북한…";
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    wrap.appendChild(input);
    wrap.appendChild(status);
    select.parentNode.insertBefore(wrap, select);

    input.addEventListener("input", function () {
      var query = fold(input.value);
      var best = null;
      var bestRank = -1;
      var count = 0;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { option.hidden = false; return; }
        var r = query ? rank(option, query) : 0;
        option.hidden = r < 0;
        if (r >= 0) count += 1;
        if (query && r > bestRank) { best = option; bestRank = r; }
      });
      if (!query) { status.textContent = ""; return; }
      if (best) {
        select.value = best.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        status.textContent = count + (count === 1 ? " country matches: " : " countries match; chosen: ") + best.textContent;
      } else {
        status.textContent = "No country matches.";
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
      if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
    });
  }

  function enhance(root) {
    root.querySelectorAll("select[data-country-picker]").forEach(enhanceCountry);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
