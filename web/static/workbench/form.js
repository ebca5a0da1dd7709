// A form generated from a statement type's JSON Schema (the catalog's body_schema): one
// control per field, labelled from the workbench's words, each wrapped in an element with
// data-pointer = the field's JSON Pointer, where the registry's error for that field is shown.
// read() gives the value (undefined = leave the field out), fill(value) shows a value.
import { sha256Ref } from "./dsse.js";

let uid = 0;
const el = (tag, attrs = {}, ...kids) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") node.textContent = v; else node.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids) if (kid) node.append(kid);
  return node;
};

const typesOf = (schema) => (Array.isArray(schema.type) ? schema.type : [schema.type]);

export function makeContext(words, strings, extra = {}) {
  return { words, strings, entries: async () => [], plan: () => [], ...extra };
}

function labelOf(ctx, name) {
  const f = ctx.words.fields[name];
  return f ? f.label : name;
}

function wrap(ctx, name, pointer, required, control, inputId) {
  const help = ctx.words.fields[name] && ctx.words.fields[name].help;
  const box = el("div", { class: "wb-field", "data-pointer": pointer });
  const label = el("label", { for: inputId, text: labelOf(ctx, name) });
  if (required) label.append(el("span", { class: "muted", text: ` (${ctx.strings.required})` }));
  box.append(label);
  if (help) box.append(el("p", { class: "muted wb-help", id: inputId + "-help", text: help }));
  box.append(control);
  box.append(el("p", { class: "wb-error", role: "alert", hidden: true }));
  return box;
}

function scalar(schema, name, pointer, required, ctx) {
  const id = `wb-${++uid}`;
  const types = typesOf(schema);
  const nullable = types.includes("null");
  let input;
  let read;
  let fill;
  if (schema.enum) {
    input = el("select", { id, name: pointer });
    input.append(el("option", { value: "", text: ctx.strings.choose }));
    for (const v of schema.enum) {
      input.append(el("option", { value: String(v), text: ctx.words.values[v] || String(v) }));
    }
    read = () => (input.value === "" ? undefined : input.value);
    fill = (v) => { input.value = v === undefined || v === null ? "" : String(v); };
  } else if (types.includes("boolean")) {
    input = el("select", { id, name: pointer });
    input.append(el("option", { value: "", text: ctx.strings.choose }),
      el("option", { value: "true", text: ctx.strings.yes }),
      el("option", { value: "false", text: ctx.strings.no }));
    read = () => (input.value === "" ? undefined : input.value === "true");
    fill = (v) => { input.value = v === true ? "true" : v === false ? "false" : ""; };
  } else if (types.includes("integer")) {
    input = el("input", { id, name: pointer, type: "text", inputmode: "numeric" });
    read = () => {
      const t = input.value.trim();
      if (t === "") return undefined;
      return /^-?[0-9]+$/.test(t) ? Number(t) : t;
    };
    fill = (v) => { input.value = v === undefined || v === null ? "" : String(v); };
  } else if (schema.format === "date") {
    input = el("input", { id, name: pointer, type: "date" });
    read = () => (input.value === "" ? undefined : input.value);
    fill = (v) => { input.value = v || ""; };
  } else if (schema.format === "date-time") {
    // A local date and time, and the zone it is in (WIB, WITA, WIT, or what a value carried).
    const time = el("input", { id, name: pointer, type: "datetime-local", step: "1" });
    const zone = el("select", { "aria-label": ctx.strings.time_zone });
    const zones = [["+07:00", "WIB"], ["+08:00", "WITA"], ["+09:00", "WIT"], ["+00:00", "UTC"]];
    const addZone = (offset, text) => zone.append(el("option", { value: offset, text }));
    for (const [offset, text] of zones) addZone(offset, `${text} (${offset})`);
    const here = withOffset("2000-01-01T00:00:00").slice(19);
    zone.value = zones.some(([o]) => o === here) ? here : "+07:00";
    input = el("span", { class: "wb-datetime" }, time, zone);
    read = () => (time.value === "" ? undefined :
      (time.value.length === 16 ? time.value + ":00" : time.value) + zone.value);
    fill = (v) => {
      const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})$/.exec(v || "");
      time.value = m ? m[1] : "";
      if (m) {
        const offset = m[2] === "Z" ? "+00:00" : m[2];
        if (![...zone.options].some((o) => o.value === offset)) addZone(offset, offset);
        zone.value = offset;
      }
    };
  } else if (name === "item" && ctx.plan().length) {
    input = el("select", { id, name: pointer });
    input.append(el("option", { value: "", text: ctx.strings.pick_item }));
    for (const item of ctx.plan()) input.append(el("option", { value: item.id, text: item.label }));
    read = () => (input.value === "" ? undefined : input.value);
    fill = (v) => {
      if (v && ![...input.options].some((o) => o.value === v)) {
        input.append(el("option", { value: v, text: v }));
      }
      input.value = v || "";
    };
  } else {
    input = el("input", { id, name: pointer, type: "text", autocomplete: "off" });
    if (schema.maxLength) input.setAttribute("maxlength", String(schema.maxLength + 1));
    read = () => (input.value === "" ? (nullable && required ? null : undefined) : input.value);
    fill = (v) => { input.value = v === undefined || v === null ? "" : String(v); };
  }
  if (ctx.words.fields[name] && ctx.words.fields[name].help && input.tagName !== "SPAN") {
    input.setAttribute("aria-describedby", id + "-help");
  }
  let control = input;
  if (schema.format === "sha256-ref") control = withFileHash(input, ctx);
  return { el: wrap(ctx, name, pointer, required, control, id), read, fill };
}

function withOffset(local) {
  const text = local.length === 16 ? local + ":00" : local;
  const minutes = -new Date(text).getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${text}${sign}${hh}:${mm}`;
}

// A text field for a sha256:… reference, with a file picker that hashes the file locally.
function withFileHash(input, ctx, onFile = null) {
  const file = el("input", { type: "file", "aria-label": ctx.strings.pick_file });
  const status = el("span", { class: "muted", role: "status" });
  file.addEventListener("change", async () => {
    const f = file.files[0];
    if (!f) return;
    status.textContent = ctx.strings.hashing;
    input.value = await sha256Ref(new Uint8Array(await f.arrayBuffer()));
    status.textContent = f.name;
    if (onFile) onFile(f);
  });
  input.setAttribute("spellcheck", "false");
  return el("div", { class: "wb-hash" }, input, file, status);
}

function object(schema, name, pointer, required, ctx) {
  const nullable = typesOf(schema).includes("null");
  const box = el("fieldset", { class: "wb-object", "data-pointer": pointer });
  box.append(el("legend", { text: labelOf(ctx, name) }));
  const inner = el("div");
  const kids = {};
  const req = new Set(schema.required || []);
  const props = schema.properties || {};
  for (const [k, sub] of Object.entries(props)) {
    kids[k] = control(sub, k, `${pointer}/${k}`, req.has(k), ctx);
    inner.append(kids[k].el);
  }
  let toggle = null;
  if (!required || nullable) {
    const id = `wb-${++uid}`;
    toggle = el("input", { type: "checkbox", id });
    box.append(el("p", {}, toggle, el("label", { for: id, text: " " + ctx.strings.fill_section })));
    inner.hidden = true;
    toggle.addEventListener("change", () => { inner.hidden = !toggle.checked; });
  }
  if ("seq" in props && "hash" in props) box.append(referencePicker(kids, ctx, name));
  box.append(inner, el("p", { class: "wb-error", role: "alert", hidden: true }));
  const read = () => {
    if (toggle && !toggle.checked) return nullable && required ? null : undefined;
    const out = {};
    for (const [k, c] of Object.entries(kids)) {
      const v = c.read();
      if (v !== undefined) out[k] = v;
    }
    return out;
  };
  const fill = (v) => {
    const on = v !== undefined && v !== null;
    if (toggle) { toggle.checked = on; inner.hidden = !on; }
    for (const [k, c] of Object.entries(kids)) c.fill(on ? v[k] : undefined);
  };
  return { el: box, read, fill };
}

// Pick an earlier entry (of this agency, or of the agency named in the object) instead of
// typing its number and hash.
// Some fields pick only some entries (ctx.references, from the page's data): a declaration
// confirms a recorded one not yet confirmed.
function referencePicker(kids, ctx, name) {
  const only = (ctx.references || {})[name];
  const select = el("select", { "aria-label": ctx.strings.pick_entry, class: "wb-ref" });
  const load = async () => {
    const agency = kids.agency ? kids.agency.read() : ctx.agency();
    select.replaceChildren(el("option", { value: "", text: ctx.strings.pick_entry }));
    if (!agency) return;
    for (const e of await ctx.entries(agency)) {
      if (only && (e.type !== only.type || (only.unconfirmed && e.confirmed_by != null))) continue;
      const text = `${ctx.strings.entry} #${e.index} · ${e.title} · ${e.issued_at.slice(0, 10)}`;
      select.append(el("option", { value: JSON.stringify([e.seq, e.hash]), text }));
    }
  };
  select.addEventListener("focus", load);
  if (kids.agency) kids.agency.el.addEventListener("change", load);
  select.addEventListener("change", () => {
    if (!select.value) return;
    const [s, h] = JSON.parse(select.value);
    kids.seq.fill(s);
    kids.hash.fill(h);
  });
  load();
  return el("p", {}, select);
}

function array(schema, name, pointer, required, ctx) {
  const box = el("fieldset", { class: "wb-array", "data-pointer": pointer });
  box.append(el("legend", { text: labelOf(ctx, name) }));
  const list = el("div");
  const rows = [];
  const renumber = () => rows.forEach((r, i) => r.relabel(i));
  const addRow = (value) => {
    const holder = el("div", { class: "wb-row" });
    let c = null;
    const row = {
      holder,
      relabel: (i) => {
        const old = c ? c.read() : value;
        c = control(schema.items, name, `${pointer}/${i}`, true, ctx, i);
        holder.replaceChildren(c.el, remove);
        c.fill(old);
      },
      read: () => c.read(),
    };
    const remove = el("button", { type: "button", class: "wb-remove", text: ctx.strings.remove_row });
    remove.addEventListener("click", () => {
      rows.splice(rows.indexOf(row), 1);
      holder.remove();
      renumber();
    });
    rows.push(row);
    list.append(holder);
    row.relabel(rows.length - 1);
  };
  const add = el("button", { type: "button", class: "wb-add", text: ctx.strings.add_row });
  add.addEventListener("click", () => addRow(undefined));
  box.append(list, add, el("p", { class: "wb-error", role: "alert", hidden: true }));
  const read = () => {
    const out = rows.map((r) => r.read());
    return out.length === 0 && !required ? undefined : out;
  };
  const fill = (v) => {
    rows.splice(0).forEach((r) => r.holder.remove());
    for (const item of Array.isArray(v) ? v : []) addRow(item);
  };
  return { el: box, read, fill };
}

export function control(schema, name, pointer, required, ctx, index = null) {
  const types = typesOf(schema);
  let c;
  if (types.includes("object")) c = object(schema, name, pointer, required, ctx);
  else if (types.includes("array")) c = array(schema, name, pointer, required, ctx);
  else c = scalar(schema, name, pointer, required, ctx);
  if (index !== null) {
    const legend = c.el.querySelector("legend, label");
    if (legend) legend.prepend(`${index + 1}. `);
  }
  return c;
}

// The documents list: each row a file hashed here (name, type and SHA-256 from the file).
export function documentsControl(schema, ctx) {
  const c = control(schema, "documents", "/documents", false, ctx);
  c.el.addEventListener("change", async (event) => {
    const target = event.target;
    if (target.type !== "file" || !target.files[0]) return;
    const row = target.closest(".wb-row");
    const f = target.files[0];
    const name = row.querySelector('[name$="/name"]');
    const media = row.querySelector('[name$="/media_type"]');
    if (name && !name.value) name.value = f.name;
    if (media && !media.value) media.value = f.type || "application/octet-stream";
  });
  return c;
}

// Show the registry's problem at its field (or the nearest enclosing one); returns the box.
export function showError(root, problem, words) {
  clearErrors(root);
  let pointer = problem.field || "";
  let box = null;
  while (!box) {
    box = root.querySelector(`[data-pointer="${CSS.escape(pointer)}"]`);
    if (box || pointer === "") break;
    pointer = pointer.slice(0, pointer.lastIndexOf("/"));
  }
  if (!box) return null;
  box.classList.add("wb-invalid");
  const out = box.querySelector(":scope > .wb-error");
  out.hidden = false;
  const code = problem.code || "";
  const plain = words[`code_${code}`] || words[code.startsWith("rule:") ? "code_rule" : "code_bad-value"];
  out.replaceChildren(
    el("strong", { text: plain }), " ",
    el("span", { class: "wb-registry", lang: "en", "data-code": code, "data-field": problem.field || "",
      text: `${words.registry_says} ${problem.detail}` }));
  const input = box.querySelector("input, select");
  if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
  return box;
}

export function clearErrors(root) {
  for (const e of root.querySelectorAll(".wb-error")) { e.hidden = true; e.replaceChildren(); }
  for (const b of root.querySelectorAll(".wb-invalid")) b.classList.remove("wb-invalid");
  for (const i of root.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
}
