// Pakta: the proposal and award warnings a unit page lists, derived from verified subject
// chains with the rules exported as data (rules.json "warnings": award, proposal,
// regulations, shortfalls, prerequisites; registry/rules/export_awards.py, generated from
// registry/rules/warnings.py and events/regulations.py, never edited by hand):
//  prerequisites-missing  on a proposal, for each unit it names whose target's
//                         prerequisites the proposal's own figures miss (missing_prerequisites);
//  below-thresholds       on an award, when the awarded unit has no scores in the log before
//                         it, or its latest scores (TPN before TPI, the latest of each in log
//                         order, as Facts.latest_scores) fall short of the award's regulation
//                         (shortfalls);
//  deadline-missed        on the proposer's own proposal, submitted after the deadline of the
//                         year's first submission window before it, else after the
//                         regulation's default deadline (Facts.window);
//  over-quota             on the proposer's own proposal, when the units it proposed that year
//                         before (its own chain) plus this one's are over the first window's
//                         quota. The year's windows are the verified chain of the reserved
//                         subject "window:<year>" (rules.json "windows", export_windows.py).
// Scores are decimal strings; every sum and share is exact (BigInt scaled integers, as
// Python's Decimal), never a float. A cross-language test (tests/registry/rules/
// test_awards_crosslang.py) requires the same warnings, facts included, as the Python rules.

// -- exact decimals: {n: BigInt, scale} stands for n / 10^scale -------------------------------

function dec(s) {
  var m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(s));
  if (!m) throw new Error('not a decimal: ' + s);
  var n = BigInt(m[2] + (m[3] || ''));
  return { n: m[1] ? -n : n, scale: (m[3] || '').length };
}
function scaled(d, scale) { return d.n * 10n ** BigInt(scale - d.scale); }
function add(a, b) {
  var scale = Math.max(a.scale, b.scale);
  return { n: scaled(a, scale) + scaled(b, scale), scale: scale };
}
function less(a, b) {
  var scale = Math.max(a.scale, b.scale);
  return scaled(a, scale) < scaled(b, scale);
}
// `weight * percent / 100`, exact.
function share(weight, percent) { return { n: weight.n * percent.n, scale: weight.scale + percent.scale + 2 }; }
// Without trailing zeros after the point (Python's `f"{d.normalize():f}"`).
function normal(d) {
  while (d.scale > 0 && d.n % 10n === 0n) d = { n: d.n / 10n, scale: d.scale - 1 };
  return d;
}
// As Python's str(Decimal) of these (no exponent: two decimals at most, no huge values).
function text(d) {
  var digits = (d.n < 0n ? -d.n : d.n).toString();
  if (d.scale > 0) {
    digits = digits.padStart(d.scale + 1, '0');
    digits = digits.slice(0, digits.length - d.scale) + '.' + digits.slice(digits.length - d.scale);
  }
  return (d.n < 0n ? '-' : '') + digits;
}

// -- the two rules ---------------------------------------------------------------------------

function own(obj, key) { return obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, key); }
function at(value, path) {
  path.forEach(function (key) {
    if (!own(value, key)) throw new Error('no ' + key + ' in the statement');
    value = value[key];
  });
  return value;
}
// A body path that may be absent (Python's body.get): null when it is.
function maybe(value, path) {
  for (var i = 0; i < path.length; i++) {
    if (!own(value, path[i]) || value[path[i]] === null) return null;
    value = value[path[i]];
  }
  return value;
}

// events/regulations.py shortfalls: each gap as [name, got, need].
export function shortfalls(table, rid, target, scores, indices) {
  var w = table.warnings, reg = w.regulations[rid], need = reg.thresholds[target], out = [];
  var groups = { areas: w.shortfalls.areas, results: w.shortfalls.results };
  w.shortfalls.checks.forEach(function (c) {
    if (c.sum) {
      var got = dec('0');
      c.sum.forEach(function (g) { groups[g].forEach(function (k) { got = add(got, dec(at(scores, [g, k]))); }); });
      if (less(got, dec(need[c.need]))) out.push([c.name, text(got), need[c.need]]);
    } else if (c.floor) {
      groups[c.floor].forEach(function (area) {
        var floor = share(dec(reg[c.floor][area]), dec(need[c.percent]));
        var value = dec(at(scores, [c.floor, area]));
        if (less(value, floor)) out.push([area, text(value), text(normal(floor))]);
      });
    } else if (c.index) {
      var value = maybe(indices, [c.index]);
      if (value !== null && less(dec(value), dec(need[c.need]))) out.push([c.index, value, need[c.need]]);
    } else {
      throw new Error('unknown shortfall check');
    }
  });
  return out;
}

// events/regulations.py missing_prerequisites: each gap as [name, got, need].
export function missingPrerequisites(table, rid, target, given) {
  var w = table.warnings, need = w.regulations[rid].prerequisites[target], out = [];
  w.prerequisites.checks.forEach(function (c) {
    if (c.one_of) {
      if (need[c.need].indexOf(given[c.one_of]) < 0) out.push([c.one_of, given[c.one_of], need[c.need].join(c.join)]);
    } else if (c.grade) {
      var grades = w.prerequisites.grades, got = grades.indexOf(given[c.grade]);
      if (got < 0) throw new Error('unknown grade ' + given[c.grade]);
      if (got > grades.indexOf(need[c.need])) out.push([c.grade, given[c.grade], need[c.need]]);
    } else if (c.at_least) {
      var v = given[c.at_least], least = need[c.need];
      if (typeof v !== 'number') throw new Error('not a number: ' + c.at_least);
      if (v < least) out.push([c.at_least, v + c.unit, least + c.unit]);
    } else {
      throw new Error('unknown prerequisite check');
    }
  });
  return out;
}

// Facts.latest_scores of `unit` before entry `before`, from its verified chain: of each
// source's entries about the unit with scores, the latest; the first source in `prefer`.
export function latestScores(table, unit, chain, before) {
  var a = table.warnings.award, found = {};
  chain.forEach(function (e) {
    var st = e.statement, rule = a.scores[st.type];
    if (!rule || e.index >= before) return;
    var subject = rule.subject.body ? maybe(st.body, rule.subject.body) : st[rule.subject.statement];
    var scores = maybe(st.body, rule.scores);
    if (subject !== unit || scores === null) return;
    found[rule.source] = { index: e.index, source: rule.source, scores: scores, indices: maybe(st.body, rule.indices) };
  });
  for (var i = 0; i < a.prefer.length; i++) if (found[a.prefer[i]]) return found[a.prefer[i]];
  return null;
}

// The year subjects (window:<year>) whose chains the deadline and quota warnings of `unit`'s
// page need: the years of its own proposals.
export function windowChains(table, unit, chain) {
  var x = table.warnings.windows, out = {};
  chain.forEach(function (e) {
    var st = e.statement;
    if (st.agency === unit && x.types.indexOf(st.type) >= 0) out[x.subject + at(st.body, x.fields.year)] = true;
  });
  return Object.keys(out).sort();
}

// Facts.window(year) before entry `before`: the first window of the year's verified chain.
function firstWindow(table, year, chain, before) {
  var x = table.warnings.windows;
  for (var i = 0; i < chain.length; i++) {
    var e = chain[i], rule = x.windows[e.statement.type];
    if (!rule || e.index >= before || at(e.statement.body, rule.year) !== year) continue;
    return { deadline: at(e.statement.body, rule.deadline), quota: at(e.statement.body, rule.quota) };
  }
  return null;
}

// Facts.proposals(agency, year) before entry `before`: the units its earlier proposals name.
function proposed(table, agency, year, chain, before) {
  var n = 0;
  chain.forEach(function (e) {
    var st = e.statement, rule = table.warnings.windows.proposals[st.type];
    if (rule && st.agency === agency && e.index < before && at(st.body, rule.year) === year) n += at(st.body, rule.units).length;
  });
  return n;
}

// warnings.proposal's deadline and quota warnings of the proposer's own proposal `e`.
function windowWarnings(table, e, chain, others) {
  var x = table.warnings.windows, st = e.statement, out = [];
  var year = at(st.body, x.fields.year), subject = x.subject + year;
  var windows = (others || {})[subject];
  if (!windows) throw new Error('the chain of ' + subject + ' is needed');
  var win = firstWindow(table, year, windows, e.index);
  var rid = at(st.body, x.fields.regulation);
  if (!win && !own(x.default_deadline, rid)) throw new Error('unknown regulation ' + rid);
  var deadline = win ? win.deadline : year + '-' + x.default_deadline[rid];
  var on = at(st.body, x.fields.submitted_on);
  if (on > deadline) out.push(warning(x.deadline, e, st.agency, { submitted_on: on, year: year, deadline: deadline }));
  if (win) {
    var count = proposed(table, st.agency, year, chain, e.index) + at(st.body, x.fields.units).length;
    if (count > win.quota) out.push(warning(x.quota, e, st.agency, { count: count, year: year, quota: win.quota }));
  }
  return out;
}

function warning(code, e, subject, facts) {
  return { code: code, index: e.index, agency: e.statement.agency, subject: subject, facts: facts };
}

// The units whose chains the award warnings of `unit`'s page need besides its own: those
// its own awards name (an award judges a unit by that unit's scores).
export function awardChains(table, unit, chain) {
  var a = table.warnings.award, out = {};
  chain.forEach(function (e) {
    var st = e.statement;
    if (st.agency !== unit || a.types.indexOf(st.type) < 0) return;
    var about = at(st.body, a.fields.unit);
    if (about !== unit) out[about] = true;
  });
  return Object.keys(out).sort();
}

// The proposal and award warnings `unit`'s page lists (its own statements', and others'
// about it), in log order, as {code, index, agency, subject, facts}: from its verified
// chain, and for its own awards of other units those units' verified chains (`others`,
// by unit: awardChains), and for its own proposals the years' window chains (`others`, by
// year subject: windowChains). An entry a compromise voided (`voided[index]`) raises none.
export function awardWarnings(table, unit, chain, others, voided) {
  var w = table.warnings, p = w.proposal, a = w.award, out = [];
  chain.forEach(function (e) {
    var st = e.statement, mine = st.agency === unit;
    if (voided && voided[e.index]) return;
    if (mine && w.windows.types.indexOf(st.type) >= 0) out = out.concat(windowWarnings(table, e, chain, others));
    if (p.types.indexOf(st.type) >= 0) {
      var rid = at(st.body, p.fields.regulation), given = at(st.body, p.fields.prerequisites);
      at(st.body, p.fields.units).forEach(function (u) {
        var named = at(u, p.fields.unit), target = at(u, p.fields.target);
        if (!mine && named !== unit) return;
        var gaps = missingPrerequisites(table, rid, target, given);
        if (gaps.length) out.push(warning(p.code, e, named, { unit: named, target: target, gaps: gaps }));
      });
    }
    if (a.types.indexOf(st.type) >= 0) {
      var about = at(st.body, a.fields.unit), predicate = at(st.body, a.fields.predicate);
      if (!mine && about !== unit) return;
      var theirs = about === unit ? chain : (others || {})[about];
      if (!theirs) throw new Error('the chain of ' + about + ' is needed');
      var latest = latestScores(table, about, theirs, e.index);
      if (latest === null) {
        out.push(warning(a.code, e, about, { predicate: predicate, unit: about }));
        return;
      }
      var reg = at(st.body, a.fields.regulation);
      var short = shortfalls(table, reg, predicate, latest.scores, latest.indices);
      if (short.length) {
        out.push(warning(a.code, e, about, {
          predicate: predicate, unit: about, regulation: reg, source: latest.source, scored_in: latest.index, gaps: short,
        }));
      }
    }
  });
  return out;
}
