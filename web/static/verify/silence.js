// Pakta: provable silence (docs/provable-silence.md). An overdue badge on a unit page claims
// that the unit has not reported an action-plan item done. Once "Verify this page" has
// verified the checkpoint (and its witnesses' cosignatures), the unit's complete chain at
// that checkpoint (map proof, chain links, signatures) and recomputed the plan from it with
// the registry's rules, silenceProof decides the badge's claim:
//   as of T, witnessed by W, the complete chain at checkpoint N holds no report that item X
//   is done, and X was due D < T.
// T is the time by which a quorum of the pinned witnesses had cosigned the checkpoint: the
// quorum-th earliest of their cosignature/v1 timestamps. With no witnesses required, there
// is no T anyone but the registry vouches for: the day is the page's (or this browser's),
// and the proof says so.

function pad(n) { return (n < 10 ? '0' : '') + n; }
function utc(seconds) {
  var d = new Date(seconds * 1000);
  return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ' UTC';
}
function days(iso) { return Date.parse(iso + 'T00:00:00Z') / 86400000; }
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, function (_, k) { return Object.prototype.hasOwnProperty.call(values, k) ? values[k] : '{' + k + '}'; });
}

// witnessing: {quorum, times: [{name, time}]} of the verified cosignatures; shownDue: the
// due date the badge's row shows (ISO) or null; today: the day used without witnesses.
export function silenceProof(words, table, derived, item, shownDue, tree, witnessing, today) {
  var want = derived.items[item];
  if (!want) return { ok: false, text: fill(words.notInPlan, { item: item }) };
  if (table.plan.overdue_states.indexOf(want.state) < 0) return { ok: false, text: fill(words.closed, { item: item, state: want.state }) };
  if (shownDue !== want.due) return { ok: false, text: fill(words.otherDue, { item: item, shown: shownDue || '—', due: want.due }) };
  var asOf, day, values = { item: item, due: want.due, size: tree.size };
  if (witnessing.quorum > 0) {
    var times = witnessing.times.slice().sort(function (a, b) { return a.time - b.time; });
    var by = times.slice(0, witnessing.quorum);
    if (by.length < witnessing.quorum) return { ok: false, text: words.noQuorum };
    asOf = by[by.length - 1].time;
    day = new Date(asOf * 1000).toISOString().slice(0, 10);
    values.time = utc(asOf);
    values.witnesses = by.map(function (w) { return w.name; }).join(', ');
  } else {
    day = today;
    values.day = today;
  }
  var late = days(day) - days(want.due);
  if (late < 0 || (late === 0 && !table.plan.overdue_on_due_day)) {
    return { ok: false, text: fill(words.notYetDue, Object.assign({ day: day }, values)) };
  }
  values.days = late;
  return { ok: true, witnessed: witnessing.quorum > 0, asOf: asOf || null, text: fill(witnessing.quorum > 0 ? words.proven : words.unwitnessed, values) };
}
