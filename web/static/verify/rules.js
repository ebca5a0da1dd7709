// Pakta: the registry's lifecycle rules, interpreted from the table the registry exports
// (rules.json, generated from registry/rules by registry/rules/export.py; never edited by
// hand). interpret(table, changes, today) takes a unit's lifecycle changes (their stored
// JSON, in log order) and gives what the registry derives from them: status, stages, target,
// plan, predicate, every status transition, each plan item's due date and state, and (given
// today, YYYY-MM-DD) the items overdue that day with their days late. A cross-language test (tests/registry/rules/
// test_rules_crosslang.py) runs this file in node and the Python rules on the same vectors
// and requires identical output.

import { micros } from './common.js';
import { awardWarnings } from './awards.js';

export { awardChains, windowChains } from './awards.js';

function stage(c) {
  var s = { on: c.on, by: c.by, index: c.index };
  if (c.logged_on) s.logged_on = c.logged_on; // the day the log received a declaration
  return s;
}

function setPlan(plan, items, update) {
  var out = Object.assign({}, plan);
  Object.keys(items || {}).forEach(function (item) {
    out[item] = update(out[item], items[item], item);
  });
  return out;
}

function applyFields(lc, c) {
  switch (c.op) {
    case 'declared':
      lc.declared = lc.declared || stage(c);
      if (c.whole) lc.designated = lc.designated || stage(c);
      lc.target = c.target;
      break;
    case 'designated':
      lc.designated = stage(c);
      break;
    case 'building': {
      var plan = setPlan(lc.plan, c.add, function (_, due) {
        return { due: due, cancelled: false, done: false };
      });
      plan = setPlan(plan, c.redate, function (p, due, item) {
        if (!p) throw new Error('re-dated item ' + item + ' was never added');
        return Object.assign({}, p, { due: due });
      });
      (c.cancel || []).forEach(function (item) {
        if (!plan[item]) throw new Error('cancelled item ' + item + ' was never added');
        plan[item] = Object.assign({}, plan[item], { cancelled: true });
      });
      (c.done || []).forEach(function (item) {
        if (!plan[item]) throw new Error('item ' + item + ' done but never added');
        plan[item] = Object.assign({}, plan[item], { done: true });
      });
      lc.plan = plan;
      break;
    }
    case 'awarded':
      lc.predicate = { predicate: c.predicate, year: c.year, on: c.on, by: c.by };
      break;
    default:
      break;
  }
}

function fresh() {
  return { status: null, declared: null, designated: null, target: null, plan: {}, predicate: null };
}

// The changes applied in order; a quarantine (a compromise revocation) computes the lifecycle
// again from the changes it kept (all so far but those of the voided entries).
function run(table, changes) {
  var lc = fresh();
  var transitions = [];
  changes.forEach(function (c) {
    var rule = table.ops[c.op];
    if (!rule) throw new Error('unknown lifecycle change ' + c.op);
    if (c.op === 'quarantined') {
      var again = run(table, c.kept).lc;
      if (again.status !== null && again.status !== lc.status) {
        transitions.push({ step: again.status, on: c.on, index: c.index });
      }
      lc = again;
      return;
    }
    applyFields(lc, c);
    rule.clears.forEach(function (part) {
      if (part === 'predicate') lc.predicate = null;
    });
    var step = rule.step || (rule.step_from ? String(c[rule.step_from]).toLowerCase() : null);
    if (step === null) return;
    var row = table.next_status[lc.status || ''] || {};
    var next = Object.prototype.hasOwnProperty.call(row, step) ? row[step] : step;
    if (next !== lc.status) {
      transitions.push({ step: next, on: c.on, index: c.index });
      lc.status = next;
    }
  });
  return { lc: lc, transitions: transitions };
}

function day(s) {
  var m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(s);
  if (!m) throw new Error('not a date: ' + s);
  var t = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  var d = new Date(t);
  if (d.getUTCDate() !== +m[3] || d.getUTCMonth() !== +m[2] - 1) throw new Error('not a date: ' + s);
  return t / 86400000;
}

// Each item's state from its flags, and the items overdue on `today` (table.plan).
function items(table, plan, today) {
  var out = {}, late = [];
  Object.keys(plan).forEach(function (item) {
    var p = plan[item];
    var state = table.plan.state[(p.cancelled ? '1' : '0') + (p.done ? '1' : '0')];
    out[item] = { due: p.due, state: state };
    if (today === undefined || table.plan.overdue_states.indexOf(state) < 0) return;
    var days = day(today) - day(p.due);
    if (days > 0 || (days === 0 && table.plan.overdue_on_due_day)) late.push({ item: item, due: p.due, days: days });
  });
  late.sort(function (a, b) { return a.item < b.item ? -1 : a.item > b.item ? 1 : 0; });
  return { items: out, overdue: late };
}

// The latest transition to each step of the path and each outcome (the page's stage dates).
function stages(table, transitions) {
  var latest = {}, out = {};
  transitions.forEach(function (t) { latest[t.step] = { on: t.on, index: t.index }; });
  table.path.concat(table.outcomes).forEach(function (s) { if (latest[s]) out[s] = latest[s]; });
  return out;
}

export function interpret(table, changes, today) {
  if (!table || table.format !== 'pakta-rules/1') throw new Error('not a Pakta rules table');
  var done = run(table, changes);
  var lc = done.lc;
  var plan = items(table, lc.plan, today);
  return {
    items: plan.items,
    overdue: plan.overdue,
    status: lc.status,
    declared: lc.declared,
    designated: lc.designated,
    target: lc.target,
    plan: lc.plan,
    predicate: lc.predicate,
    transitions: done.transitions,
    stages: stages(table, done.transitions),
  };
}

// -- statements to changes (table.statements, table.voids: registry/rules/derive.py) ---------

function walk(value, path) {
  path.forEach(function (key) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) {
      throw new Error('no ' + key + ' in the statement');
    }
    value = value[key];
  });
  return value;
}
function has(e, k) { return Object.prototype.hasOwnProperty.call(e, k); }
function truthy(v) {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return !!v;
}
function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

function evaluate(e, st, item) {
  if (has(e, 'body')) {
    if (has(e, 'default')) {
      var v = st.body;
      for (var i = 0; i < e.body.length; i++) {
        if (v === null || typeof v !== 'object' || Array.isArray(v) || !has(v, e.body[i])) return e.default;
        v = v[e.body[i]];
      }
      return v;
    }
    return walk(st.body, e.body);
  }
  if (has(e, 'item')) return walk(item, e.item);
  if (has(e, 'statement')) return { agency: st.agency, seq: st.seq, hash: st.hash }[e.statement];
  if (has(e, 'const')) return e.const;
  if (has(e, 'list')) return e.list.map(function (x) { return evaluate(x, st, item); });
  if (has(e, 'object')) {
    var o = {};
    Object.keys(e.object).forEach(function (k) { o[k] = evaluate(e.object[k], st, item); });
    return o;
  }
  if (has(e, 'map')) {
    var m = {};
    evaluate(e.map, st, item).forEach(function (x) { m[walk(x, e.key)] = walk(x, e.value); });
    return m;
  }
  if (has(e, 'pluck')) {
    var values = evaluate(e.pluck, st, item).map(function (x) { return walk(x, e.path); });
    return e.skip_empty ? values.filter(truthy) : values;
  }
  if (has(e, 'if')) return evaluate(truthy(evaluate(e.if, st, item)) ? e.then : e.else, st, item);
  if (has(e, 'eq')) return same(evaluate(e.eq[0], st, item), evaluate(e.eq[1], st, item));
  if (has(e, 'in')) {
    var a = evaluate(e.in[0], st, item);
    return evaluate(e.in[1], st, item).some(function (b) { return same(a, b); });
  }
  if (has(e, 'and')) return e.and.every(function (x) { return truthy(evaluate(x, st, item)); });
  if (has(e, 'not')) return !truthy(evaluate(e.not, st, item));
  if (has(e, 'not_empty')) return truthy(evaluate(e.not_empty, st, item));
  throw new Error('unknown expression ' + Object.keys(e).join(','));
}

// The calendar day of an RFC 3339 moment in the offset of another (`issued_at`).
function dayIn(moment, like) {
  var m = /(Z|([+-])(\d\d):(\d\d))$/.exec(like);
  var off = !m || m[1] === 'Z' ? 0 : (m[2] === '+' ? 1 : -1) * (+m[3] * 60 + +m[4]) * 60000;
  return new Date(Math.floor(micros(moment) / 1000) + off).toISOString().slice(0, 10);
}

// The changes the registry makes of one entry ({index, statement, hash, received_at}), with
// the agency each is for (`to`), in the stored JSON form (registry/rules/export.py
// statement_changes). A type whose changes the table does not describe cannot be derived.
export function changesOf(table, entry) {
  var st = Object.assign({}, entry.statement, { hash: entry.hash });
  var rules = table.statements[st.type];
  if (rules === undefined || rules === null) throw new Error('the rules table cannot derive the changes of ' + st.type);
  var out = [];
  rules.forEach(function (rule) {
    var items = rule.each ? evaluate(rule.each, st) : [null];
    items.forEach(function (item) {
      if (rule.when && !truthy(evaluate(rule.when, st, item))) return;
      var op = table.ops[rule.op];
      var c = { to: evaluate(rule.to, st, item), op: rule.op, index: entry.index };
      Object.keys(rule.fields).forEach(function (k) { c[k] = evaluate(rule.fields[k], st, item); });
      op.optional.forEach(function (k) { if (c[k] === null || c[k] === undefined) delete c[k]; });
      if (op.logged_on) c.logged_on = dayIn(entry.received_at, st.issued_at);
      out.push(c);
    });
  });
  return out;
}

// A unit's lifecycle changes, in log order, from its complete verified chain: each entry's
// changes for the unit (an agency's own statements first register it; before that, others'
// statements change nothing), and where a revocation voids entries (table.voids) that only
// the revoked key signed, a quarantine keeping every change so far but theirs. Each chain
// entry carries its verified signatures ([{keyid, owner, at}], at in microseconds) and, for
// a revocation, the revoking agency's keys just before it ({keyid: {from, revoked}}).
export function unitChanges(table, unit, chain) {
  var out = [], registered = false, touched = {}, voided = {};
  chain.forEach(function (e) {
    var st = e.statement, own = st.agency === unit;
    if (!own && !registered) return;
    registered = true;
    var mine = changesOf(table, e).filter(function (c) { return c.to === unit; }).map(function (c) {
      var copy = Object.assign({}, c);
      delete copy.to;
      return copy;
    });
    if (mine.length) touched[e.index] = true;
    out = out.concat(mine);
    var voids = table.voids[st.type];
    if (!voids) return;
    var keyid = evaluate(voids.keyid, st), start = micros(evaluate(voids.effective_from, st));
    var keys = e.keysBefore || {};
    var dropped = chain.filter(function (x) {
      if (x.index >= e.index) return false;
      var byKey = x.signatures.some(function (s) { return s.keyid === keyid && s.owner === st.agency && s.at >= start; });
      var other = x.signatures.some(function (s) {
        var k = keys[s.keyid];
        return s.keyid !== keyid && k && k.from <= s.at && (k.revoked === null || s.at < k.revoked);
      });
      return byKey && !other;
    }).map(function (x) { return x.index; });
    if (!dropped.length || !(own || dropped.some(function (i) { return touched[i]; }))) return;
    dropped.forEach(function (i) { voided[i] = true; });
    var kept = out.filter(function (c) { return c.op !== 'quarantined' && !voided[c.index]; });
    out.push({ op: 'quarantined', index: e.index, on: st.issued_at.slice(0, 10), voided: dropped, kept: kept });
  });
  return out;
}

function daysBetween(from, to) { return Math.round((Date.parse(to) - Date.parse(from)) / 86400000); }

// The warnings a unit page lists that verified chains prove (table.warnings.checked), as
// {code, index} (and the proposal and award warnings' `facts`, the figures of their detail
// lines, as the registry stores them), from the verified entries and the unit's changes (unitChanges, for the
// entries a compromise voided): late posting and a back-dated fact on the unit's own
// statements, a count under its share (the pact's signatories), and each voided entry
// signed by the revoked key, and each declaration no attestation in the chain names (as of
// today), and the proposal and award warnings (awards.js: `others` are the verified chains
// of the units the unit's own awards name, rules.awardChains). A voided entry keeps only the
// revoked-key warning (the registry drops its own). Thresholds, fields and comparisons are
// the table's (export_warnings.py, export_awards.py).
export function warningsOf(table, unit, chain, changes, others) {
  var w = table.warnings, out = [], voided = {};
  changes.forEach(function (c) { if (c.op === 'quarantined') c.voided.forEach(function (i) { voided[i] = true; }); });
  var un = w.unwitnessed, attested = {};
  chain.forEach(function (e) {
    var by = un.attestations[e.statement.type];
    if (by) attested[JSON.stringify([walk(e.statement.body, by.agency), walk(e.statement.body, by.hash)])] = true;
  });
  chain.forEach(function (e) {
    var st = e.statement;
    if (st.agency !== unit) return;
    // Today's: a declaration nobody attested (its entry's own warnings may be voided).
    if (un.declarations.indexOf(st.type) >= 0 && !attested[JSON.stringify([unit, e.hash])]) out.push({ code: un.code, index: e.index });
    if (voided[e.index]) { out.push({ code: w.revoked_key, index: e.index }); return; }
    var late = micros(e.received_at) - micros(st.issued_at) > w.late.days * 86400 * 1e6;
    if (late) out.push({ code: w.late.code, index: e.index });
    var field = w.backdated.fact_date[st.type];
    if (!late && field && typeof st.body[field] === 'string' && daysBetween(st.body[field], dayIn(e.received_at, st.issued_at)) > w.backdated.days) {
      out.push({ code: w.backdated.code, index: e.index });
    }
    w.share.forEach(function (r) {
      if (r.type === st.type && st.body[r.part] * r.times < st.body[r.whole]) out.push({ code: r.code, index: e.index });
    });
  });
  awardWarnings(table, unit, chain, others, voided).forEach(function (x) { out.push({ code: x.code, index: x.index, facts: x.facts }); });
  return out.sort(function (a, b) { return a.index - b.index || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0); });
}
