/* Pakta: verify one log entry in this browser, trusting only the keys pinned in the page.
 *
 * Steps, each shown as passed or failed:
 *  1. checkpoint: the C2SP signed note's Ed25519 signature by the log key in
 *     <meta name="pakta-log-key"> (verifier key "name+hash+base64(0x01||key)").
 *  2. inclusion: RFC 9162 §2.1.3.2 inclusion proof of SHA-256(0x00 || entry bytes) in the
 *     checkpoint's tree.
 *  3. keys: every entry that granted or revoked the agency's keys is itself in that tree and
 *     signed by a registrar key pinned in <meta name="pakta-registrar-key"> or an agency key
 *     valid at that moment; key id = "ed25519:" + hex(SHA-256("pakta-keyid-v1" 0x00 key)[:16]).
 *  4. signatures: each DSSE signature (Ed25519 over PAE) by a key valid at issued_at.
 *  5. content: what the page shows against the verified bytes, its one-line summary (p.lead)
 *     rebuilt from them by verify/summary.js; a passed check restates that sentence.
 * Opened from a charter's QR code (#leaf=<hex>&log=<hex>), the pinned log key and the entry
 * must also be the ones printed on paper.
 * The shared checking code (hashes, Ed25519 with the vendored fallback, checkpoints, key
 * histories) is web/static/verify/common.js.
 */
import {
  applyKeys, b64, equal, hex, leafHash, micros, nodeHash, openCheckpoint, openEntry, pae,
  offerReport, parseVkey, registrarKeys, say, sha256, td, te, ed25519,
} from './verify/common.js';
import { checkSummary } from './verify/summary.js';


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

function show(section, step, ok, detail) {
  var li = section.querySelector('li[data-step="' + step + '"]');
  li.dataset.state = ok ? 'pass' : 'fail';
  li.querySelector('.result').textContent = ok ? section.dataset.pass : section.dataset.fail;
  li.querySelector('.detail').textContent = detail || '';
  return ok;
}

async function run(section) {
  var steps = section.querySelectorAll('li[data-step]');
  steps.forEach(function (li) {
    li.dataset.state = 'running';
    li.querySelector('.result').textContent = section.dataset.running;
    li.querySelector('.detail').textContent = '';
  });
  var summary = document.getElementById('verify-summary');
  summary.textContent = section.dataset.running;
  var failed = [], failures = [];
  function record(step, ok, detail) {
    if (!show(section, step, ok, detail)) {
      var name = section.querySelector('li[data-step="' + step + '"] .name').textContent;
      failed.push(name);
      failures.push({ step: name, detail: detail });
    }
  }
  var bundle, tree = null;
  try {
    var response = await fetch(section.dataset.url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (!response.ok) throw Object.assign(new Error('HTTP'), { http: response.status });
    bundle = await response.json();
  } catch (e) {
    var why = e.http ? say('http', { status: e.http }) : say('network');
    steps.forEach(function (li) { record(li.dataset.step, false, say('no-proof') + ': ' + why); });
    summary.dataset.state = 'fail';
    summary.textContent = section.dataset.someFail + ' ' + failed.join(', ');
    return;
  }
  var index = +section.dataset.index;
  // A page opened from a charter's QR code carries the anchor on paper in its fragment
  // (which the server never sees): the entry's leaf hash and the log key's SHA-256.
  var anchor = /^#leaf=([0-9a-f]{64})&log=([0-9a-f]{64})$/.exec(window.location.hash);

  // 1. The checkpoint, against the pinned log key.
  try {
    var vkey = await parseVkey(document.querySelector('meta[name="pakta-log-key"]').content);
    if (anchor && hex(await sha256(vkey.key)) !== anchor[2]) throw new Error(section.dataset.qrKey);
    tree = await openCheckpoint(bundle.checkpoint, vkey);
    record('checkpoint', true, vkey.name + ' · ' + tree.size + ' · ' + hex(tree.root).slice(0, 16) + '…');
  } catch (e) {
    record('checkpoint', false, e.message);
  }

  // 2. This entry's inclusion in the checkpoint's tree.
  var opened = null, included = false;
  try {
    opened = openEntry(bundle.entry);
    if (opened.entry.index !== index) throw new Error(say('sent-other', { index: opened.entry.index }));
    if (!tree) throw new Error(say('no-checkpoint'));
    var leaf = await leafHash(te.encode(bundle.entry));
    if (anchor && hex(leaf) !== anchor[1]) throw new Error(section.dataset.qrLeaf);
    var ok = await inclusionOk(index, tree.size, leaf, bundle.proof.map(b64), tree.root);
    included = ok;
    record('inclusion', ok, ok ? say('inclusion-pass', { leaf: hex(leaf).slice(0, 16), n: bundle.proof.length }) : say('inclusion-bad'));
  } catch (e) {
    record('inclusion', false, e.message);
  }

  // 3. The agency's key history, entry by entry, from the pinned registrar keys.
  var registrar = {};
  var keys = {};
  var keysOk = false;
  try {
    registrar = await registrarKeys(Array.prototype.map.call(document.querySelectorAll('meta[name="pakta-registrar-key"]'), function (m) { return m.content; }));
    if (!tree) throw new Error(say('no-checkpoint'));
    if (!opened) throw new Error(say('no-entry'));
    var agency = opened.statement.agency;
    for (var j = 0; j < bundle.key_history.length; j++) {
      var h = bundle.key_history[j];
      var kEntry = openEntry(h.entry);
      if (kEntry.entry.index !== h.index || kEntry.statement.agency !== agency) throw new Error(say('key-entry-other', { index: h.index, agency: agency }));
      var kLeaf = await leafHash(te.encode(h.entry));
      if (!(await inclusionOk(h.index, tree.size, kLeaf, h.proof.map(b64), tree.root))) throw new Error(say('key-entry-absent', { index: h.index }));
      var sigs = await checkSignatures(kEntry, registrar, keys);
      var bad = sigs.filter(function (s) { return !s.ok; });
      if (bad.length) throw new Error(say('key-entry-bad', { index: h.index, why: bad[0].why }));
      await applyKeys(kEntry, keys);
    }
    if (!bundle.key_history.length) throw new Error(say('no-key-history', { agency: agency }));
    keysOk = true;
    record('keys', true, say('keys-pass', { n: bundle.key_history.length, m: Object.keys(keys).length }));
  } catch (e) {
    record('keys', false, e.message);
  }

  // 4. Every signature of this statement.
  try {
    if (!opened) throw new Error(say('no-entry'));
    if (!keysOk) throw new Error(say('keys-unverified'));
    var results = await checkSignatures(opened, registrar, keys);
    var allOk = results.every(function (s) { return s.ok; });
    record('signatures', allOk, results.map(function (s) { return (s.ok ? '✓ ' : '✗ ') + (s.ok ? s.keyid : s.why); }).join(' · '));
  } catch (e) {
    record('signatures', false, e.message);
  }

  // 5. The statement as the page shows it, against the verified bytes: rendered from them
  // (not from the HTML) below the steps, and compared field by field with the page.
  var restated = null;
  try {
    if (!included) throw new Error(say('not-included'));
    var differs = await compareShown(opened);
    var rendered = section.querySelector('.verified-body');
    rendered.querySelector('pre').textContent = pretty(opened.statement.body);
    rendered.hidden = false;
    // The summary sentence, rebuilt from the verified statement (the signer's name from its
    // verified registration, when the key history verified above carries it).
    var said = await checkSummary(section, opened, keysOk ? bundle.key_history : []);
    differs = differs.concat(said.differs);
    restated = said.text;
    record('content', !differs.length, differs.length ? section.dataset.differs + ': ' + differs.join('; ') : opened.statement.type + ' · ' + opened.statement.agency + ' · ' + (opened.statement.seq + 1));
  } catch (e) {
    record('content', false, e.message);
  }

  offerReport(section, failures);
  summary.dataset.state = failed.length ? 'fail' : 'pass';
  summary.textContent = failed.length ? section.dataset.someFail + ' ' + failed.join(', ') : restate(section, restated);
  if (anchor && !failed.length) summary.textContent += ' ' + section.dataset.qrMatch;
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
      document.getElementById('verify-summary').textContent = section.dataset.someFail + ' ' + e.message;
    }).then(function () { button.disabled = false; });
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
