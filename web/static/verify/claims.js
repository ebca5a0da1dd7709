// Pakta: what a unit page claims, read from the page itself, compared with what the rules
// derive from the verified chain (rules.js). Each claim is an element the page shows,
// marked with data-claim (templates/pages/agency.html): the status badge, the target, the
// declaration date, each stage date of the path and the outcome, the action plan's counts
// and its date, and for every item its due date, its state and its days late. A date is
// read from its <time datetime> and must also be the date its text shows (day and year).
// compareClaims returns every difference, each with the element that shows it, which the
// caller highlights; an empty list means the page says what the log proves.

function text(el) { return (el.textContent || '').replace(/\s+/g, ' ').trim(); }
function number(el) { var m = /-?\d+/.exec(text(el)); return m ? +m[0] : NaN; }

// The ISO date an element shows, or null if its words are not that date.
export function shownDate(el) {
  if (!el) return null;
  var iso = el.getAttribute('datetime') || '';
  var m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(iso);
  if (!m) return null;
  var words = text(el);
  if (words.indexOf(m[1]) < 0 || !new RegExp('(^|\\D)' + (+m[3]) + '(\\D|$)').test(words.replace(m[1], ''))) return null;
  return iso;
}
function linkedIndex(li) {
  var a = li.querySelector('a[href]');
  var m = a ? /\/(\d+)(?:[?#].*)?$/.exec(a.getAttribute('href')) : null;
  return m ? +m[1] : null;
}

export function pageToday(doc) {
  var el = doc.querySelector('[data-claim="today"]');
  return el ? shownDate(el) || 'invalid' : null;
}

export function compareClaims(doc, table, derived, status) {
  var out = [];
  function differs(el, what, shown, proven) {
    out.push({ el: el, what: what, shown: shown === null || shown === undefined ? '—' : String(shown), proven: proven === null || proven === undefined ? '—' : String(proven) });
  }
  var badge = doc.querySelector('section.status .badge');
  var shownStatus = badge && /status-([a-z_]+)/.exec(badge.className);
  if (!shownStatus || shownStatus[1] !== status) differs(badge, 'status', shownStatus && shownStatus[1], status);

  var target = doc.querySelector('[data-claim="target"]');
  if ((target ? text(target) : null) !== (derived.target || null)) differs(target || badge, 'target', target && text(target), derived.target);
  var declared = doc.querySelector('[data-claim="declared"]');
  var proven = derived.declared ? derived.declared.on : null;
  if (target && (declared ? shownDate(declared) : null) !== proven) differs(declared || target, 'declared', declared && text(declared), proven);

  doc.querySelectorAll('[data-claim="stage"]').forEach(function (li) {
    var step = li.dataset.stage, want = derived.stages[step] || null;
    var time = li.querySelector('time');
    var shown = time ? { on: shownDate(time), index: linkedIndex(li) } : null;
    if (JSON.stringify(shown) !== JSON.stringify(want)) {
      differs(li, step, shown && (shown.on + ' #' + shown.index), want && (want.on + ' #' + want.index));
    }
  });
  table.path.forEach(function (step) {
    if (derived.stages[step] && !doc.querySelector('[data-claim="stage"][data-stage="' + step + '"] time')) {
      differs(badge, step, null, derived.stages[step].on);
    }
  });

  var items = derived.items, names = Object.keys(items);
  var rows = doc.querySelectorAll('[data-claim="item"]');
  var seen = {}, voided = 0, lateDays = {};
  derived.overdue.forEach(function (o) { lateDays[o.item] = o.days; });
  rows.forEach(function (row) {
    var item = row.dataset.item, want = items[item];
    var state = row.querySelector('[data-claim="state"]');
    var shownState = state ? state.dataset.state : null;
    if (shownState === 'voided' && !want) { voided++; return; }
    seen[item] = true;
    if (!want) { differs(row, item, shownState, null); return; }
    var due = row.querySelector('[data-claim="due"]');
    if (shownDate(due) !== want.due) differs(due || row, item, due && text(due), want.due);
    if (shownState !== want.state) differs(state || row, item, state && text(state), want.state);
    var days = row.querySelector('[data-claim="days"]');
    var shownLate = days ? number(days) : null;
    var provenLate = Object.prototype.hasOwnProperty.call(lateDays, item) ? lateDays[item] : null;
    if (shownLate !== provenLate) differs(days || due || row, item, shownLate, provenLate);
  });
  var plan = doc.querySelector('[data-claim="plan"]');
  names.forEach(function (item) { if (!seen[item]) differs(plan || badge, item, null, items[item].due); });
  if (plan) {
    var counts = {
      items: names.length + voided,
      done: names.filter(function (i) { return items[i].state === 'done'; }).length,
      overdue: derived.overdue.length,
    };
    Object.keys(counts).forEach(function (k) {
      var el = plan.querySelector('[data-claim="' + k + '"]');
      if (!el || number(el) !== counts[k]) differs(el || plan, k, el && text(el), counts[k]);
    });
  }
  return out;
}
