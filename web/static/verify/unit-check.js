// Pakta: "Verify this page" on a unit page, in this browser (docs/subject-map.md), loaded
// by web/static/verify/unit.js only when a reader asks for the check.
//
// Trusting only the keys pinned in the page (the section's data-log-key and
// data-registrar-keys), it fetches the unit's subject proof and checks, each step shown as passed, failed
// or could not be checked:
//  checkpoint  the C2SP signed note's Ed25519 signature by the pinned log key;
//  map         the subject map proof of the unit against the checkpoint's map line;
//  chain       the chain links rebuilt from the entries served: nothing dropped or added;
//  signatures  every signature of the unit's entries, against key histories rebuilt from
//              the unit's chain and the complete chains of the other agencies that signed;
//  claims      the unit's lifecycle changes derived from the verified statements
//              themselves, with the registry's rules exported as data (rules.json,
//              rules.js: no history page is read), then its status, target, stage dates,
//              action plan and overdue items recomputed and compared with every value
//              the page shows (claims.js), and the warnings the chain proves (late
//              posting, back-dated fact, pact coverage, revoked key, unwitnessed declaration,
//              prerequisites missing, awarded below the thresholds: the scores of a unit the
//              unit's own award names come from that unit's verified chain; a proposal
//              after the deadline or over the quota: the year's first window comes from the
//              verified chain of the year's subject, window:<year>) with each one's count
//              and the entries it lists, inline or, when the page lists only the newest, on
//              every page of its complete list (warning-lists.js), and for the proposal and
//              award warnings each entry's figures (its data-facts, and its words showing
//              them: the gaps, deadlines, counts and quotas); each difference is
//              highlighted in place.
// The shared checking code (hashes, signatures, checkpoints, key histories, fetching) is
// common.js.
import {
  Unchecked, applyKeys, b64, concat, ed25519, equal, fetchJson, hex, keyId, micros, nodeHash,
  offerReport, say, openCheckpoint, openEntry, pae, parseVkey, registrarKeys, sha256, te, u64, unhex,
} from './common.js';

// C2SP tlog-cosignature v1: the pinned witnesses (data-witness-keys, "name+hash+base64(0x04
// || key)") must have cosigned the checkpoint, at least data-witness-quorum of them; a
// cosignature by a pinned witness that does not verify fails. Gives each verified
// cosigner's timestamp (seconds), for provable silence (silence.js).
async function checkWitnesses(note, section) {
  var quorum = +(section.dataset.witnessQuorum || 0);
  var vkeys = (section.dataset.witnessKeys || '').split(',').filter(function (k) { return k; });
  var times = [];
  if (!quorum) return { label: '', quorum: 0, times: times };
  var split = note.lastIndexOf('\n\n');
  var text = note.slice(0, split + 1);
  var lines = note.slice(split + 2).split('\n').filter(function (l) { return l; });
  var good = 0, names = [];
  for (var i = 0; i < vkeys.length; i++) {
    var first = vkeys[i].indexOf('+'), second = vkeys[i].indexOf('+', first + 1);
    var name = vkeys[i].slice(0, first), typed = b64(vkeys[i].slice(second + 1));
    var id = (await sha256(concat(te.encode(name + '\n'), typed))).slice(0, 4);
    if (typed[0] !== 4 || typed.length !== 33 || hex(id) !== vkeys[i].slice(first + 1, second)) throw new Error(say('witness-key-bad', { name: name }));
    var prefix = '\u2014 ' + name + ' ', signed = false;
    for (var j = 0; j < lines.length; j++) {
      if (lines[j].indexOf(prefix) !== 0) continue;
      var raw = b64(lines[j].slice(prefix.length));
      if (raw.length !== 4 + 72 || !equal(raw.slice(0, 4), id)) continue;
      var t = 0n;
      for (var k = 4; k < 12; k++) t = (t << 8n) | BigInt(raw[k]);
      var msg = concat(te.encode('cosignature/v1\ntime ' + t.toString() + '\n'), te.encode(text));
      if (!(await ed25519(typed.slice(1), msg, raw.slice(12)))) throw new Error((section.dataset.badCosignature || 'bad cosignature') + ': ' + name);
      if (!signed) times.push({ name: name, time: Number(t) });
      signed = true;
    }
    if (signed) { good++; names.push(name); }
  }
  if (good < quorum) throw new Error((section.dataset.noQuorum || 'witness quorum not met') + ': ' + good + '/' + quorum);
  return { label: ' · ' + names.join(', '), quorum: quorum, times: times };
}

// RFC 9162 §2.1.4.2, as registry/tlog/merkle.py verify_consistency.
async function consistencyOk(m, n, oldRoot, root, proof) {
  if (m === n) return proof.length === 0 && equal(oldRoot, root);
  if (m === 0 || m > n || !proof.length) return false;
  var path = proof.slice();
  if ((m & (m - 1)) === 0) path.unshift(oldRoot);
  var fn = m - 1, sn = n - 1;
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  var fr = path[0], sr = path[0];
  for (var i = 1; i < path.length; i++) {
    var c = path[i];
    if (c.length !== 32 || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn !== 0 && fn % 2 === 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, oldRoot) && equal(sr, root);
}

// Like a monitor: the last checkpoint this browser verified for this log (localStorage) must
// be extended by the one served now; a smaller tree (rollback) or another one (fork) fails
// with both checkpoints shown.
async function checkAgainstLastSeen(vkey, tree, section) {
  var key = 'pakta-last-checkpoint:' + vkey.name;
  var saved = null;
  try { saved = JSON.parse(window.localStorage.getItem(key) || 'null'); } catch (e) { saved = null; }
  if (saved && typeof saved.size === 'number' && typeof saved.root === 'string') {
    var evidence = '\n' + (section.dataset.lastSeen || 'last verified') + ':\n' + saved.note + '\n' + (section.dataset.servedNow || 'served now') + ':\n' + tree.note;
    if (saved.size > tree.size) throw new Error((section.dataset.rollback || 'rollback') + ': ' + saved.size + ' \u2192 ' + tree.size + evidence);
    var proof = [];
    if (saved.size > 0 && saved.size < tree.size) {
      var c = await fetchJson('/api/v1/consistency?from=' + saved.size + '&to=' + tree.size);
      proof = c.consistency_proof.map(b64);
    }
    if (saved.size > 0 && !(await consistencyOk(saved.size, tree.size, unhex(saved.root), tree.root, proof))) {
      throw new Error((section.dataset.fork || 'fork') + evidence);
    }
  }
  try {
    window.localStorage.setItem(key, JSON.stringify({ size: tree.size, root: hex(tree.root), note: tree.note }));
  } catch (e) { /* storage disabled: nothing to remember */ }
}

// docs/subject-map.md
function bit(key, d) { return (key[d >> 3] >> (7 - (d & 7))) & 1; }
function stateBytes(s) { return concat(u64(s.count), unhex(s.head), u64(s.last_index)); }
async function mapLeaf(key, s) { return sha256(concat([0], key, stateBytes(s))); }
async function verifyMapProof(subject, proof, root) {
  if (proof.subject !== subject) throw new Error(say('map-other', { subject: proof.subject }));
  var key = await sha256(te.encode(subject));
  var sib = proof.siblings.map(b64);
  if (sib.length > 256 || sib.some(function (s) { return s.length !== 32; })) throw new Error(say('map-malformed'));
  var h;
  if (proof.state) {
    h = await mapLeaf(key, proof.state);
  } else if (proof.other) {
    var other = unhex(proof.other.key);
    if (equal(other, key)) throw new Error(say('map-self'));
    for (var d = 0; d < sib.length; d++) if (bit(other, d) !== bit(key, d)) throw new Error(say('map-off-path'));
    h = await mapLeaf(other, proof.other);
  } else {
    h = new Uint8Array(32);
  }
  for (var i = sib.length - 1; i >= 0; i--) {
    h = await sha256(bit(key, i) ? concat([1], sib[i], h) : concat([1], h, sib[i]));
  }
  if (!equal(h, root)) throw new Error(say('map-root'));
  return proof.state;
}
async function rebuildChain(entries, size) {
  var link = new Uint8Array(32), last = -1;
  for (var i = 0; i < entries.length; i++) {
    var e = entries[i];
    var index = JSON.parse(e.entry).index;
    if (index !== e.index || index <= last || index >= size) throw new Error(say('out-of-place', { index: index }));
    var leaf = await sha256(concat([0], te.encode(e.entry)));
    link = await sha256(concat([2], link, u64(index), leaf));
    last = index;
  }
  return { count: entries.length, head: hex(link), last_index: last };
}

// A subject's verified chain: [{index, entry, statement, env, payload, hash}].
async function verifiedChain(subject, size, tree) {
  var bundle = await fetchJson('/api/v1/subjects/' + encodeURIComponent(subject) + '/proof' + (size ? '?size=' + size : ''));
  if (bundle.checkpoint !== tree.note) throw new Error(say('other-checkpoint', { subject: subject }));
  var state = await verifyMapProof(subject, bundle.map_proof, tree.mapRoot);
  var rebuilt = await rebuildChain(bundle.entries, tree.size);
  var want = state || { count: 0, head: hex(new Uint8Array(32)), last_index: -1 };
  if (rebuilt.count !== want.count || rebuilt.head !== want.head || rebuilt.last_index !== want.last_index) {
    throw new Error(say('chain-broken', { subject: subject, count: want.count }));
  }
  var out = [];
  for (var i = 0; i < bundle.entries.length; i++) {
    var e = openEntry(bundle.entries[i].entry);
    e.hash = 'sha256:' + hex(await sha256(e.payload));
    out.push(e);
  }
  return out;
}

async function checkSignatures(e, registrar, keys) {
  var st = e.statement, at = micros(st.issued_at), msg = pae(e.env.payloadType, e.payload);
  if (!e.env.signatures.length) throw new Error(say('no-signature', { index: e.index }));
  for (var i = 0; i < e.env.signatures.length; i++) {
    var s = e.env.signatures[i], raw = registrar[s.keyid] || null;
    var k = keys[s.keyid];
    if (!raw && k) {
      // A key counts from when the log granted it; one revoked from a past moment is
      // reported by the registry as a warning, so only "not yet granted" fails here.
      if (at < k.from) throw new Error(say('key-not-yet', { index: e.index, keyid: s.keyid }));
      raw = k.raw;
    }
    if (!raw) throw new Error(say('key-unknown', { index: e.index, keyid: s.keyid }));
    if (!(await ed25519(raw, msg, b64(s.sig)))) throw new Error(say('sig-bad', { index: e.index, keyid: s.keyid }));
  }
  return e.env.signatures.length;
}

function named(body) {
  var out = [];
  (function walk(v, key) {
    if (typeof v === 'string') {
      if ((key === 'agency' || key === 'unit') && /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/.test(v)) out.push(v);
    } else if (Array.isArray(v)) {
      v.forEach(function (x) { walk(x, key); });
    } else if (v && typeof v === 'object') {
      Object.keys(v).forEach(function (k) { walk(v[k], k); });
    }
  })(body, '');
  return out;
}

// `silence`: the row (tr[data-item]) of an overdue item whose badge's proof to check too.
export async function verifyUnit(section, silence) {
  var unit = section.dataset.unit;
  var steps = {};
  section.querySelectorAll('li[data-step]').forEach(function (li) {
    steps[li.dataset.step] = li;
    li.dataset.state = 'running';
    li.querySelector('.result').textContent = section.dataset.running;
    li.querySelector('.detail').textContent = '';
  });
  var summary = section.querySelector('.verify-summary');
  summary.dataset.state = 'running';
  summary.textContent = section.dataset.running;
  var current = null;
  function pass(step, detail) {
    steps[step].dataset.state = 'pass';
    steps[step].querySelector('.result').textContent = section.dataset.pass;
    steps[step].querySelector('.detail').textContent = detail;
  }
  try {
    current = 'checkpoint';
    var vkey = await parseVkey(section.dataset.logKey);
    var registrar = await registrarKeys(section.dataset.registrarKeys.split(',').filter(function (p) { return p; }));
    var first = await fetchJson('/api/v1/subjects/' + encodeURIComponent(unit) + '/proof');
    var tree = await openCheckpoint(first.checkpoint, vkey);
    if (!tree.mapRoot) throw new Error(say('no-map'));
    var witnessed = await checkWitnesses(tree.note, section);
    await checkAgainstLastSeen(vkey, tree, section);
    pass('checkpoint', vkey.name + ' · ' + tree.size + ' · ' + hex(tree.root).slice(0, 16) + '…' + witnessed.label);

    current = 'map';
    var state = await verifyMapProof(unit, first.map_proof, tree.mapRoot);
    if (!state) throw new Error(say('no-entry-about', { unit: unit }));
    pass('map', say('map-pass', { count: state.count, n: first.map_proof.siblings.length }));

    current = 'chain';
    var chain = await verifiedChain(unit, tree.size, tree);
    pass('chain', chain.length + ' · #' + chain.map(function (e) { return e.index; }).join(' #'));

    current = 'signatures';
    var signers = {};
    chain.forEach(function (e) {
      if (e.statement.agency !== unit) signers[e.statement.agency] = true;
      // Co-signers are agencies the statement names (a declaration's units, ...).
      if (e.env.signatures.length > 1) named(e.statement.body).forEach(function (a) { if (a !== unit) signers[a] = true; });
    });
    var own = chain.filter(function (e) { return e.statement.agency === unit; });
    var history = own.slice();
    var names = Object.keys(signers).sort();
    for (var s = 0; s < names.length; s++) {
      var theirs = await verifiedChain(names[s], tree.size, tree);
      history = history.concat(theirs.filter(function (e) { return e.statement.agency === names[s]; }));
    }
    history.sort(function (a, b) { return a.index - b.index; });
    var keys = {}, byIndex = {}, signed = 0;
    chain.forEach(function (e) { byIndex[e.index] = e; });
    for (var h = 0; h < history.length; h++) {
      var e = history[h], mine = byIndex[e.index];
      if (mine) {
        signed += await checkSignatures(e, registrar, keys);
        // What the rules need of a verified entry: who signed it and when, and the keys
        // its agency held just before it (a revocation voids by them).
        mine.signatures = e.env.signatures.map(function (sig) {
          return { keyid: sig.keyid, owner: registrar[sig.keyid] ? '' : keys[sig.keyid].agency, at: micros(e.statement.issued_at) };
        });
        mine.keysBefore = {};
        Object.keys(keys).forEach(function (k) {
          if (keys[k].agency === e.statement.agency) mine.keysBefore[k] = { from: keys[k].from, revoked: keys[k].revoked };
        });
      }
      await applyKeys(e, keys);
    }
    pass('signatures', signed + ' · ' + (names.length ? names.join(', ') : unit));

    current = 'claims';
    var table = await fetchJson(section.dataset.rules);
    // The page language's words for the days the warnings' figures show (summaries.json).
    var summaries = await fetchJson(section.dataset.summaries);
    var words = summaries.languages[document.documentElement.lang] || summaries.languages.id;
    var loaded = await Promise.all([import('./rules.js'), import('./claims.js'), import('./warning-lists.js')])
      .catch(function () { throw new Unchecked(say('no-rules')); });
    var rules = loaded[0], claims = loaded[1];
    // Overdue is as of the page's own date, which must be today here (a day either way).
    var today = claims.pageToday(document);
    var local = new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 10);
    if (today && (today === 'invalid' || Math.abs(Date.parse(today) - Date.parse(local)) > 86400000)) {
      var dated = document.querySelector('[data-claim="today"]');
      if (dated) dated.classList.add('verify-differs');
      throw new Error(section.dataset.differs + ': ' + say('claim-today') + ' ' + (dated ? dated.textContent : today) + ' \u2260 ' + local);
    }
    // The chains of the units the unit's own awards name (their scores judge each award),
    // verified against the same checkpoint as the unit's own.
    var others = {}, needed;
    try {
      needed = rules.awardChains(table, unit, chain);
    } catch (e) {
      throw new Error(say('rules-failed'));
    }
    // And the chains of the years the unit's own proposals name (window:<year>: every
    // window of the year, so the first one; map version 2 only).
    var years;
    try {
      years = rules.windowChains(table, unit, chain);
    } catch (e) {
      throw new Error(say('rules-failed'));
    }
    if (years.length && tree.mapVersion < 2) throw new Unchecked(say('old-map'));
    needed = needed.concat(years);
    for (var o = 0; o < needed.length; o++) others[needed[o]] = await verifiedChain(needed[o], tree.size, tree);
    // The unit's changes derived from the verified statements themselves (no history page).
    var derived;
    try {
      var changes = rules.unitChanges(table, unit, chain);
      derived = rules.interpret(table, changes, today || local);
      derived.warnings = rules.warningsOf(table, unit, chain, changes, others);
    } catch (e) {
      throw new Error(say('rules-failed'));
    }
    var status = derived.status || (own.some(function (e) { return e.statement.type === 'integrity_pact.signed'; }) ? 'pact_signed' : 'registered');
    if (silence) {
      var proof = await import('./silence.js').catch(function () { throw new Unchecked(say('no-rules')); });
      var due = silence.querySelector('[data-claim="due"]');
      var told = proof.silenceProof(silenceWords(section), table, derived, silence.dataset.item, due && claims.shownDate(due), tree, witnessed, today || local);
      showSilence(silence, told.ok ? 'pass' : 'fail', told.text);
    }
    // The kinds of warning the page lists only in part: every page of their complete lists
    // (none read when the page lists every entry itself).
    var complete = await loaded[2].completeLists(claims.longLists(document, table));
    var found = claims.compareClaims(document, table, derived, status, complete, words);
    if (found.length) {
      found.forEach(function (d) { if (d.el) d.el.classList.add('verify-differs'); });
      throw new Error(section.dataset.differs + ': ' + found.map(function (d) {
        return d.what + ' ' + d.shown + ' \u2260 ' + d.proven;
      }).join('; '));
    }
    pass('claims', status + ' · ' + Object.keys(derived.items).length + ' · ' + derived.overdue.length + ' · ' + derived.transitions.length);
    summary.dataset.state = 'pass';
    summary.textContent = section.dataset.allPass;
    offerReport(section, []);
    return 'verified';
  } catch (e) {
    var unchecked = e instanceof Unchecked;
    var li = steps[current];
    li.dataset.state = unchecked ? 'unchecked' : 'fail';
    li.querySelector('.result').textContent = unchecked ? section.dataset.unchecked : section.dataset.fail;
    li.querySelector('.detail').textContent = e.message;
    Object.keys(steps).forEach(function (k) {
      if (steps[k].dataset.state === 'running') {
        steps[k].dataset.state = 'skipped';
        steps[k].querySelector('.result').textContent = section.dataset.skipped;
      }
    });
    summary.dataset.state = unchecked ? 'unchecked' : 'fail';
    summary.textContent = unchecked ? section.dataset.someUnchecked : section.dataset.someFail + ' ' + li.querySelector('.name').textContent;
    if (silence && !silence.querySelector('.silence-result').dataset.state) {
      showSilence(silence, unchecked ? 'unchecked' : 'fail', (unchecked ? section.dataset.unchecked : section.dataset.silenceFailed) + ': ' + li.querySelector('.name').textContent + ': ' + e.message);
    }
    offerReport(section, unchecked ? [] : [{ step: li.querySelector('.name').textContent, detail: e.message }]);
    return unchecked ? 'unchecked' : 'failed';
  }
}

function silenceWords(section) {
  var d = section.dataset;
  return { proven: d.silenceProven, unwitnessed: d.silenceUnwitnessed, notInPlan: d.silenceNotInPlan, closed: d.silenceClosed, otherDue: d.silenceOtherDue, notYetDue: d.silenceNotYetDue, noQuorum: d.noQuorum };
}
function showSilence(row, state, text) {
  var out = row.querySelector('.silence-result');
  out.dataset.state = state;
  out.textContent = text;
}
