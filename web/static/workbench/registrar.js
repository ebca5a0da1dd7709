// The registrar page: key requests in, `agency.registered` / `role.granted` / `key.added`
// signed with the registrar key and posted, in one step (as `pakta register`). The server
// checks each proof of possession and plans the statements (registry/registrar.py); the
// registrar key signs here and never leaves the device.
import { signEnvelope, unb64 } from "./dsse.js";
import { $, data, getJson, keyPicker, nowRfc3339, plainProblem, postJson, roleName, S, say }
  from "./common.js";

let requests = [];
const picker = keyPicker();

$("#wb-requests").addEventListener("change", async () => {
  requests = [];
  const list = $("#wb-request-list");
  list.replaceChildren();
  for (const f of $("#wb-requests").files) {
    const li = document.createElement("li");
    try {
      const r = JSON.parse(await f.text());
      if (r.format !== "pakta-key-request/v1") throw new Error();
      requests.push(r);
      li.textContent = `${r.agency} · ${roleName(r.role)} · ${r.holder} · ${r.keyid}`;
    } catch (e) {
      li.textContent = `${f.name}: ${S.not_a_request}`;
      li.className = "bad";
    }
    list.append(li);
  }
});

$("#wb-register").addEventListener("click", async () => {
  const signer = await picker.signer();
  if (!signer) { say("#wb-status", S.no_key, "bad"); return; }
  const scope = $("#wb-scope").value.split(",").map((s) => s.trim()).filter(Boolean);
  const planned = await postJson("/workbench/api/registration",
    { requests, basis: $("#wb-basis").value.trim(), scope });
  if (!planned.ok) {
    say("#wb-status", `${S.refused} ${plainProblem(planned.body).join(" ")}`, "bad");
    return;
  }
  const done = $("#wb-registered");
  for (const { type, body } of planned.body.statements) {
    const head = await getJson(`/api/v1/agencies/${encodeURIComponent(planned.body.agency)}`);
    const statement = {
      type, agency: planned.body.agency,
      seq: head.ok ? head.body.head.seq + 1 : 0,
      prev: head.ok ? head.body.head.hash : null,
      issued_at: nowRfc3339(), body,
    };
    const checked = await postJson("/workbench/api/check", { statement });
    if (!checked.ok) { say("#wb-status", `${S.refused} ${checked.body.detail}`, "bad"); return; }
    const envelope = await signEnvelope(unb64(checked.body.payload), signer);
    const r = await postJson("/api/v1/statements", envelope);
    if (!r.ok) { say("#wb-status", `${S.refused} ${plainProblem(r.body).join(" ")}`, "bad"); return; }
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = `/entries/${r.body.index}`;
    a.textContent = `${S.entry} #${r.body.index}`;
    li.append(`${data_title(type)} · `, a);
    done.append(li);
  }
  say("#wb-status", S.registered, "ok");
});

function data_title(type) {
  const t = data.catalog.types.find((x) => x.name === type);
  return t ? t.title[document.documentElement.lang === "en" ? "en" : "id"] : type;
}
