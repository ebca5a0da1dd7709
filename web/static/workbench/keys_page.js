// The keys page: keys kept in this browser, new keys (WebCrypto or an encrypted file), the
// printable key request with proof of possession (docs/key-request.md), moving a key file in.
import { b64, canonical, KEY_REQUEST_TYPE, pae } from "./dsse.js";
import { forgetKey, generateFile, generateInBrowser, hasWebCryptoEd25519, KeyError,
  MIN_PASSPHRASE, openKeyFile, storedKeys } from "./keys.js";
import { $, data, download, nowRfc3339, roleName, S, say } from "./common.js";

const ROLES = ["agency_head", "unit_head", "operator", "tpi", "tpn", "witness", "surveyor"];
const KINDS = ["pemerintah_provinsi", "pemerintah_kabupaten", "pemerintah_kota", "perangkat_daerah",
  "instansi_vertikal", "kementerian_lembaga", "unit_kerja", "lembaga_pengawas",
  "masyarakat_sipil", "tim_penilai"];

function options(select, values) {
  for (const v of values) {
    const o = document.createElement("option");
    o.value = v; o.textContent = data.words.values[v] || v;
    select.append(o);
  }
}

async function listKeys() {
  const keys = await storedKeys().catch(() => []);
  const ul = $("#wb-keys");
  ul.replaceChildren();
  $("#wb-keys-empty").hidden = keys.length > 0;
  for (const k of keys) {
    const li = document.createElement("li");
    const code = document.createElement("code");
    code.textContent = k.keyid;
    const drop = document.createElement("button");
    drop.type = "button";
    drop.textContent = S.forget_key;
    drop.addEventListener("click", async () => {
      if (confirm(S.forget_confirm)) { await forgetKey(k.keyid); listKeys(); }
    });
    li.append(`${k.holder} · ${roleName(k.role)} · ${k.agency} · `, code, " ", drop);
    ul.append(li);
  }
}

function meta() {
  return {
    agency: $("#wb-req-agency").value.trim(),
    role: $("#wb-req-role").value,
    holder: $("#wb-req-holder").value.trim(),
  };
}

// A key request signed by the new key itself (events/key_request.py).
async function request(signer, m) {
  const unsigned = {
    format: "pakta-key-request/v1", agency: m.agency, role: m.role, holder: m.holder,
    public_key: b64(signer.publicKey), keyid: signer.keyid, requested_at: nowRfc3339(),
  };
  if ($("#wb-req-new").checked) {
    const parent = $("#wb-req-parent").value.trim();
    unsigned.new_agency = { name: $("#wb-req-name").value.trim(), kind: $("#wb-req-kind").value,
      parent: parent || null, region: null };
  }
  const signature = await signer.sign(pae(KEY_REQUEST_TYPE, canonical(unsigned)));
  return { ...unsigned, signature: b64(signature) };
}

function showRequest(req) {
  $("#wb-request").hidden = false;
  $("#wb-request-keyid").textContent = req.keyid;
  $("#wb-request-agency").textContent = req.agency;
  $("#wb-request-role").textContent = roleName(req.role);
  $("#wb-request-holder").textContent = req.holder;
  const text = JSON.stringify(req, null, 2) + "\n";
  $("#wb-request-json").textContent = text;
  $("#wb-request-save").onclick = () => download(`${req.agency}-${req.role}.key-request.json`, text);
  $("#wb-request-print").onclick = () => window.print();
}

function complete(m) {
  if (!m.agency || !m.holder) { say("#wb-gen-status", S.fill_request, "bad"); return false; }
  return true;
}

$("#wb-gen-browser").addEventListener("click", async () => {
  const m = meta();
  if (!complete(m)) return;
  try {
    const signer = await generateInBrowser(m);
    say("#wb-gen-status", `${S.key_ready}: ${signer.keyid}`, "ok");
    showRequest(await request(signer, m));
    listKeys();
  } catch (e) {
    say("#wb-gen-status", e instanceof KeyError ? S.no_webcrypto : String(e), "bad");
  }
});

$("#wb-gen-file").addEventListener("click", async () => {
  const m = meta();
  if (!complete(m)) return;
  const pass = $("#wb-gen-pass").value;
  if (pass.length < MIN_PASSPHRASE) { say("#wb-gen-status", S.short_passphrase, "bad"); return; }
  if (pass !== $("#wb-gen-pass2").value) { say("#wb-gen-status", S.passphrase_mismatch, "bad"); return; }
  const { text, signer } = await generateFile(pass, m);
  $("#wb-gen-pass").value = $("#wb-gen-pass2").value = "";
  download(`${m.agency}-${m.role}.key`, text, "application/x-pem-file");
  say("#wb-gen-status", `${S.key_file_saved}: ${signer.keyid}`, "ok");
  showRequest(await request(signer, m));
});

$("#wb-move").addEventListener("click", async () => {
  const f = $("#wb-move-file").files[0];
  if (!f) return;
  try {
    const signer = await openKeyFile(await f.text(), $("#wb-move-pass").value, meta(), true);
    $("#wb-move-pass").value = "";
    say("#wb-move-status", `${S.key_ready}: ${signer.keyid}`, "ok");
    listKeys();
  } catch (e) {
    say("#wb-move-status", e.code === "not-a-key-file" ? S.not_a_key_file : S.wrong_passphrase, "bad");
  }
});

$("#wb-req-new").addEventListener("change", () => {
  $("#wb-req-agency-profile").hidden = !$("#wb-req-new").checked;
});
options($("#wb-req-role"), ROLES);
options($("#wb-req-kind"), KINDS);
hasWebCryptoEd25519().then((ok) => {
  $("#wb-no-webcrypto").hidden = ok;
  $("#wb-gen-browser").disabled = !ok;
});
listKeys();
