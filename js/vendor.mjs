// Copies the audited libraries pinned in package-lock.json into the site's static folder (and
// axe-core into the browser tests' folder), each with its licence, and writes VENDOR.json:
// package, version, the lock file's integrity, and the sha256 of every file copied. Run by
// `make vendor` after `npm ci`; tests/web/test_vendored_js.py checks the copies against it.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const lock = JSON.parse(readFileSync(join(here, "package-lock.json"), "utf8"));

const plan = [
  { target: "web/static/vendor", name: "@noble/ed25519", files: ["index.js", "LICENSE"] },
  {
    target: "web/static/vendor",
    name: "@noble/hashes",
    files: ["sha2.js", "_md.js", "_u64.js", "utils.js", "hmac.js", "pbkdf2.js", "LICENSE"],
  },
  { target: "tests/browser/vendor", name: "axe-core", files: ["axe.min.js", "LICENSE"] },
  // The workbench's draft QR code. The package ships no LICENSE file: its licence is the MIT
  // notice at the head of its source, copied out verbatim as LICENSE (`licenceFrom`).
  {
    target: "web/static/vendor",
    name: "qrcode-generator",
    files: [["dist/qrcode.mjs", "qrcode.mjs"]],
    licenceFrom: "dist/qrcode.mjs",
  },
];

// The leading comment block of a source file (its copyright and licence notice).
function headerNotice(text) {
  const lines = text.split("\n");
  const out = [];
  for (const line of lines) {
    if (!line.startsWith("//")) break;
    out.push(line);
  }
  return out.join("\n") + "\n";
}

const manifests = new Map();
for (const { target, name, files, licenceFrom } of plan) {
  const locked = lock.packages[`node_modules/${name}`];
  const folder = join(root, target, name);
  mkdirSync(folder, { recursive: true });
  const hashes = {};
  for (const file of files) {
    const [from, to] = Array.isArray(file) ? file : [file, file];
    const source = join(here, "node_modules", name, from);
    copyFileSync(source, join(folder, to));
    hashes[to] = createHash("sha256").update(readFileSync(source)).digest("hex");
  }
  if (licenceFrom) {
    const notice = headerNotice(readFileSync(join(here, "node_modules", name, licenceFrom), "utf8"));
    writeFileSync(join(folder, "LICENSE"), notice);
    hashes.LICENSE = createHash("sha256").update(notice).digest("hex");
  }
  const entries = manifests.get(target) ?? [];
  entries.push({ name, version: locked.version, integrity: locked.integrity, sha256: hashes });
  manifests.set(target, entries);
}
for (const [target, entries] of manifests) {
  writeFileSync(join(root, target, "VENDOR.json"), JSON.stringify(entries, null, 2) + "\n");
}
