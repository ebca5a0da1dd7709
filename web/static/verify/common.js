// Pakta: what every check in this browser shares (web/static/verify.js for an entry page,
// web/static/verify/unit-check.js for a unit page): bytes and base64, SHA-256 and Ed25519
// (WebCrypto; without WebCrypto Ed25519 the vendored, audited @noble/ed25519, loaded only
// then), key ids, DSSE PAE, RFC 3339 times, the C2SP checkpoint against the pinned log key,
// RFC 9162 hashes, the pinned registrar keys, key histories, fetching, and the "could not be
// checked" outcome (Unchecked). rules.js (run in node by the cross-language test too) imports it.
var noble = null;
async function fallbackEd25519() {
  if (!noble) {
    var loaded = await Promise.all([import('../vendor/@noble/ed25519/index.js'), import('../vendor/@noble/hashes/sha2.js')])
      .catch(function (e) { throw new Unchecked(say('no-ed25519')); });
    loaded[0].hashes.sha512 = loaded[1].sha512;
    noble = loaded[0];
  }
  return noble;
}
// The detail lines in the page's language (templates/pages/_verify_words.html): the text of
// `id` with its {placeholders} filled; outside a page (node) the id itself.
var words = null;
export function say(id, values) {
  if (words === null) {
    try { words = JSON.parse(document.getElementById('verify-words').textContent); } catch (e) { words = {}; }
  }
  var text = Object.prototype.hasOwnProperty.call(words, id) ? words[id] : id;
  return text.replace(/\{(\w+)\}/g, function (all, k) {
    return values && Object.prototype.hasOwnProperty.call(values, k) ? String(values[k]) : all;
  });
}

export var te = new TextEncoder();
export var td = new TextDecoder('utf-8', { fatal: true });

export class Unchecked extends Error {}

// What the checks fetch: the network, an answer of the server's trouble (5xx, 429) or a body
// that is not what was asked for is Unchecked (nothing proven wrong); any other answer but
// 2xx fails, an Error carrying the HTTP `status`.
async function fetchOk(url, init) {
  var response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    throw new Unchecked(say('network'));
  }
  if (response.status >= 500 || response.status === 429) throw new Unchecked(say('http', { status: response.status }));
  if (!response.ok) throw Object.assign(new Error(say('http', { status: response.status }) + ': ' + url), { status: response.status });
  return response;
}
export async function fetchJson(url) {
  var response = await fetchOk(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  try {
    return await response.json();
  } catch (e) {
    throw new Unchecked(say('network'));
  }
}
export async function fetchBytes(url) {
  var response = await fetchOk(url);
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (e) {
    throw new Unchecked(say('network'));
  }
}

export function b64(s) {
  var bin = atob(s);
  var out = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
export function hex(u8) {
  return Array.prototype.map.call(u8, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
}
export function unhex(s) {
  if (!/^[0-9a-f]{64}$/.test(s)) throw new Error(say('bad-hash'));
  var out = new Uint8Array(32);
  for (var i = 0; i < 32; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
export function concat() {
  var parts = Array.prototype.slice.call(arguments).map(function (p) {
    return p instanceof Uint8Array ? p : new Uint8Array(p);
  });
  var out = new Uint8Array(parts.reduce(function (a, p) { return a + p.length; }, 0));
  var at = 0;
  parts.forEach(function (p) { out.set(p, at); at += p.length; });
  return out;
}
export function equal(a, b) {
  if (a.length !== b.length) return false;
  for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
export function u64(n) {
  var out = new Uint8Array(8);
  var big = BigInt(n);
  for (var i = 7; i >= 0; i--) { out[i] = Number(big & 255n); big >>= 8n; }
  return out;
}
export async function sha256(data) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

// Ed25519's edge cases: what OpenSSL and libsodium both accept, as the registry and the audit
// do (keys/strict.py, the same rule: S below L; R and the key canonical, y below p, and not of
// small order, whose y values these are). tests/web/test_ed25519_node.py holds it to Python's.
var P25519 = (1n << 255n) - 19n;
var L25519 = (1n << 252n) + 27742317777372353535851937790883648493n;
var Y8 = 0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n;
var SMALL_ORDER_Y = [0n, 1n, P25519 - 1n, Y8, P25519 - Y8];
function littleEndian(bytes) {
  var n = 0n;
  for (var i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}
function refusedPoint(bytes) {  // x = 0 with its sign bit set is y = 1 or p - 1: small order too
  var y = littleEndian(bytes) & ((1n << 255n) - 1n);
  return y >= P25519 || SMALL_ORDER_Y.indexOf(y) >= 0;
}
export function refusedEd25519(pub, sig) {
  return pub.length !== 32 || sig.length !== 64 || littleEndian(sig.slice(32)) >= L25519 ||
    refusedPoint(sig.slice(0, 32)) || refusedPoint(pub);
}

var webcryptoEd25519 = null;  // unknown until tried
export async function ed25519(pub, msg, sig) {
  if (refusedEd25519(pub, sig)) return false;
  if (webcryptoEd25519 !== false && !(typeof window !== 'undefined' && window.__paktaNoWebCryptoEd25519)) {
    try {
      var key = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
      var ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, msg);
      webcryptoEd25519 = true;
      return ok;
    } catch (e) {
      if (webcryptoEd25519 === true) throw e;
      webcryptoEd25519 = false;  // not supported here: the vendored code from now on
    }
  }
  // RFC 8032's strict decoding, not ZIP 215's (noble's default), which accepts more.
  return (await fallbackEd25519()).verify(sig, msg, pub, { zip215: false });
}
export async function keyId(raw) {
  var h = await sha256(concat(te.encode('pakta-keyid-v1'), [0], raw));
  return 'ed25519:' + hex(h.slice(0, 16));
}
export function pae(type, payload) {
  var t = te.encode(type);
  return concat(te.encode('DSSEv1 ' + t.length + ' '), t, te.encode(' ' + payload.length + ' '), payload);
}
export function micros(s) {
  var m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d\d):(\d\d))$/.exec(s);
  if (!m) throw new Error(say('bad-time', { time: s }));
  var t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (!m[8]) {
    var off = (+m[10] * 60 + +m[11]) * 60000;
    t += m[9] === '+' ? -off : off;
  }
  return t * 1000 + +((m[7] || '').padEnd(6, '0').slice(0, 6));
}

export async function parseVkey(vkey) {
  var first = vkey.indexOf('+'), second = vkey.indexOf('+', first + 1);
  if (first < 1 || second < 0) throw new Error(say('log-key-form'));
  var name = vkey.slice(0, first), typed = b64(vkey.slice(second + 1));
  var h = (await sha256(concat(te.encode(name + '\n'), typed))).slice(0, 4);
  if (typed[0] !== 1 || typed.length !== 33 || hex(h) !== vkey.slice(first + 1, second)) throw new Error(say('log-key-bad'));
  return { name: name, hash: h, key: typed.slice(1) };
}

export async function openCheckpoint(note, vkey) {
  var split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error(say('no-sig-block'));
  var text = note.slice(0, split + 1);
  var lines = note.slice(split + 2).split('\n').filter(function (l) { return l; });
  var signed = false;
  for (var i = 0; i < lines.length; i++) {
    var prefix = '\u2014 ' + vkey.name + ' ';
    if (lines[i].indexOf(prefix) !== 0) continue;
    var raw = b64(lines[i].slice(prefix.length));
    if (!equal(raw.slice(0, 4), vkey.hash)) continue;
    if (!(await ed25519(vkey.key, te.encode(text), raw.slice(4)))) throw new Error(say('log-sig-bad'));
    signed = true;
  }
  if (!signed) throw new Error(say('no-log-sig'));
  var body = text.slice(0, -1).split('\n');
  if (body[0] !== vkey.name) throw new Error(say('origin', { origin: body[0], name: vkey.name }));
  if (!/^(0|[1-9][0-9]*)$/.test(body[1])) throw new Error(say('bad-size'));
  var root = b64(body[2]);
  if (root.length !== 32) throw new Error(say('bad-root'));
  // docs/subject-map.md: at most one map line, "pakta-subject-map <root>" (version 1) or
  // "pakta-subject-map-v2 <root>" (version 2: the years' windows too); mapRoot is null
  // without one, mapVersion 0.
  var prefixes = { 1: 'pakta-subject-map ', 2: 'pakta-subject-map-v2 ' }, maps = [];
  body.slice(3).forEach(function (l) {
    Object.keys(prefixes).forEach(function (v) { if (l.indexOf(prefixes[v]) === 0) maps.push({ version: +v, text: l.slice(prefixes[v].length) }); });
  });
  if (maps.length > 1) throw new Error(say('two-maps'));
  var mapRoot = maps.length ? b64(maps[0].text) : null;
  if (mapRoot && mapRoot.length !== 32) throw new Error(say('bad-map-root'));
  return { size: +body[1], root: root, mapRoot: mapRoot, mapVersion: maps.length ? maps[0].version : 0, note: note };
}


// RFC 9162 §2.1.1: leaf = SHA-256(0x00 || d), node = SHA-256(0x01 || left || right).
export function leafHash(data) { return sha256(concat([0], data)); }
export function nodeHash(l, r) { return sha256(concat([1], l, r)); }

// Pinned registrar keys, each "keyid base64": {keyid: raw}; a key id that is not its key's fails.
export async function registrarKeys(pins) {
  var out = {};
  for (var i = 0; i < pins.length; i++) {
    var parts = pins[i].trim().split(' ');
    var raw = b64(parts[1]);
    if ((await keyId(raw)) !== parts[0]) throw new Error(say('registrar-key-bad', { keyid: parts[0] }));
    out[parts[0]] = raw;
  }
  return out;
}

// A stored entry's JSON text, opened: {entry, index, env, payload, statement, received_at}.
export function openEntry(text) {
  var entry = JSON.parse(text);
  var payload = b64(entry.envelope.payload);
  return { entry: entry, index: entry.index, env: entry.envelope, payload: payload, statement: JSON.parse(td.decode(payload)), received_at: entry.received_at };
}

// A key history entry's grants and revocations: keys[keyid] = {raw, from, revoked,
// revokedText, agency} (times in microseconds).
export async function applyKeys(e, keys) {
  var st = e.statement;
  var grants = st.type === 'agency.registered' ? st.body.keys : st.type === 'key.added' ? [st.body] : [];
  for (var i = 0; i < grants.length; i++) {
    var raw = b64(grants[i].public_key);
    keys[await keyId(raw)] = { raw: raw, from: micros(st.issued_at), revoked: null, revokedText: '', agency: st.agency };
  }
  if (st.type === 'key.revoked' && keys[st.body.keyid]) {
    keys[st.body.keyid].revoked = micros(st.body.effective_from);
    keys[st.body.keyid].revokedText = st.body.effective_from;
  }
}


// A failed check offers a report to SP4N-LAPOR! with the text to paste (the section's
// data-report-text, in the page's language): the unit's name, the failed steps and why, the
// page's address. A passing check hides it again.
export function offerReport(section, failures) {
  var box = section.querySelector('.verify-report');
  if (!box) return;
  box.hidden = !failures.length;
  if (!failures.length) return;
  box.querySelector('.report-text').textContent = failures.map(function (f) {
    return (section.dataset.reportText || '{name}: {step}: {detail} {url}').replace(/\{(\w+)\}/g, function (_, k) {
      return { name: section.dataset.reportName || '', step: f.step, detail: f.detail, url: window.location.href.split('#')[0] }[k] || '';
    });
  }).join('\n');
}
