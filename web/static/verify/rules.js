// Pakta: the registry's lifecycle rules, interpreted from the table the registry exports
// (rules.json, generated from registry/rules by registry/rules/export.py; never edited by
// hand). interpret(table, changes, today) takes a unit's lifecycle changes (their stored
// JSON, in log order) and gives what the registry derives from them: status, stages, target,
// plan, predicate, every status transition, each plan item's due date and state, and (given
// today, YYYY-MM-DD) the items overdue that day with their days late. A cross-language test (tests/registry/rules/
// test_rules_crosslang.py) runs this file in node and the Python rules on the same vectors
// and requires identical output.

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
      lc.predicate = { predicate: c.predicate, on: c.on, by: c.by };
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
