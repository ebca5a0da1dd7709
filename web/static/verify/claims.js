// Pakta: what a unit page claims, read from the page itself, compared with what the rules
// derive from the verified chain (rules.js). Each claim is an element the page shows,
// marked with data-claim (templates/pages/agency.html): the status badge, the target, the
// declaration date, each stage date of the path and the outcome, the action plan's counts
// and its date, for every item its due date, its state and its days late, and the count of
// the overdue-item warning, and the entries listed under each warning the chain proves
// (rules.js warningsOf). A date is
// read from its <time datetime> and must also be the date its text shows (day and year).
// compareClaims returns every difference, each with the element that shows it, which the
// caller highlights; an empty list means the page says what the log proves.

import { say } from './common.js';

function status(code) { return code ? say('status-' + code) : null; }
function state(code) { return code ? say('state-' + code) : null; }

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

export function compareClaims(doc, table, derived, proven) {
  var out = [];
  function differs(el, what, shown, proven) {
    out.push({ el: el, what: what, shown: shown === null || shown === undefined ? '—' : String(shown), proven: proven === null || proven === undefined ? '—' : String(proven) });
  }
  var badge = doc.querySelector('section.status .badge');
  var shownStatus = badge && /status-([a-z_]+)/.exec(badge.className);
  if (!shownStatus || shownStatus[1] !== proven) differs(badge, say('claim-status'), status(shownStatus && shownStatus[1]), status(proven));

  var target = doc.querySelector('[data-claim="target"]');
  if ((target ? text(target) : null) !== (derived.target || null)) differs(target || badge, say('claim-target'), target && text(target), derived.target);
  var declared = doc.querySelector('[data-claim="declared"]');
  var on = derived.declared ? derived.declared.on : null;
  if (target && (declared ? shownDate(declared) : null) !== on) differs(declared || target, say('claim-declared'), declared && text(declared), on);

  doc.querySelectorAll('[data-claim="stage"]').forEach(function (li) {
    var step = li.dataset.stage, want = derived.stages[step] || null;
    var time = li.querySelector('time');
    var shown = time ? { on: shownDate(time), index: linkedIndex(li) } : null;
    if (JSON.stringify(shown) !== JSON.stringify(want)) {
      differs(li, status(step), shown && (shown.on + ' #' + shown.index), want && (want.on + ' #' + want.index));
    }
  });
  table.path.forEach(function (step) {
    if (derived.stages[step] && !doc.querySelector('[data-claim="stage"][data-stage="' + step + '"] time')) {
      differs(badge, status(step), null, derived.stages[step].on);
    }
  });

  var items = derived.items, names = Object.keys(items);
  var rows = doc.querySelectorAll('[data-claim="item"]');
  var seen = {}, voided = 0, lateDays = {};
  derived.overdue.forEach(function (o) { lateDays[o.item] = o.days; });
  rows.forEach(function (row) {
    var item = row.dataset.item, want = items[item];
    var stateEl = row.querySelector('[data-claim="state"]');
    var shownState = stateEl ? stateEl.dataset.state : null;
    if (shownState === 'voided' && !want) { voided++; return; }
    seen[item] = true;
    if (!want) { differs(row, item, state(shownState), null); return; }
    var due = row.querySelector('[data-claim="due"]');
    if (shownDate(due) !== want.due) differs(due || row, item + ' ' + say('claim-due'), due && text(due), want.due);
    if (shownState !== want.state) differs(stateEl || row, item + ' ' + say('claim-state'), stateEl && text(stateEl), state(want.state));
    var days = row.querySelector('[data-claim="days"]');
    var shownLate = days ? number(days) : null;
    var provenLate = Object.prototype.hasOwnProperty.call(lateDays, item) ? lateDays[item] : null;
    if (shownLate !== provenLate) differs(days || due || row, item + ' ' + say('claim-days'), shownLate, provenLate);
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
      if (!el || number(el) !== counts[k]) differs(el || plan, say('claim-' + k), el && text(el), counts[k]);
    });
  }
  // The warning each overdue item raises: as many as the rules find overdue.
  // (the entries the page lists under that warning).
  var warned = doc.getElementById('warn-' + table.plan.overdue_warning);
  var shownWarned = warned ? warned.querySelectorAll('details li').length : 0;
  if (shownWarned !== derived.overdue.length) differs(warned || plan || badge, say('claim-warning-overdue'), shownWarned, derived.overdue.length);
  // The warnings the chain proves (table.warnings.checked): each kind lists the entries the
  // rules raise it on, no more and no fewer.
  (table.warnings.checked || []).forEach(function (code) {
    var listed = doc.getElementById('warn-' + code);
    var shown = listed ? Array.prototype.map.call(listed.querySelectorAll('details li'), linkedIndex) : [];
    var want = derived.warnings.filter(function (w) { return w.code === code; }).map(function (w) { return w.index; });
    shown.sort(function (a, b) { return a - b; });
    if (shown.join() !== want.join()) {
      differs(listed || badge, say('claim-warning') + ' ' + (listed ? text(listed.querySelector('.badge')) : code), indexes(shown), indexes(want));
    }
  });
  return out;
}
function indexes(list) { return list.length ? '#' + list.join(' #') : '—'; }
