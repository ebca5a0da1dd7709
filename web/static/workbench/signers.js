// Who still must sign a draft, read from the registry's own table (registry/rules/signers.py,
// `signer_table()`, handed to the page as data.signers): no rule is written here, only how
// to read the table. `roles` are the roles of the statement's own agency's keys that signed,
// `cosigned` the named agencies one of whose keys signed. A test runs this in node against
// the Python `still_needed` on the same drafts.

// The agencies a statement's body names as possible co-signers.
export function namedAgencies(table, type, body) {
  const entry = table.types[type];
  return entry ? named(entry, body) : [];
}

function named(entry, body) {
  if (!entry.named) return [];
  const [list, field] = entry.named;
  const rows = Array.isArray(body[list]) ? body[list] : [];
  return rows.filter((r) => r && typeof r === "object" && r[field]).map((r) => r[field]);
}

export function stillNeeded(table, type, body, roles, cosigned = []) {
  const entry = table.types[type];
  if (!entry) throw new Error(`unknown statement type ${type}`);
  const have = new Set(roles);
  const out = [];
  if (!entry.signers.some((r) => have.has(r))) out.push({ roles: [...entry.signers], optional: false });
  for (const c of entry.conditions) {
    if (body[c.field] === c.value && !c.roles.some((r) => have.has(r))) {
      out.push({ roles: [...c.roles], optional: false });
    }
  }
  const done = new Set(cosigned);
  for (const agency of named(entry, body)) {
    if (!done.has(agency)) out.push({ roles: [...entry.cosigners], optional: true, agency });
  }
  return out;
}
