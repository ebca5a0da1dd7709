// Keys that never leave the device (docs/workbench.md).
// - WebCrypto Ed25519, generated or imported as non-extractable, kept in IndexedDB: the page
//   can sign with it but no script can read it out.
// - An encrypted key file, the same format as `pakta keygen --passphrase` (PKCS #8
//   EncryptedPrivateKeyInfo, PBES2 with PBKDF2-HMAC-SHA-256 and AES-256-CBC, docs/key-files.md):
//   decrypted with WebCrypto PBKDF2 + AES-CBC; the key signs with WebCrypto Ed25519 where the
//   browser has it, else with the vendored @noble/ed25519.
import * as ed from "../vendor/@noble/ed25519/index.js";
import { sha512 } from "../vendor/@noble/hashes/sha2.js";
import { b64, concat, keyId, unb64 } from "./dsse.js";

ed.hashes.sha512 = sha512;

const DB_NAME = "pakta-workbench";
const STORE = "keys";
// The 16 bytes before the seed in an Ed25519 PrivateKeyInfo (RFC 8410).
const PKCS8_HEAD = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b,
  0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const OID = {
  pbes2: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d],
  pbkdf2: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c],
  hmacSha256: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09],
  aes256cbc: [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a],
};
// What a file written here costs an attacker per guess: OWASP's advice for PBKDF2-SHA-256.
export const FILE_ITERATIONS = 600000;
export const MIN_PASSPHRASE = 12;

export class KeyError extends Error {
  constructor(code, message) { super(message); this.code = code; }
}

let ed25519Support = null;
export async function hasWebCryptoEd25519() {
  if (ed25519Support === null) {
    try {
      await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
      ed25519Support = true;
    } catch (e) {
      ed25519Support = false;
    }
  }
  return ed25519Support;
}

// -- IndexedDB ---------------------------------------------------------------------------
function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "keyid" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const req = work(t.objectStore(STORE));
    t.oncomplete = () => { db.close(); resolve(req ? req.result : undefined); };
    t.onerror = () => { db.close(); reject(t.error); };
  });
}

export async function storedKeys() {
  return (await tx("readonly", (s) => s.getAll())) || [];
}

export async function forgetKey(keyid) {
  await tx("readwrite", (s) => s.delete(keyid));
}

async function store(record) {
  await tx("readwrite", (s) => s.put(record));
  return record;
}

// -- signers -----------------------------------------------------------------------------
export function signerOf(record) {
  return {
    keyid: record.keyid,
    publicKey: unb64(record.publicKey),
    holder: record.holder || "",
    agency: record.agency || "",
    role: record.role || "",
    kind: record.kind,
    sign: async (bytes) => new Uint8Array(
      await crypto.subtle.sign({ name: "Ed25519" }, record.privateKey, bytes)),
  };
}

function seedSigner(seed, publicRaw, keyid, meta) {
  return {
    keyid, publicKey: publicRaw, kind: "file", ...meta,
    sign: async (bytes) => ed.sign(bytes, seed),
  };
}

async function recordFor(pair, meta) {
  const publicRaw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return {
    keyid: await keyId(publicRaw), publicKey: b64(publicRaw), privateKey: pair.privateKey,
    kind: "webcrypto", created: new Date().toISOString(), ...meta,
  };
}

// A new non-extractable WebCrypto key, kept in this browser's IndexedDB.
export async function generateInBrowser(meta) {
  if (!(await hasWebCryptoEd25519())) throw new KeyError("no-webcrypto", "no WebCrypto Ed25519");
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  return signerOf(await store(await recordFor(pair, meta)));
}

// -- encrypted key files -----------------------------------------------------------------
function tlv(tag, body) {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return concat(Uint8Array.from([tag, ...len]), body);
}
const seq = (...parts) => tlv(0x30, concat(...parts));
const oid = (bytes) => tlv(0x06, Uint8Array.from(bytes));
const octets = (bytes) => tlv(0x04, bytes);
function integer(value) {
  const out = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  if (out.length === 0 || out[0] & 0x80) out.unshift(0);
  return tlv(0x02, Uint8Array.from(out));
}

function readTlv(bytes, at) {
  const tag = bytes[at];
  let len = bytes[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count < 1 || count > 3) throw new KeyError("not-a-key-file", "bad DER length");
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + bytes[start + i];
    start += count;
  }
  if (start + len > bytes.length) throw new KeyError("not-a-key-file", "truncated DER");
  return { tag, value: bytes.subarray(start, start + len), end: start + len };
}

function children(node, tag = 0x30) {
  if (node.tag !== tag) throw new KeyError("not-a-key-file", "unexpected DER");
  const out = [];
  for (let at = 0; at < node.value.length;) {
    const child = readTlv(node.value, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

function expectOid(node, want) {
  if (node.tag !== 0x06 || node.value.length !== want.length ||
      !node.value.every((b, i) => b === want[i])) {
    throw new KeyError("not-a-key-file", "an encryption this page does not read");
  }
}

function toInt(node) {
  if (node.tag !== 0x02 || node.value.length > 6) throw new KeyError("not-a-key-file", "bad int");
  return node.value.reduce((n, b) => n * 256 + b, 0);
}

export function parseEncryptedPem(text) {
  const m = /-----BEGIN ENCRYPTED PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END ENCRYPTED PRIVATE KEY-----/
    .exec(text);
  if (!m) throw new KeyError("not-a-key-file", "not an encrypted PKCS #8 PEM file");
  const der = unb64(m[1].replace(/\s+/g, ""));
  const [alg, data] = children(readTlv(der, 0));
  const [scheme, params] = children(alg);
  expectOid(scheme, OID.pbes2);
  const [kdf, cipher] = children(params);
  const [kdfOid, kdfParams] = children(kdf);
  expectOid(kdfOid, OID.pbkdf2);
  const p = children(kdfParams);
  if (p[0].tag !== 0x04) throw new KeyError("not-a-key-file", "bad salt");
  let rest = p.slice(2);
  if (rest.length && rest[0].tag === 0x02) rest = rest.slice(1); // keyLength
  if (rest.length !== 1) throw new KeyError("not-a-key-file", "PBKDF2 without HMAC-SHA-256");
  expectOid(children(rest[0])[0], OID.hmacSha256);
  const [cipherOid, iv] = children(cipher);
  expectOid(cipherOid, OID.aes256cbc);
  if (iv.tag !== 0x04 || iv.value.length !== 16 || data.tag !== 0x04) {
    throw new KeyError("not-a-key-file", "bad AES parameters");
  }
  return { salt: p[0].value, iterations: toInt(p[1]), iv: iv.value, ciphertext: data.value };
}

async function aesKey(passphrase, salt, iterations, usage) {
  const password = new TextEncoder().encode(passphrase.normalize("NFC"));
  const base = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations }, base,
    { name: "AES-CBC", length: 256 }, false, [usage]);
}

// The seed in an encrypted key file, or KeyError("wrong-passphrase").
export async function decryptKeyFile(text, passphrase) {
  const f = parseEncryptedPem(text);
  let plain;
  try {
    const key = await aesKey(passphrase, f.salt, f.iterations, "decrypt");
    plain = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-CBC", iv: f.iv }, key,
      f.ciphertext));
  } catch (e) {
    throw new KeyError("wrong-passphrase", "wrong passphrase (or a damaged file)");
  }
  if (plain.length !== 48 || !PKCS8_HEAD.every((b, i) => plain[i] === b)) {
    throw new KeyError("wrong-passphrase", "wrong passphrase (or a damaged file)");
  }
  return plain.slice(16);
}

// An unencrypted PKCS #8 file (a registrar key written by `pakta init`): the seed in it.
function plainSeed(text) {
  const m = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/.exec(text);
  const der = m ? unb64(m[1].replace(/\s+/g, "")) : new Uint8Array();
  if (der.length !== 48 || !PKCS8_HEAD.every((b, i) => der[i] === b)) {
    throw new KeyError("not-a-key-file", "not an Ed25519 PKCS #8 PEM file");
  }
  return der.slice(16);
}

function pem(der) {
  const body = b64(der).match(/.{1,64}/g).join("\n");
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${body}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
}

export async function encryptSeed(seed, passphrase, iterations = FILE_ITERATIONS) {
  if (passphrase.length < MIN_PASSPHRASE) throw new KeyError("short-passphrase", "too short");
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(16));
  const key = await aesKey(passphrase, salt, iterations, "encrypt");
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, key,
    concat(PKCS8_HEAD, seed)));
  const der = seq(
    seq(oid(OID.pbes2), seq(
      seq(oid(OID.pbkdf2), seq(octets(salt), integer(iterations),
        seq(oid(OID.hmacSha256), Uint8Array.from([0x05, 0x00])))),
      seq(oid(OID.aes256cbc), octets(iv)))),
    octets(ciphertext));
  return pem(der);
}

// A new key as an encrypted file (for a browser without WebCrypto Ed25519, or to move it).
export async function generateFile(passphrase, meta) {
  const seed = ed.utils.randomSecretKey();
  const text = await encryptSeed(seed, passphrase);
  const publicRaw = ed.getPublicKey(seed);
  const keyid = await keyId(publicRaw);
  return { text, signer: seedSigner(seed, publicRaw, keyid, meta) };
}

// Open an encrypted key file: a signer for this page, and, where WebCrypto Ed25519 exists
// and `keep` is set, a non-extractable copy in this browser's IndexedDB.
export async function openKeyFile(text, passphrase, meta = {}, keep = false) {
  const seed = /-----BEGIN PRIVATE KEY-----/.test(text) ? plainSeed(text) :
    await decryptKeyFile(text, passphrase);
  const publicRaw = ed.getPublicKey(seed);
  const keyid = await keyId(publicRaw);
  if (keep && (await hasWebCryptoEd25519())) {
    const privateKey = await crypto.subtle.importKey("pkcs8", concat(PKCS8_HEAD, seed),
      { name: "Ed25519" }, false, ["sign"]);
    return signerOf(await store({
      keyid, publicKey: b64(publicRaw), privateKey, kind: "webcrypto",
      created: new Date().toISOString(), ...meta,
    }));
  }
  return seedSigner(seed, publicRaw, keyid, meta);
}
