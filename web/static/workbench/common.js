// What the workbench pages share: their data, the key picker, posting an envelope to the
// registry and showing its receipt (with the warnings the rules raised, in plain words).
import { openKeyFile, signerOf, storedKeys, KeyError } from "./keys.js";

export const data = JSON.parse(document.getElementById("wb-data").textContent);
export const S = data.strings;
export const $ = (sel) => document.querySelector(sel);

export function nowRfc3339() {
  const d = new Date();
  d.setMilliseconds(0);
  const minutes = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + minutes * 60000).toISOString().slice(0, 19);
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

export function say(target, text, kind = "") {
  const node = typeof target === "string" ? $(target) : target;
  node.textContent = text;
  node.className = kind;
  node.hidden = !text;
}

export async function getJson(url) {
  const r = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({}));
  return { ok: r.ok, status: r.status, body };
}

export async function postJson(url, value, type = "application/json") {
  let r;
  try {
    r = await fetch(url, {
      method: "POST", body: JSON.stringify(value),
      headers: { "Content-Type": type, Accept: "application/json" },
    });
  } catch (e) {
    return { ok: false, status: 0, body: { detail: S.network } };
  }
  const body = await r.json().catch(() => ({}));
  return { ok: r.ok, status: r.status, body };
}

export function download(name, text, type = "application/json") {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

export function roleName(role) {
  return data.words.values[role] || role;
}

// The key picker: keys kept in this browser, or an encrypted key file opened here.
export function keyPicker() {
  const select = $("#wb-key");
  let fileSigner = null;
  const refresh = async () => {
    const keys = await storedKeys().catch(() => []);
    select.replaceChildren();
    const opt = (value, text) => {
      const o = document.createElement("option");
      o.value = value; o.textContent = text; return o;
    };
    select.append(opt("", keys.length || fileSigner ? S.choose : S.no_key));
    for (const k of keys) {
      select.append(opt(k.keyid, `${k.holder || ""} · ${roleName(k.role)} · ${k.agency || ""} · ${k.keyid}`));
    }
    if (fileSigner) {
      select.append(opt("file", `${S.key_file} · ${fileSigner.keyid}`));
      select.value = "file";
    } else if (keys.length === 1) {
      select.value = keys[0].keyid;
    }
  };
  $("#wb-open-key").addEventListener("click", async () => {
    const f = $("#wb-keyfile").files[0];
    if (!f) return;
    try {
      fileSigner = await openKeyFile(await f.text(), $("#wb-passphrase").value);
      $("#wb-passphrase").value = "";
      say("#wb-key-status", `${S.key_ready}: ${fileSigner.keyid}`, "ok");
    } catch (e) {
      say("#wb-key-status", e instanceof KeyError && e.code === "not-a-key-file" ?
        S.not_a_key_file : S.wrong_passphrase, "bad");
    }
    await refresh();
  });
  refresh();
  return {
    refresh,
    async signer() {
      if (select.value === "file") return fileSigner;
      const keys = await storedKeys();
      const k = keys.find((x) => x.keyid === select.value);
      return k ? signerOf(k) : null;
    },
  };
}

// Words for a problem from the registry: what went wrong and what to do.
export function plainProblem(problem) {
  const code = problem.code || "";
  const plain = S[`code_${code}`] || (code.startsWith("rule:") ? S.code_rule : "");
  return [plain || S.refused, problem.detail || ""];
}

export async function showReceipt(receipt, box) {
  box.hidden = false;
  $("#wb-receipt-index").textContent = `#${receipt.index}`;
  const link = $("#wb-receipt-link");
  link.href = `/entries/${receipt.index}`;
  link.textContent = `${S.entry} #${receipt.index}`;
  $("#wb-receipt-qr").src = `/entries/${receipt.index}/qr.svg`;
  $("#wb-receipt-hash").textContent = receipt.statement_hash;
  $("#wb-receipt-json").textContent = JSON.stringify(receipt, null, 2);
  const list = $("#wb-warnings");
  list.replaceChildren();
  const explained = await postJson("/workbench/api/explain", { warnings: receipt.warnings || [] });
  const warnings = explained.ok ? explained.body.warnings : [];
  for (const w of warnings) {
    const li = document.createElement("li");
    li.dataset.code = w.code;
    li.textContent = w.detail ? `${w.title}: ${w.detail}` : w.title;
    list.append(li);
  }
  say("#wb-no-warnings", warnings.length ? "" : S.no_warnings, "muted");
  $("#wb-receipt-save").onclick = () =>
    download(`pakta-receipt-${receipt.index}.json`, JSON.stringify(receipt, null, 2) + "\n");
  $("#wb-receipt-print").onclick = () => window.print();
}
