// Pakta: what a unit page claims, read from the page itself, compared with what the rules
// derive from the verified chain (rules.js). Each claim is an element the page shows,
// marked with data-claim (templates/pages/agency.html): the status badge, the target, the
// declaration date, each stage date of the path and the outcome, the action plan's counts
// and its date, for every item its due date, its state and its days late, and for the
// overdue-item warning and each warning the chain proves (rules.js warningsOf) its shown
// count and the entries listed under it: inline, or in its complete list when the page lists
// only the newest (`complete`, read by warning-lists.js), and for the proposal and award
// warnings each entry's figures (compareFigures: its data-facts and its words). A date is
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

export function compareClaims(doc, table, derived, proven, complete, words) {
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
  compareWarnings(doc, table, derived, complete || {}, words, differs);
  return out;
}
function indexes(list) { return list.length ? '#' + list.join(' #') : '—'; }
function ascending(a, b) { return a - b; }

// The entry indexes a list of warnings shows (its <li>s, each linking its entry).
export function listedEntries(root) {
  return root ? Array.prototype.map.call(root.querySelectorAll('li'), linkedIndex) : [];
}
// The facts each of those <li>s carries (data-facts, the figures of its detail line: the
// proposal and award warnings, web/warning_words.py FIGURED), canonical; null for none.
export function listedFacts(root) {
  return root ? Array.prototype.map.call(root.querySelectorAll('li'), function (li) {
    if (!li.hasAttribute('data-facts')) return null;
    try { return canonical(JSON.parse(li.getAttribute('data-facts'))); } catch (e) { return 'invalid'; }
  }) : [];
}
// JSON with sorted keys: the same facts give the same text whatever their order.
function canonical(v) {
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v && typeof v === 'object') {
    return '{' + Object.keys(v).sort().map(function (k) { return JSON.stringify(k) + ':' + canonical(v[k]); }).join(',') + '}';
  }
  return JSON.stringify(v === undefined ? null : v);
}

// The figures of a warning's facts its words must show, in the page's words (`words`:
// summaries.json's language): each gap's value and requirement in order, the counts, years
// and entry numbers, and the dates as the page's language writes a day in full (long_date,
// web.warning_words readable_date: "15 April 2022", "April 15, 2022").
function figures(facts, words) {
  var out = { dates: [], gaps: [], numbers: [] };
  Object.keys(facts).sort().forEach(function (k) {
    var v = facts[k];
    if (k === 'gaps' && Array.isArray(v)) {
      v.forEach(function (g) { out.gaps.push(String(g[1]), String(g[2])); });
    } else if (typeof v === 'number') {
      out.numbers.push(String(v));
    } else if (typeof v === 'string' && /^\d{4}-\d\d-\d\d$/.test(v)) {
      out.dates.push(words.long_date.replace('{day}', +v.slice(8)).replace('{month}', words.months[+v.slice(5, 7) - 1]).replace('{year}', +v.slice(0, 4)));
    }
  });
  return out;
}
function escaped(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }
// The first figure the words after the entry's type (`text`) do not show, or null: the
// dates first and the gaps in their order, each taken out of the text once found, then the
// numbers, each a whole token.
function unshown(text, facts, words) {
  var want = figures(facts, words), rest = text, at = 0, m;
  for (var i = 0; i < want.dates.length; i++) {
    var d = rest.indexOf(want.dates[i]);
    if (d < 0) return want.dates[i];
    rest = rest.slice(0, d) + ' ' + rest.slice(d + want.dates[i].length);
  }
  for (var j = 0; j < want.gaps.length; j++) {
    var token = new RegExp('(^|[^\\w.,])' + escaped(want.gaps[j]) + '(?![\\w.,]*\\w)');
    m = token.exec(rest.slice(at));
    if (!m) return want.gaps[j];
    var end = at + m.index + m[0].length;
    rest = rest.slice(0, at + m.index + m[1].length) + ' ' + rest.slice(end);
    at = at + m.index + m[1].length + 1;
  }
  for (var k = 0; k < want.numbers.length; k++) {
    m = new RegExp('(^|[^\\w.,])' + escaped(want.numbers[k]) + '(?![\\w.,]*\\w)').exec(rest);
    if (!m) return want.numbers[k];
    rest = rest.slice(0, m.index + m[1].length) + ' ' + rest.slice(m.index + m[0].length);
  }
  return null;
}
// The words of a warning's entry after its number and statement type (" · ...").
function detailWords(li) {
  var t = text(li), dot = t.indexOf(' \u00b7 ');
  return dot < 0 ? '' : t.slice(dot + 3);
}
// What the page shows of one kind of warning (<li id="warn-CODE">): its count line's number,
// the entries listed inline (the newest, or all) and the link to its complete list.
function shownWarning(doc, code) {
  var el = doc.getElementById('warn-' + code);
  if (!el) return null;
  var count = el.querySelector('[data-claim="warning-count"]');
  var all = el.querySelector('a[data-claim="warning-list"]');
  var badge = el.querySelector('.badge');
  var ul = el.querySelector('details ul');
  return {
    el: el, countEl: count, count: count ? number(count) : NaN, title: badge ? text(badge) : code,
    listed: listedEntries(ul), facts: listedFacts(ul), items: ul ? Array.prototype.slice.call(ul.querySelectorAll('li')) : [],
    href: all ? all.getAttribute('href') : null,
  };
}
function comparedKinds(table) {
  return [table.plan.overdue_warning].concat((table.warnings.checked || []).filter(function (c) { return c !== table.plan.overdue_warning; }));
}
// The kinds the page lists only in part (its count above the entries shown inline), whose
// complete lists must be read (warning-lists.js) to compare every entry: [{code, href, count}].
export function longLists(doc, table) {
  return comparedKinds(table).map(function (code) { return [code, shownWarning(doc, code)]; }).filter(function (p) {
    return p[1] && p[1].href && p[1].count > p[1].listed.length;
  }).map(function (p) { return { code: p[0], href: p[1].href, count: p[1].count }; });
}
// The warnings the chain proves, compared with the page: for each kind the rules derive
// (table.warnings.checked) its shown count and the entries it lists, no more and no fewer;
// for the overdue items' warning its count and how many entries it lists. A kind the page
// lists only in part is compared by its complete list (`complete[code]`, null when it could
// not be read), and the entries it lists inline must be the newest; a kind the chain proves
// but the page leaves out differs too.
function compareWarnings(doc, table, derived, complete, words, differs) {
  var badge = doc.querySelector('section.status .badge');
  var overdue = table.plan.overdue_warning;
  comparedKinds(table).forEach(function (code) {
    var shown = shownWarning(doc, code);
    var want = code === overdue
      ? derived.overdue
      : derived.warnings.filter(function (w) { return w.code === code; }).map(function (w) { return w.index; });
    var what = code === overdue ? say('claim-warning-overdue') : say('claim-warning') + ' ' + (shown ? shown.title : code);
    if (!shown) {
      if (want.length) differs(code === overdue ? doc.querySelector('[data-claim="plan"]') || badge : badge, what, code === overdue ? 0 : '—', code === overdue ? want.length : indexes(want));
      return;
    }
    var read = complete[code];
    var listed = read ? read.entries : shown.listed;
    if (shown.count !== want.length) differs(shown.countEl || shown.el, say('claim-warning-count') + ' ' + shown.title, shown.countEl ? shown.count : null, want.length);
    if (code === overdue) {
      if (listed.length !== want.length) differs(shown.el, what, listed.length, want.length);
      return;
    }
    listed = listed.slice().sort(ascending);
    if (listed.join() !== want.join()) differs(shown.el, what, indexes(listed), indexes(want));
    // Those listed inline, when the complete list was read: its newest.
    var inline = shown.listed.slice().sort(ascending), newest = want.slice(want.length - inline.length);
    if (complete[code] && inline.join() !== newest.join()) differs(shown.el, what, indexes(inline), indexes(newest));
    compareFigures(shown, read, derived.warnings.filter(function (w) { return w.code === code; }), what, words, differs);
  });
}

// A kind whose warnings carry facts (the proposal and award warnings): each entry's facts on
// the page (data-facts, inline and in its complete list) are those the chain proves, entry by
// entry (one entry may carry two: a proposal of two units), and the words of each entry
// listed inline show its figures. A difference is highlighted on the entry when it is listed
// inline, else on the kind.
function compareFigures(shown, read, want, what, words, differs) {
  if (!want.some(function (w) { return w.facts; })) return;
  var entries = read ? read.entries : shown.listed, facts = read ? read.facts : shown.facts;
  var proven = {};
  want.forEach(function (w) { var k = w.index + ' ' + canonical(w.facts || null); proven[k] = (proven[k] || 0) + 1; });
  var inline = {};
  shown.items.forEach(function (li, i) { inline[shown.listed[i] + ' ' + shown.facts[i]] = li; });
  entries.forEach(function (index, i) {
    var k = index + ' ' + facts[i];
    if (proven[k]) { proven[k]--; return; }
    var match = want.filter(function (w) { return w.index === index; });
    differs(inline[k] || shown.el, what + ' #' + index, facts[i], match.length ? match.map(function (w) { return canonical(w.facts || null); }).join(' ') : null);
  });
  shown.items.forEach(function (li, i) {
    if (!shown.facts[i] || shown.facts[i] === 'invalid') return;
    var missing = unshown(detailWords(li), JSON.parse(li.getAttribute('data-facts')), words);
    if (missing !== null) differs(li, what + ' #' + shown.listed[i], detailWords(li), missing);
  });
}
