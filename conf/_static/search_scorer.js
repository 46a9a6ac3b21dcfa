/*
 * How the site's search ranks its results: Sphinx's `Scorer`, set by `html_search_scorer` in
 * conf/conf.py. Sphinx copies this file into _static/language_data.js, which the search page loads
 * after searchtools.js; `var` replaces the default `Scorer` that searchtools.js declared.
 *
 * Sphinx gives a page 15 when a query word is in any of its section titles and 5 when it is only in
 * the text. For "unit of work" a dozen pages have a section title with "units" in it, so they all tie
 * with the lesson on units of work, and the tie is broken alphabetically. This scorer ranks, in order:
 *
 *   1. a page whose own title holds every word of the query (the lesson on that topic);
 *   2. a glossary term or another index entry the query matches;
 *   3. an API name that is the query (`run_cycle`, `ConcurrencyConflict`);
 *   4. a section title the query covers;
 *
 * and leaves every other result with Sphinx's score. Words are compared as Sphinx's stemmer
 * reduces them, so "retry" finds "Idempotent operations and safe retries".
 * tests/browser/test_search_ranking.py checks the order in the built site.
 */
var Scorer = {
  score: (result) => {
    const [_docname, title, _anchor, _descr, score, _filename, kind] = result;
    const query = Scorer.currentQuery();
    if (query.stems.length === 0) return score;
    if (kind === "text" || (kind === "title" && !title.includes(" > "))) {
      const pageTitle = title.split(" > ")[0];
      if (Scorer.covers(pageTitle, query.stems)) return score + 1000;
    }
    if (kind === "index") return score + 500;
    if (kind === "object") {
      const name = title.toLowerCase();
      if (name === query.text || name.endsWith(`.${query.text}`)) return score + 300;
    }
    if (kind === "title") return score + 200;
    return score;
  },

  // The query of the search page (search.html?q=...), lower-cased, and its stemmed words.
  currentQuery: () => {
    const text = (new URLSearchParams(window.location.search).get("q") || "").toLowerCase().trim();
    if (Scorer._query === null || Scorer._query.text !== text) {
      Scorer._query = { text, stems: [...Scorer.stemsOf(text, true)] };
    }
    return Scorer._query;
  },
  _query: null,

  // The stemmed words of a text, as Sphinx's search index stores them.
  stemsOf: (text, skipStopwords) => {
    const stemmer = new Stemmer();
    const stems = new Set();
    for (const word of splitQuery(text.toLowerCase())) {
      if (skipStopwords && (stopwords.has(word) || /^\d+$/.test(word))) continue;
      stems.add(stemmer.stemWord(word));
    }
    return stems;
  },

  covers: (text, stems) => {
    const found = Scorer.stemsOf(text, false);
    return stems.every((stem) => found.has(stem));
  },

  // Sphinx 9's defaults, unchanged: they score object, title and full-text matches before
  // score() above adjusts the total.
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
