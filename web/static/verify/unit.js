// Pakta: the "Verify this page" buttons of a unit page (templates/pages/_verify_unit.html):
// the whole check (unit-check.js, common.js, rules.js, claims.js, warning-lists.js,
// silence.js) is loaded only when a reader presses one, so the page itself stays light. The
// section's button checks the page; an overdue badge's "Periksa bukti" checks the page and
// that badge's provable silence (docs/provable-silence.md). The outcome lands in the
// section's data-outcome, and a badge's in its row's data-silence.
function start() {
  var section = document.getElementById('verify-unit');
  var button = document.getElementById('verify-unit-button');
  if (!section || !button || !window.crypto || !crypto.subtle) return;
  var buttons = [button].concat(Array.prototype.slice.call(document.querySelectorAll('button.silence')));
  buttons.forEach(function (b) {
    b.hidden = false;
    b.addEventListener('click', function () {
      var row = b === button ? null : b.closest('[data-item]');
      if (row) delete row.querySelector('.silence-result').dataset.state;
      buttons.forEach(function (x) { x.disabled = true; });
      delete section.dataset.outcome;
      import('./unit-check.js').then(function (check) {
        return check.verifyUnit(section, row);
      }, function () {
        var summary = section.querySelector('.verify-summary');
        summary.dataset.state = 'unchecked';
        summary.textContent = section.dataset.someUnchecked;
        return 'unchecked';
      }).then(function (outcome) {
        section.dataset.outcome = outcome;
        if (row) row.dataset.silence = row.querySelector('.silence-result').dataset.state || outcome;
        buttons.forEach(function (x) { x.disabled = false; });
      });
    });
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
