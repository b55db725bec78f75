/* claimscope report: layer toggles and the claim panel. Shared by the static report (inline,
   pinned by its sha256 in the page's CSP) and the web app (/static/report.js). No HTML is
   built from strings: the panel shows a copy of the verdict card the server rendered. */
(function () {
  'use strict';
  document.querySelectorAll('input[data-layer]').forEach(function (box) {
    box.addEventListener('change', function () {
      box.closest('.article').classList.toggle('hide-' + box.dataset.layer, !box.checked);
    });
  });
  function showClaim(mark) {
    var article = mark.closest('.article');
    var panel = article && article.querySelector('.claim-panel');
    var card = document.getElementById(mark.dataset.claim);
    if (!panel || !card) { return false; }
    var copy = card.cloneNode(true);
    copy.removeAttribute('id');
    copy.querySelectorAll('[id]').forEach(function (el) { el.removeAttribute('id'); });
    var wrap = document.createElement(copy.tagName === 'LI' ? 'ul' : 'div');
    wrap.className = 'panel-card';
    wrap.appendChild(copy);
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'close';
    close.setAttribute('aria-label', 'Close');
    close.textContent = '×';
    close.addEventListener('click', function () { panel.hidden = true; mark.focus(); });
    var head = document.createElement('h3');
    head.textContent = 'Claim';
    panel.replaceChildren(close, head, wrap);
    panel.hidden = false;
    panel.querySelectorAll('details').forEach(function (d) { d.open = true; });
    return true;
  }
  document.addEventListener('click', function (ev) {
    var mark = ev.target.closest && ev.target.closest('.v[data-claim]');
    if (mark && !ev.target.closest('a') && showClaim(mark)) { ev.preventDefault(); }
  });
  document.addEventListener('keydown', function (ev) {
    var mark = ev.target.closest && ev.target.closest('.v[data-claim]');
    if (mark && (ev.key === 'Enter' || ev.key === ' ') && showClaim(mark)) { ev.preventDefault(); }
  });
})();
