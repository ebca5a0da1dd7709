// Handing a draft over by link or QR code. The draft envelope travels in the URL fragment,
// which browsers never send to a server: its statement text and signatures as JSON,
// compressed (CompressionStream "deflate-raw") and base64url-encoded, after "#z=". The QR code
// of that address is drawn here with the vendored qrcode-generator (npm, js/package-lock.json)
// at error-correction level L; a draft too big for one QR code says so, and the file and the
// link remain.
import qrcode from "../vendor/qrcode-generator/qrcode.mjs";
import { b64, STATEMENT_TYPE, unb64 } from "./dsse.js";

export const PREFIX = "#z=";

async function through(bytes, stream) {
  const out = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

const toUrl = (text) => text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromUrl = (text) => {
  const std = text.replace(/-/g, "+").replace(/_/g, "/");
  return std + "=".repeat((4 - (std.length % 4)) % 4);
};

// The payload bytes are UTF-8 JSON the registry checked: as text they round-trip exactly.
export async function packDraft(envelope) {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(unb64(envelope.payload));
  const compact = new TextEncoder().encode(JSON.stringify({ t: text, s: envelope.signatures }));
  return toUrl(b64(await through(compact, new CompressionStream("deflate-raw"))));
}

export async function unpackDraft(fragment) {
  const raw = await through(unb64(fromUrl(fragment)), new DecompressionStream("deflate-raw"));
  const compact = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  if (typeof compact.t !== "string" || !Array.isArray(compact.s)) throw new Error("not a draft");
  return { payloadType: STATEMENT_TYPE, payload: b64(new TextEncoder().encode(compact.t)),
    signatures: compact.s };
}

// Draw the QR code of `text` on `canvas` (dark modules on white, a 4-module quiet zone);
// false when it does not fit in one QR code at level L.
export function drawQr(canvas, text, scale = 4) {
  const qr = qrcode(0, "L");
  qr.addData(text, "Byte");
  try { qr.make(); } catch (e) { return false; }
  const n = qr.getModuleCount();
  const border = 4;
  canvas.width = canvas.height = (n + 2 * border) * scale;
  const g = canvas.getContext("2d");
  g.fillStyle = "#fff";
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = "#000";
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.isDark(r, c)) g.fillRect((c + border) * scale, (r + border) * scale, scale, scale);
    }
  }
  return true;
}
