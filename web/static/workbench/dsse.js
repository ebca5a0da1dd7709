// Pakta's signing formats in the browser: base64, RFC 8785 JSON of plain documents, key ids,
// DSSE's pre-authentication encoding and envelopes (the same as keys/dsse.py and
// keys/ed25519.py; docs/workbench.md). Hashing is WebCrypto's SHA-256.

export const STATEMENT_TYPE = "application/vnd.pakta.statement+json";
export const KEY_REQUEST_TYPE = "application/vnd.pakta.key-request+json";
const KEY_ID_TAG = new TextEncoder().encode("pakta-keyid-v1\u0000");

export function b64(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

export function unb64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

export async function sha256Ref(bytes) {
  return "sha256:" + hex(await sha256(bytes));
}

// RFC 8785 for plain documents (strings, integers, booleans, null, arrays, objects): keys in
// UTF-16 code-unit order, which is what Array.prototype.sort does on strings.
function ordered(value) {
  if (Array.isArray(value)) return value.map(ordered);
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const k of Object.keys(value).sort()) out[k] = ordered(value[k]);
    return out;
  }
  return value;
}

export function canonical(value) {
  return new TextEncoder().encode(JSON.stringify(ordered(value)));
}

export async function keyId(publicRaw) {
  return "ed25519:" + hex((await sha256(concat(KEY_ID_TAG, publicRaw))).slice(0, 16));
}

export function pae(type, payload) {
  const t = new TextEncoder().encode(type);
  const head = new TextEncoder().encode(`DSSEv1 ${t.length} `);
  const mid = new TextEncoder().encode(` ${payload.length} `);
  return concat(head, t, mid, payload);
}

// A signer is {keyid, publicKey (32 bytes), sign(bytes) -> Promise<64 bytes>}.
export async function signEnvelope(payload, signer, envelope = null) {
  const sig = await signer.sign(pae(STATEMENT_TYPE, payload));
  const signatures = envelope ? envelope.signatures.filter((s) => s.keyid !== signer.keyid) : [];
  signatures.push({ keyid: signer.keyid, sig: b64(sig) });
  return { payloadType: STATEMENT_TYPE, payload: b64(payload), signatures };
}

export function decodePayload(envelope) {
  return JSON.parse(new TextDecoder().decode(unb64(envelope.payload)));
}

// Deep equality of two parsed JSON values.
export function sameJson(a, b) {
  return JSON.stringify(ordered(a)) === JSON.stringify(ordered(b));
}

// A draft envelope in a URL fragment as links made it before handover.js compressed them.
export function draftFromFragment(text) {
  const std = text.replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(new TextDecoder().decode(unb64(std + "=".repeat((4 - (std.length % 4)) % 4))));
}
