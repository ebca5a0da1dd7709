// Pakta: the registry's lifecycle rules, interpreted from the table the registry exports
// (rules.json, generated from registry/rules by registry/rules/export.py; never edited by
// hand). interpret(table, changes) takes a unit's lifecycle changes (their stored JSON, in
// log order) and gives what the registry derives from them: status, stages, target, plan,
// predicate and every status transition. A cross-language test (tests/registry/rules/
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

export function interpret(table, changes) {
  if (!table || table.format !== 'pakta-rules/1') throw new Error('not a Pakta rules table');
  var done = run(table, changes);
  var lc = done.lc;
  return {
    status: lc.status,
    declared: lc.declared,
    designated: lc.designated,
    target: lc.target,
    plan: lc.plan,
    predicate: lc.predicate,
    transitions: done.transitions,
  };
}
