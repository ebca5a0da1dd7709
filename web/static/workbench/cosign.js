// Co-signing later: open a draft envelope, see who signed and who still must, add a signature
// made here (as `pakta cosign` does), save it again or post it. Who must sign comes from the
// registry's own table (registry/rules/signers.py, read by signers.js).
import { decodePayload, draftFromFragment, signEnvelope, STATEMENT_TYPE, unb64 } from "./dsse.js";
import { PREFIX, unpackDraft } from "./handover.js";
import { namedAgencies, stillNeeded } from "./signers.js";
import { $, data, download, getJson, keyPicker, plainProblem, postJson, roleName, S, say,
  showReceipt } from "./common.js";

const types = Object.fromEntries(data.catalog.types.map((t) => [t.name, t]));
const lang = document.documentElement.lang === "en" ? "en" : "id";
let envelope = null;
const picker = keyPicker();

async function keysOf(agency) {
  const r = await getJson(`/api/v1/agencies/${encodeURIComponent(agency)}`);
  return r.ok ? r.body : null;
}

async function show() {
  const st = decodePayload(envelope);
  const t = types[st.type];
  $("#wb-draft-view").hidden = false;
  $("#wb-draft-title").textContent = `${t ? t.title[lang] : st.type} · ${st.agency}`;
  $("#wb-draft-meta").textContent = `${S.seq_word} ${st.seq} · ${st.issued_at}`;
  const dl = $("#wb-draft-body");
  dl.replaceChildren();
  for (const [k, v] of Object.entries(st.body)) {
    const dt = document.createElement("dt");
    dt.textContent = (data.words.fields[k] || { label: k }).label;
    const dd = document.createElement("dd");
    dd.textContent = typeof v === "object" ? JSON.stringify(v) : (data.words.values[v] || String(v));
    dl.append(dt, dd);
  }
  const head = await keysOf(st.agency);
  const grants = Object.fromEntries(((head && head.keys) || []).map((k) => [k.keyid, k]));
  const signedRoles = new Set();
  const signed = $("#wb-signed");
  signed.replaceChildren();
  for (const s of envelope.signatures) {
    const g = grants[s.keyid];
    if (g) signedRoles.add(g.role);
    const li = document.createElement("li");
    li.dataset.keyid = s.keyid;
    li.textContent = g ? `${g.holder} · ${roleName(g.role)} · ${s.keyid}` : `${S.other_signer} · ${s.keyid}`;
    signed.append(li);
  }
  // The registry's table says who must sign; this page only finds whose keys signed.
  const cosigned = [];
  const signedIds = new Set(envelope.signatures.map((s) => s.keyid));
  for (const agency of new Set(namedAgencies(data.signers, st.type, st.body))) {
    const other = await keysOf(agency);
    const keys = ((other && other.keys) || []).filter((k) => (t ? t.cosigner_roles : []).includes(k.role));
    if (keys.some((k) => signedIds.has(k.keyid))) cosigned.push(agency);
  }
  const needed = [];
  for (const n of stillNeeded(data.signers, st.type, st.body, [...signedRoles], cosigned)) {
    if (n.optional) {
      const unit = (st.body.units || []).find((u) => u.agency === n.agency);
      needed.push(`${S.optional_cosigner} ${unit ? unit.name : n.agency}`);
    } else {
      needed.push(`${n.roles.map(roleName).join(" / ")} · ${head ? head.name : st.agency}`);
    }
  }
  const ul = $("#wb-needed");
  ul.replaceChildren();
  for (const n of needed) {
    const li = document.createElement("li");
    li.textContent = n;
    ul.append(li);
  }
  if (!needed.length) {
    const li = document.createElement("li");
    li.textContent = S.nobody_needed;
    ul.append(li);
  }
}

async function open(read) {
  try {
    const parsed = await read();
    if (parsed.payloadType !== STATEMENT_TYPE || !Array.isArray(parsed.signatures)) throw new Error();
    decodePayload(parsed);
    envelope = parsed;
    say("#wb-draft-status", "");
    await show();
  } catch (e) {
    say("#wb-draft-status", S.not_a_draft, "bad");
  }
}

$("#wb-draft-file").addEventListener("change", async () => {
  const f = $("#wb-draft-file").files[0];
  if (f) await open(async () => JSON.parse(await f.text()));
});
if (location.hash.startsWith(PREFIX)) open(async () => unpackDraft(location.hash.slice(PREFIX.length)));
// Links made before drafts were compressed: the envelope's JSON, base64url, after "#draft=".
else if (location.hash.startsWith("#draft=")) open(async () => draftFromFragment(location.hash.slice(7)));

$("#wb-cosign").addEventListener("click", async () => {
  const signer = await picker.signer();
  if (!signer) { say("#wb-status", S.no_key, "bad"); return; }
  envelope = await signEnvelope(unb64(envelope.payload), signer, envelope);
  say("#wb-status", S.cosigned, "ok");
  await show();
});

$("#wb-cosign-save").addEventListener("click", () => {
  const st = decodePayload(envelope);
  download(`pakta-draft-${st.agency}-${st.seq}.json`, JSON.stringify(envelope, null, 2) + "\n");
});

$("#wb-cosign-post").addEventListener("click", async () => {
  say("#wb-status", S.posting, "muted");
  const r = await postJson("/api/v1/statements", envelope);
  if (r.ok) {
    say("#wb-status", `${S.posted} #${r.body.index}.`, "ok");
    await showReceipt(r.body, $("#wb-receipt"));
  } else if (r.status === 409) {
    say("#wb-status", S.stale_draft, "bad");
  } else {
    const [plain, detail] = plainProblem(r.body);
    say("#wb-status", `${S.refused} ${plain} ${detail}`, "bad");
  }
});
