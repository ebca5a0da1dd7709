// The statement page of the workbench: pick agency and type, fill the generated form, check
// it with the registry's own parser, preview, sign here, post, show the receipt; a stale
// head is refreshed and re-signed with one click; a draft can be saved for co-signers.
import { decodePayload, sameJson, signEnvelope, unb64 } from "./dsse.js";
import { drawQr, packDraft, PREFIX } from "./handover.js";
import { clearErrors, control, documentsControl, makeContext, showError } from "./form.js";
import { $, data, download, getJson, keyPicker, nowRfc3339, plainProblem, postJson, roleName, S,
  say, showReceipt } from "./common.js";

const types = Object.fromEntries(data.catalog.types.map((t) => [t.name, t]));
const lang = document.documentElement.lang === "en" ? "en" : "id";
let head = null;
let form = null;
let documents = null;
let source = null;
const entryCache = {};

const ctx = makeContext(data.words, data.strings, {
  references: data.references,
  agency: () => (head ? head.agency : ""),
  entries: async (agency) => {
    if (!entryCache[agency]) {
      const r = await getJson(`/workbench/api/entries/${encodeURIComponent(agency)}`);
      entryCache[agency] = r.ok ? r.body : [];
    }
    return entryCache[agency];
  },
  plan: () => Object.entries((head && head.lifecycle.plan) || {})
    .filter(([, p]) => !p.cancelled && !p.done)
    .map(([id, p]) => ({ id, label: `${id} · ${p.due}` })),
});

async function loadHead() {
  const id = $("#wb-agency").value.trim();
  if (!id) return false;
  const r = await getJson(`/api/v1/agencies/${encodeURIComponent(id)}`);
  if (!r.ok) {
    head = null;
    say("#wb-agency-info", S.unknown_agency, "bad");
    return false;
  }
  head = r.body;
  delete entryCache[id];
  const next = head.head.seq === null ? 0 : head.head.seq + 1;
  say("#wb-agency-info", `${head.name} · ${S.next_seq} ${next}`, "ok");
  return true;
}

function showType() {
  const t = types[$("#wb-type").value];
  const box = $("#wb-form");
  box.replaceChildren();
  form = documents = source = null;
  if (!t) { $("#wb-type-info").hidden = true; return; }
  const who = t.signer_roles.map(roleName).join(", ");
  const co = t.cosigner_roles.length ? ` ${S.cosigned_by} ${t.cosigner_roles.map(roleName).join(", ")}.` : "";
  say("#wb-type-info", `${t.title[lang]}. ${S.signed_by_roles} ${who}.${co}`, "");
  form = control(t.body_schema, "body", "/body", true, ctx);
  form.el.querySelector("legend").textContent = t.title[lang];
  documents = documentsControl(data.documents_schema, ctx);
  box.append(form.el, documents.el);
  const intro = $("#wb-status");
  say(intro, "");
  $("#wb-preview").hidden = true;
}

function statement() {
  const t = $("#wb-type").value;
  const out = {
    type: t,
    agency: head.agency,
    seq: head.head.seq === null ? 0 : head.head.seq + 1,
    prev: head.head.hash,
    issued_at: nowRfc3339(),
    body: form.read() || {},
  };
  const docs = documents.read();
  if (docs !== undefined) out.documents = docs;
  return out;
}

// The registry's parser on the unsigned statement: the payload bytes to sign, or the field.
async function check() {
  clearErrors($("#wb-form"));
  $("#wb-preview").hidden = true;
  if (!head && !(await loadHead())) return null;
  if (!form) return null;
  say("#wb-status", S.checking, "muted");
  const st = statement();
  const r = await postJson("/workbench/api/check", { statement: st });
  if (!r.ok) {
    say("#wb-status", S.check_failed, "bad");
    if (!showError($("#wb-form"), r.body, S)) say("#wb-status", plainProblem(r.body).join(" "), "bad");
    return null;
  }
  const payload = unb64(r.body.payload);
  // The bytes to sign must say exactly what the form says.
  if (!sameJson(JSON.parse(new TextDecoder().decode(payload)), st)) throw new Error("payload mismatch");
  say("#wb-status", S.check_ok, "ok");
  preview(st, r.body.hash, r.body.summary);
  return payload;
}

function preview(st, hash, summary) {
  const box = $("#wb-preview");
  box.hidden = false;
  // The sentence citizens will read on the entry page (the registry's own summary).
  $("#wb-preview-summary").textContent = summary;
  $("#wb-preview-title").textContent = `${types[st.type].title[lang]} · ${head.name}`;
  $("#wb-preview-meta").textContent = `${S.seq_word} ${st.seq} · ${st.issued_at} · ${hash}`;
  const dl = $("#wb-preview-body");
  dl.replaceChildren();
  const add = (label, value, depth) => {
    const dt = document.createElement("dt");
    dt.textContent = label;
    dt.style.paddingLeft = `${depth}em`;
    const dd = document.createElement("dd");
    if (value !== null && typeof value === "object") {
      dl.append(dt);
      for (const [k, v] of Object.entries(value)) {
        add(Array.isArray(value) ? `${Number(k) + 1}.` : (data.words.fields[k] || { label: k }).label, v, depth + 1);
      }
      return;
    }
    dd.textContent = typeof value === "boolean" ? (value ? S.yes : S.no) :
      (data.words.values[value] || String(value));
    dl.append(dt, dd);
  };
  for (const [k, v] of Object.entries(st.body)) add((data.words.fields[k] || { label: k }).label, v, 0);
  if (st.documents) add(data.words.fields.documents.label, st.documents, 0);
}

let pendingEnvelope = null;

async function signAndPost() {
  const signer = await picker.signer();
  if (!signer) { say("#wb-status", S.no_key, "bad"); return; }
  const payload = await check();
  if (!payload) return;
  say("#wb-status", S.signing, "muted");
  pendingEnvelope = await signEnvelope(payload, signer);
  await post(pendingEnvelope);
}

async function post(envelope) {
  say("#wb-status", S.posting, "muted");
  $("#wb-stale").hidden = true;
  const r = await postJson("/api/v1/statements", envelope);
  if (r.ok) {
    say("#wb-status", `${S.posted} #${r.body.index}.`, "ok");
    await showReceipt(r.body, $("#wb-receipt"));
    await loadHead();
    return;
  }
  if (r.status === 409) {
    say("#wb-status", "", "");
    $("#wb-stale").hidden = false;
    return;
  }
  if (r.body.field && showError($("#wb-form"), r.body, S)) {
    say("#wb-status", S.check_failed, "bad");
  } else {
    const [plain, detail] = plainProblem(r.body);
    say("#wb-status", `${S.refused} ${plain} ${detail}`, "bad");
  }
}

async function saveDraft() {
  const signer = await picker.signer();
  if (!signer) { say("#wb-status", S.no_key, "bad"); return; }
  const payload = await check();
  if (!payload) return;
  const envelope = await signEnvelope(payload, signer);
  const st = decodePayload(envelope);
  download(`pakta-draft-${st.agency}-${st.seq}.json`, JSON.stringify(envelope, null, 2) + "\n");
  say("#wb-status", S.draft_saved, "ok");
  // The same draft as a link and its QR code: it travels in the fragment, never sent.
  const url = new URL(`/workbench/cosign${PREFIX}${await packDraft(envelope)}`, location.href).href;
  const link = $("#wb-draft-link");
  link.href = url;
  link.parentElement.hidden = false;
  const canvas = $("#wb-draft-qr");
  const fits = drawQr(canvas, url);
  canvas.dataset.url = fits ? url : "";
  $("#wb-draft-qr-box").hidden = !fits;
  $("#wb-draft-qr-too-big").hidden = fits;
}

const picker = keyPicker();
for (const t of data.catalog.types) {
  const o = document.createElement("option");
  o.value = t.name;
  o.textContent = t.title[lang];
  $("#wb-type").append(o);
}
$("#wb-load").addEventListener("click", loadHead);
$("#wb-agency").addEventListener("input", async () => {
  const q = $("#wb-agency").value.trim();
  if (q.length < 2) return;
  const r = await getJson(`/api/v1/agencies?q=${encodeURIComponent(q)}`);
  $("#wb-agencies").replaceChildren(...(r.ok ? r.body : []).slice(0, 20).map((a) => {
    const o = document.createElement("option");
    o.value = a.agency;
    o.textContent = a.name;
    return o;
  }));
});
$("#wb-agency").addEventListener("change", loadHead);
$("#wb-type").addEventListener("change", showType);
$("#wb-example").addEventListener("click", () => {
  const t = types[$("#wb-type").value];
  if (t && form) form.fill(t.example);
});
$("#wb-check").addEventListener("click", check);
$("#wb-sign").addEventListener("click", signAndPost);
$("#wb-draft").addEventListener("click", saveDraft);
$("#wb-refresh").addEventListener("click", async () => {
  await loadHead();
  await signAndPost();
});
const params = new URLSearchParams(location.search);
if (params.get("agency")) { $("#wb-agency").value = params.get("agency"); loadHead(); }
if (params.get("type") && types[params.get("type")]) { $("#wb-type").value = params.get("type"); showType(); }
// For tests and scripts in the page: fill the form from a value (no JSON is typed by people).
window.paktaWorkbench = {
  fill: (body, docs) => { form.fill(body); documents.fill(docs); },
  read: () => statement(),
  check: async () => Boolean(await check()),
};
