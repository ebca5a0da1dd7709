/* Pakta: verify one log entry in this browser, trusting only the keys pinned in the page.
 *
 * Steps, each shown as passed, failed or could not be checked:
 *  1. checkpoint: the C2SP signed note's Ed25519 signature by the log key in
 *     <meta name="pakta-log-key"> (verifier key "name+hash+base64(0x01||key)").
 *  2. inclusion: RFC 9162 §2.1.3.2 inclusion proof of SHA-256(0x00 || entry bytes) in the
 *     checkpoint's tree, the proof computed here from the log's C2SP tlog-tiles, each tile
 *     checked against the checkpoint's root first (web/static/verify/tiles.js); the proof
 *     the bundle carries, if any, must be that one.
 *  3. keys: every entry that granted or revoked the agency's keys is itself in that tree
 *     (proven from the same tiles) and signed by a registrar key pinned in
 *     <meta name="pakta-registrar-key"> or an agency key valid at that moment; key id =
 *     "ed25519:" + hex(SHA-256("pakta-keyid-v1" 0x00 key)[:16]).
 *  4. signatures: each DSSE signature (Ed25519 over PAE) by a key valid at issued_at.
 *  5. content: what the page shows against the verified bytes, its one-line summary (p.lead)
 *     rebuilt from them by verify/summary.js; a passed check restates that sentence.
 * A step that could not be carried out (the network, the server's trouble, an old browser:
 * common.js Unchecked) and the steps resting on it say "could not be checked", never
 * "failed", and offer no report.
 * Opened from a charter's QR code (#leaf=<hex>&log=<hex>), the pinned log key and the entry
 * must also be the ones printed on paper.
 * The shared checking code (hashes, Ed25519 with the vendored fallback, checkpoints, key
 * histories, fetching) is web/static/verify/common.js.
 */
import {
  Unchecked, applyKeys, b64, equal, fetchBytes, fetchJson, hex, leafHash, micros, nodeHash,
  openCheckpoint, openEntry, pae, offerReport, parseVkey, registrarKeys, say, sha256, td, te,
  ed25519,
} from './verify/common.js';
import { checkSummary } from './verify/summary.js';
import { planTiles, proofIndexes, tileFetcher, tileProver } from './verify/tiles.js';


// RFC 9162 §2.1.3.2, verbatim.
async function inclusionOk(index, size, leaf, proof, root) {
  if (index >= size) return false;
  var fn = index, sn = size - 1, r = leaf;
  for (var i = 0; i < proof.length; i++) {
    var p = proof[i];
    if (p.length !== 32 || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

// Which key made each signature, and does it verify? Returns [{keyid, ok, why}].
async function checkSignatures(opened, registrar, keys) {
  var st = opened.statement;
  var at = micros(st.issued_at);
  var msg = pae(opened.env.payloadType, opened.payload);
  var out = [];
  for (var i = 0; i < opened.env.signatures.length; i++) {
    var s = opened.env.signatures[i];
    var raw = null, why = '';
    if (registrar[s.keyid]) {
      raw = registrar[s.keyid];
    } else if (keys[s.keyid]) {
      var k = keys[s.keyid];
      if (at < k.from) why = say('why-not-yet', { keyid: s.keyid, time: st.issued_at });
      else if (k.revoked !== null && at >= k.revoked) why = say('why-revoked', { keyid: s.keyid, time: k.revokedText });
      else raw = k.raw;
    } else {
      why = say('why-unknown', { keyid: s.keyid, agency: st.agency });
    }
    var ok = raw !== null && (await ed25519(raw, msg, b64(s.sig)));
    if (raw !== null && !ok) why = say('why-bad', { keyid: s.keyid });
    out.push({ keyid: s.keyid, ok: ok, why: why });
  }
  if (!out.length) out.push({ keyid: '', ok: false, why: say('no-signatures') });
  return out;
}

// The body as the page's raw view prints it (Python json.dumps, indent 2, keys sorted).
function sortedKeys(v) {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v && typeof v === 'object') {
    var o = {};
    Object.keys(v).sort().forEach(function (k) { o[k] = sortedKeys(v[k]); });
    return o;
  }
  return v;
}
function pretty(body) { return JSON.stringify(sortedKeys(body), null, 2); }

// Each element marked data-claim on the page, against the verified statement: the agency it
// links, the type, the date, the place in the chain, the raw body and payload, the hashes.
// Every difference is highlighted and named.
async function compareShown(opened) {
  var st = opened.statement, out = [];
  function check(el, what, shown, proven) {
    if (shown === proven) return;
    var long = what === 'body' || what === 'payload' || what === 'type';
    out.push(say('claim-' + what) + (long ? '' : ' ' + shown + ' \u2260 ' + proven));
    if (el) el.classList.add('verify-differs');
  }
  function one(name) { return document.querySelector('[data-claim="' + name + '"]'); }
  function text(el) { return el ? el.textContent.trim() : null; }
  document.querySelectorAll('[data-claim="agency"]').forEach(function (a) {
    check(a, 'agency', decodeURIComponent((a.getAttribute('href') || '').split('?')[0].split('/').pop()), st.agency);
  });
  var type = one('type'), issued = one('issued'), seq = one('seq');
  check(type, 'type', type && type.dataset.type, st.type);
  check(issued, 'issued', issued && issued.getAttribute('datetime'), st.issued_at);
  var n = seq && /\d+/.exec(seq.textContent);
  check(seq, 'seq', n ? +n[0] : null, st.seq + 1);
  check(one('body'), 'body', text(one('body')), pretty(st.body));
  check(one('payload'), 'payload', text(one('payload')), td.decode(opened.payload).trim());
  check(one('hash'), 'hash', text(one('hash')), 'sha256:' + hex(await sha256(opened.payload)));
  check(one('prev'), 'prev', text(one('prev')), st.prev || '\u2014');
  return out;
}

// A step's outcome: 'pass', 'fail' or 'unchecked' (could not be checked, common.js Unchecked).
function show(section, step, state, detail) {
  var li = section.querySelector('li[data-step="' + step + '"]');
  li.dataset.state = state;
  li.querySelector('.result').textContent = { pass: section.dataset.pass, fail: section.dataset.fail, unchecked: section.dataset.unchecked }[state];
  li.querySelector('.detail').textContent = detail || '';
}

// The proof a bundle carries, if it carries one, must be the one computed from the tiles.
function sameProof(sent, computed) {
  if (sent === undefined) return true;
  if (!Array.isArray(sent) || sent.length !== computed.length) return false;
  try {
    return sent.every(function (p, i) { return typeof p === 'string' && equal(b64(p), computed[i]); });
  } catch (e) {
    return false;  // not base64
  }
}

async function run(section) {
  var steps = section.querySelectorAll('li[data-step]');
  steps.forEach(function (li) {
    li.dataset.state = 'running';
    li.querySelector('.result').textContent = section.dataset.running;
    li.querySelector('.detail').textContent = '';
  });
  var summary = document.getElementById('verify-summary');
  delete summary.dataset.state;
  summary.textContent = section.dataset.running;
  var failed = [], failures = [], unchecked = [], states = {};
  function name(step) { return section.querySelector('li[data-step="' + step + '"] .name').textContent; }
  function record(step, ok, detail) {
    states[step] = ok ? 'pass' : 'fail';
    show(section, step, states[step], detail);
    if (!ok) {
      failed.push(name(step));
      failures.push({ step: name(step), detail: detail });
    }
  }
  // A step's error: Unchecked (nothing was proven wrong) or a failure.
  function recordError(step, e) {
    if (!(e instanceof Unchecked)) return record(step, false, e.message);
    states[step] = 'unchecked';
    show(section, step, 'unchecked', e.message);
    unchecked.push(name(step));
  }
  // A step resting on an earlier one that did not pass: unchecked if that one was.
  function needs(step, word) {
    if (states[step] === 'pass') return;
    throw states[step] === 'unchecked' ? new Unchecked(say(word)) : new Error(say(word));
  }
  var bundle, tree = null, prover = null;
  try {
    bundle = await fetchJson(section.dataset.url);
  } catch (e) {
    var detail = say('no-proof') + ': ' + e.message;
    steps.forEach(function (li) {
      recordError(li.dataset.step, e instanceof Unchecked ? new Unchecked(detail) : new Error(detail));
    });
    offerReport(section, failures);
    summary.dataset.state = failed.length ? 'fail' : 'unchecked';
    summary.textContent = failed.length ? section.dataset.someFail + ' ' + failed.join(', ') : section.dataset.someUnchecked;
    return;
  }
  var index = +section.dataset.index;
  // A page opened from a charter's QR code carries the anchor on paper in its fragment
  // (which the server never sees): the entry's leaf hash and the log key's SHA-256.
  var anchor = /^#leaf=([0-9a-f]{64})&log=([0-9a-f]{64})$/.exec(window.location.hash);
  var history = Array.isArray(bundle.key_history) ? bundle.key_history : [];
  function inTree(i) { return Number.isSafeInteger(i) && i >= 0 && i < tree.size; }

  // 1. The checkpoint, against the pinned log key.
  try {
    var vkey = await parseVkey(document.querySelector('meta[name="pakta-log-key"]').content);
    if (anchor && hex(await sha256(vkey.key)) !== anchor[2]) throw new Error(section.dataset.qrKey);
    tree = await openCheckpoint(bundle.checkpoint, vkey);
    record('checkpoint', true, vkey.name + ' · ' + tree.size + ' · ' + hex(tree.root).slice(0, 16) + '…');
    // The tiles for this entry's proof and its key history's, fetched at once from here on.
    var base = section.dataset.tiles || '/';
    prover = tileProver(tree.size, tree.root, tileFetcher(function (path) { return fetchBytes(base + path); }));
    prover.prefetch([index].concat(history.map(function (h) { return h.index; })).filter(inTree));
  } catch (e) {
    recordError('checkpoint', e);
  }

  // 2. This entry's inclusion in the checkpoint's tree, proven from the log's tiles.
  var opened = null;
  try {
    opened = openEntry(bundle.entry);
    if (opened.entry.index !== index) throw new Error(say('sent-other', { index: opened.entry.index }));
    needs('checkpoint', 'no-checkpoint');
    var leaf = await leafHash(te.encode(bundle.entry));
    if (anchor && hex(leaf) !== anchor[1]) throw new Error(section.dataset.qrLeaf);
    if (!inTree(index)) throw new Error(say('inclusion-bad'));
    var path = (await prover.proofs([index]))[0];
    var ok = await inclusionOk(index, tree.size, leaf, path, tree.root);
    if (ok && !sameProof(bundle.proof, path)) throw new Error(say('proof-differs'));
    record('inclusion', ok, ok ? say('inclusion-pass', { leaf: hex(leaf).slice(0, 16), n: path.length, t: planTiles(tree.size, proofIndexes([index], tree.size)).length }) : say('inclusion-bad'));
  } catch (e) {
    recordError('inclusion', e);
  }

  // 3. The agency's key history, entry by entry, from the pinned registrar keys.
  var registrar = {};
  var keys = {};
  try {
    registrar = await registrarKeys(Array.prototype.map.call(document.querySelectorAll('meta[name="pakta-registrar-key"]'), function (m) { return m.content; }));
    needs('checkpoint', 'no-checkpoint');
    if (!opened) throw new Error(say('no-entry'));
    var agency = opened.statement.agency;
    var kEntries = history.map(function (h) {
      var kEntry = openEntry(h.entry);
      if (kEntry.entry.index !== h.index || kEntry.statement.agency !== agency) throw new Error(say('key-entry-other', { index: h.index, agency: agency }));
      if (!inTree(h.index)) throw new Error(say('key-entry-absent', { index: h.index }));
      return kEntry;
    });
    var paths = await prover.proofs(history.map(function (h) { return h.index; }));
    for (var j = 0; j < history.length; j++) {
      var h = history[j], kEntry = kEntries[j];
      var kLeaf = await leafHash(te.encode(h.entry));
      if (!(await inclusionOk(h.index, tree.size, kLeaf, paths[j], tree.root))) throw new Error(say('key-entry-absent', { index: h.index }));
      if (!sameProof(h.proof, paths[j])) throw new Error(say('key-proof-differs', { index: h.index }));
      var sigs = await checkSignatures(kEntry, registrar, keys);
      var bad = sigs.filter(function (s) { return !s.ok; });
      if (bad.length) throw new Error(say('key-entry-bad', { index: h.index, why: bad[0].why }));
      await applyKeys(kEntry, keys);
    }
    if (!history.length) throw new Error(say('no-key-history', { agency: agency }));
    record('keys', true, say('keys-pass', { n: history.length, m: Object.keys(keys).length }));
  } catch (e) {
    recordError('keys', e);
  }

  // 4. Every signature of this statement.
  try {
    if (!opened) throw new Error(say('no-entry'));
    needs('keys', 'keys-unverified');
    var results = await checkSignatures(opened, registrar, keys);
    var allOk = results.every(function (s) { return s.ok; });
    record('signatures', allOk, results.map(function (s) { return (s.ok ? '✓ ' : '✗ ') + (s.ok ? s.keyid : s.why); }).join(' · '));
  } catch (e) {
    recordError('signatures', e);
  }

  // 5. The statement as the page shows it, against the verified bytes: rendered from them
  // (not from the HTML) below the steps, and compared field by field with the page.
  var restated = null;
  try {
    needs('inclusion', 'not-included');
    var differs = await compareShown(opened);
    var rendered = section.querySelector('.verified-body');
    rendered.querySelector('pre').textContent = pretty(opened.statement.body);
    rendered.hidden = false;
    // The summary sentence, rebuilt from the verified statement (the signer's name from its
    // verified registration, when the key history verified above carries it).
    var said = await checkSummary(section, opened, states.keys === 'pass' ? bundle.key_history : []);
    differs = differs.concat(said.differs);
    restated = said.text;
    record('content', !differs.length, differs.length ? section.dataset.differs + ': ' + differs.join('; ') : opened.statement.type + ' · ' + opened.statement.agency + ' · ' + (opened.statement.seq + 1));
  } catch (e) {
    recordError('content', e);
  }

  offerReport(section, failures);  // only what was proven wrong is worth a report
  summary.dataset.state = failed.length ? 'fail' : unchecked.length ? 'unchecked' : 'pass';
  summary.textContent = failed.length ? section.dataset.someFail + ' ' + failed.join(', ') : unchecked.length ? section.dataset.someUnchecked : restate(section, restated);
  if (anchor && !failed.length && !unchecked.length) summary.textContent += ' ' + section.dataset.qrMatch;
}

// The outcome restates what was verified: the sentence rebuilt from the verified bytes (its
// final full stop left out), then "tanda tangan sah, tercatat di log".
function restate(section, sentence) {
  if (!sentence) return section.dataset.allPass;
  return section.dataset.restated.replace('{sentence}', function () { return sentence.replace(/\.$/, ''); });
}

function start() {
  var section = document.getElementById('verify');
  var button = document.getElementById('verify-button');
  if (!section || !button) return;
  if (!window.crypto || !crypto.subtle) return;  // no WebCrypto (not a secure context): keep hidden
  button.hidden = false;
  button.addEventListener('click', function () {
    button.disabled = true;
    run(section).catch(function (e) {
      var summary = document.getElementById('verify-summary');
      summary.dataset.state = e instanceof Unchecked ? 'unchecked' : 'fail';
      summary.textContent = (e instanceof Unchecked ? section.dataset.someUnchecked : section.dataset.someFail) + ' ' + e.message;
    }).then(function () { button.disabled = false; });
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
