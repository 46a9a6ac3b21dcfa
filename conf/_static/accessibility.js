/* Keyboard access to code blocks and tables that scroll sideways.
 *
 * A long line in a code block (or a wide table) scrolls inside its box. A mouse
 * or a touch screen can scroll it; a keyboard can only if the box can take the
 * focus (WCAG 2.1.1; axe: scrollable-region-focusable). Firefox and recent
 * Chromium let the keyboard reach such a box on their own, other browsers do
 * not. Neither Sphinx nor furo marks it (pydata-sphinx-theme does, for the same
 * reason: pydata/pydata-sphinx-theme#1100 and PR #1777), so this
 * script gives each box that actually overflows a tab stop (tabindex="0", with
 * the focus ring in accessibility.css), and takes it away again when a wider
 * window makes the box fit: a box that does not scroll is not a tab stop.
 * Added to every page by conf/_ext/accessibility.py, deferred.
 */
(() => {
  "use strict";
  const SCROLLERS = "article pre, article .table-wrapper";
  const MARK = "data-scroll-tabstop"; // a tab stop this script added

  const update = (box) => {
    const overflows =
      box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
    if (overflows && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute(MARK, "");
    } else if (!overflows && box.hasAttribute(MARK)) {
      box.removeAttribute("tabindex");
      box.removeAttribute(MARK);
    }
  };

  const boxes = document.querySelectorAll(SCROLLERS);
  boxes.forEach(update); // now, so the page is right as soon as it has loaded
  if ("ResizeObserver" in window) {
    const observer = new ResizeObserver((entries) => {
      entries.forEach((entry) => update(entry.target));
    });
    boxes.forEach((box) => observer.observe(box));
  }
})();
