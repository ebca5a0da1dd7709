"""Demo data: the agencies and declarations of the five seed articles (../shared/seeds/),
then an invented Zona Integritas lifecycle for them (registry/demo_lifecycle.py).

Dates, places and people come from the articles; each statement built from an article names
it in `source`. What the articles do not say (keys, staff counts, a pact, a witness's own
attestation) is marked `"demo": true`, and every key is a demo key generated into
`<instance>/demo-keys/`. Loading twice adds nothing: an agency already registered is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events import build_statement, sha256_ref
from keys.dsse import sign
from keys.ed25519 import (
    b64,
    generate,
    key_id,
    load_private_key,
    public_bytes,
    write_private_key,
)
from registry.write.app import Receipt, Registry

SEEDS = {
    "sukoharjo": "000_2bb62062407e64b3.txt",
    "sultra": "001_d21e4299adb79279.txt",
    "sulteng": "002_efd394449e2482c6.txt",
    "grobogan": "003_2fa933405990a256.txt",
    "kuansing": "004_ed807304d97f7b9d.txt",
}


@dataclass
class DemoAgency:
    agency: str
    name: str
    kind: str
    holder: str
    parent: str | None = None
    region: dict[str, str] | None = None
    registered: str = ""
    role: str = "agency_head"
    statements: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)


def _region(kemendagri: str, bps: str, name: str) -> dict[str, str]:
    return {"kemendagri": kemendagri, "bps": bps, "name": name}


def agencies() -> list[DemoAgency]:
    """The seed agencies, in the order they are loaded; (type, issued_at, body, extra)."""
    pact_doc = {"name": "pakta-integritas.pdf", "media_type": "application/pdf"}
    return [
        DemoAgency(
            "pemkab-kuantan-singingi",
            "Pemerintah Kabupaten Kuantan Singingi",
            "pemerintah_kabupaten",
            "Bupati Kuantan Singingi",
            region=_region("14.09", "1401", "Kabupaten Kuantan Singingi, Riau"),
            registered="2020-08-01T09:00:00+07:00",
            statements=[
                (
                    "zi.declared",
                    "2020-08-25T10:00:00+07:00",
                    {
                        "declared_on": "2020-08-25",
                        "target": "WBBM",
                        "units": [],
                        "place": "Pendopo Rumah Dinas Bupati, Taluk Kuantan",
                        "witnesses_claimed": ["Bupati Kuantan Singingi H. Mursini"],
                    },
                    {"source": SEEDS["kuansing"]},
                ),
            ],
        ),
        DemoAgency(
            "bps-kabupaten-grobogan",
            "BPS Kabupaten Grobogan",
            "instansi_vertikal",
            "Kepala BPS Kabupaten Grobogan",
            region=_region("33.15", "3315", "Kabupaten Grobogan, Jawa Tengah"),
            registered="2020-06-01T09:00:00+07:00",
            statements=[
                (
                    "zi.declared",
                    "2020-06-17T10:00:00+07:00",
                    {
                        "declared_on": "2020-06-17",
                        "target": "WBK",
                        "units": [],
                        "place": "Gedung Riptaloka, Setda Grobogan",
                        "witnesses_claimed": [
                            "Sekretaris Daerah Grobogan Moh Sumarsono",
                            "Forkopimda Grobogan",
                            "Ombudsman RI Perwakilan Jawa Tengah",
                        ],
                    },
                    {"source": SEEDS["grobogan"]},
                ),
            ],
        ),
        DemoAgency(
            "ombudsman-jawa-tengah",
            "Ombudsman RI Perwakilan Jawa Tengah",
            "lembaga_pengawas",
            "Kepala Perwakilan Ombudsman Jawa Tengah",
            region=_region("33", "33", "Provinsi Jawa Tengah"),
            registered="2020-06-01T09:00:00+07:00",
            role="witness",
        ),
        DemoAgency(
            "pemprov-sulawesi-tengah",
            "Pemerintah Provinsi Sulawesi Tengah",
            "pemerintah_provinsi",
            "Gubernur Sulawesi Tengah",
            region=_region("72", "72", "Provinsi Sulawesi Tengah"),
            registered="2024-05-20T09:00:00+08:00",
            statements=[
                (
                    "zi.declared",
                    "2024-06-01T10:00:00+08:00",
                    {
                        "declared_on": "2024-06-01",
                        "target": "WBK",
                        "units": [],
                        "place": "Palu, seusai upacara Hari Lahir Pancasila",
                        "witnesses_claimed": ["Wakil Gubernur Sulawesi Tengah Mamun Amir"],
                    },
                    {"source": SEEDS["sulteng"]},
                ),
            ],
        ),
        DemoAgency(
            "pemprov-sulawesi-tenggara",
            "Pemerintah Provinsi Sulawesi Tenggara",
            "pemerintah_provinsi",
            "Gubernur Sulawesi Tenggara",
            region=_region("74", "74", "Provinsi Sulawesi Tenggara"),
            registered="2024-11-01T09:00:00+08:00",
            statements=[
                (
                    "integrity_pact.signed",
                    "2025-01-20T10:00:00+08:00",
                    {
                        "signed_on": "2025-01-20",
                        "signatories": 38,
                        "staff_total": 40,
                        "scope": "Kepala OPD prioritas ZI bersama Gubernur (demo)",
                    },
                    {"source": SEEDS["sultra"], "demo": True, "documents": [pact_doc]},
                ),
            ],
        ),
        *[
            DemoAgency(
                slug,
                name,
                "perangkat_daerah",
                f"Kepala {name}",
                parent="pemprov-sulawesi-tenggara",
                region=_region("74", "74", "Provinsi Sulawesi Tenggara"),
                registered="2024-11-01T09:00:00+08:00",
            )
            for slug, name in (
                ("inspektorat-sultra", "Inspektorat Daerah Provinsi Sulawesi Tenggara"),
                ("dpmptsp-sultra", "DPMPTSP Provinsi Sulawesi Tenggara"),
                ("rsud-bahteramas", "RSUD Bahteramas"),
                ("rs-jiwa-sultra", "RS Jiwa Provinsi Sulawesi Tenggara"),
                ("bappeda-sultra", "Bappeda Provinsi Sulawesi Tenggara"),
            )
        ],
        DemoAgency(
            "pemkab-sukoharjo",
            "Pemerintah Kabupaten Sukoharjo",
            "pemerintah_kabupaten",
            "Bupati Sukoharjo",
            region=_region("33.11", "3311", "Kabupaten Sukoharjo, Jawa Tengah"),
            registered="2025-05-01T09:00:00+07:00",
            statements=[
                (
                    "zi.declared",
                    "2025-05-08T10:00:00+07:00",
                    {
                        "declared_on": "2025-05-08",
                        "target": "WBK",
                        "units": [],
                        "place": "Sukoharjo, acara Integrity Day (tanggal: demo)",
                    },
                    {"source": SEEDS["sukoharjo"], "demo": True},
                ),
            ],
        ),
    ]


class DemoLoader:
    """Signs the demo statements with demo keys and appends them through the registry."""

    def __init__(
        self,
        registry: Registry,
        folder: Path,
        *,
        lifecycle: bool = True,
        new_key: Callable[[str], Ed25519PrivateKey] = lambda name: generate(),
    ) -> None:
        self.registry = registry
        self.new_key = new_key  # how a missing demo key is made (tests fix them)
        self.with_lifecycle = lifecycle
        self.folder = folder / "demo-keys"
        self.folder.mkdir(exist_ok=True)
        self.registrar = load_private_key(registry.instance.registrar_key_path())

    def key(self, name: str) -> Ed25519PrivateKey:
        path = self.folder / f"{name}.key"
        if path.exists():
            return load_private_key(path)
        key = self.new_key(name)
        write_private_key(path, key)
        return key

    def post(self, key: Ed25519PrivateKey, statement: bytes) -> Receipt:
        envelope = sign(statement, [key])
        return self.registry.submit(json.dumps(envelope.to_json()).encode())

    def load(self) -> int:
        count = 0
        for demo in agencies():
            if self.registry.head(demo.agency) is not None:
                continue
            head_key = self.key(demo.agency)
            body = {
                "name": demo.name,
                "kind": demo.kind,
                "parent": demo.parent,
                "region": demo.region,
                "keys": [
                    {
                        "public_key": b64(public_bytes(head_key)),
                        "role": demo.role,
                        "holder": demo.holder,
                    }
                ],
            }
            payload = build_statement(
                "agency.registered", demo.agency, 0, None, demo.registered, body
            )
            prev = self.post(self.registrar, payload)
            seq, prev_hash, count = 1, prev.statement_hash, count + 1
            for type_, issued_at, body_, extra in demo.statements:
                docs = [
                    dict(d, sha256=sha256_ref(f"{demo.agency}:{d['name']}".encode()))
                    for d in extra.get("documents", [])
                ]
                payload = build_statement(
                    type_,
                    demo.agency,
                    seq,
                    prev_hash,
                    issued_at,
                    body_,
                    documents=docs,
                    source=extra.get("source"),
                    demo=extra.get("demo", False),
                )
                receipt = self.post(head_key, payload)
                seq, prev_hash, count = seq + 1, receipt.statement_hash, count + 1
        count += self._witness()
        return count + self._lifecycle()

    def _lifecycle(self) -> int:
        """The invented lifecycle after the seed facts (registry/demo_lifecycle.py), in one
        batch, once: skipped when the national team is already registered."""
        from registry.demo.lifecycle import steps

        if not self.with_lifecycle or self.registry.head("kemenpanrb-tpn") is not None:
            return 0
        operator = "rs-jiwa-sultra-operator"
        key_ids = {operator: key_id(public_bytes(self.key(operator)))}
        chains: dict[str, tuple[int, str | None]] = {}
        evaluations: dict[str, dict[str, Any]] = {}
        items: list[bytes] = []
        for step in steps(SEEDS, key_ids):
            if step.agency not in chains:
                head = self.registry.head(step.agency)
                chains[step.agency] = (head.seq + 1, head.hash) if head else (0, None)
            seq, prev = chains[step.agency]
            body = self._resolve(step.type, step.body, evaluations)
            docs = [
                {
                    "name": name,
                    "sha256": sha256_ref(f"{step.agency}:{name}".encode()),
                    "media_type": "application/pdf",
                }
                for name in step.documents
            ]
            payload = build_statement(
                step.type,
                step.agency,
                seq,
                prev,
                step.issued_at,
                body,
                documents=docs,
                source=step.source,
                demo=True,
            )
            if step.type == "internal_evaluation.completed":
                ref = {"agency": step.agency, "seq": seq, "hash": sha256_ref(payload)}
                evaluations[f"{step.agency}@{body['unit']}"] = ref
            chains[step.agency] = (seq + 1, sha256_ref(payload))
            signers = [
                self.registrar if name == "registrar" else self.key(name)
                for name in (step.keys or (step.agency,))
            ]
            items.append(json.dumps(sign(payload, signers).to_json()).encode())
        for result in self.registry.submit_many(items):
            if isinstance(result, Exception):
                raise result
        return len(items)

    def _resolve(
        self, type_: str, body: dict[str, Any], evaluations: dict[str, dict[str, Any]]
    ) -> dict[str, Any]:
        """Fill the steps' placeholders: demo key names become public keys, and a proposal's
        "tpi@unit" the reference of that TPI's latest evaluation of the unit."""

        def grant(g: dict[str, Any]) -> dict[str, Any]:
            if "key" not in g:
                return g
            rest = {k: v for k, v in g.items() if k != "key"}
            return {"public_key": b64(public_bytes(self.key(g["key"]))), **rest}

        if type_ == "agency.registered":
            return dict(body, keys=[grant(g) for g in body["keys"]])
        if type_ == "key.added":
            return grant(body)
        if type_ == "proposal.submitted":
            units = [
                dict(u, internal_evaluation=evaluations[u["internal_evaluation"]])
                for u in body["units"]
            ]
            return dict(body, units=units)
        return body

    def _witness(self) -> int:
        """The Ombudsman attests BPS Grobogan's declaration (seq 1), once."""
        declared = self.registry.head("bps-kabupaten-grobogan")
        head = self.registry.head("ombudsman-jawa-tengah")
        if declared is None or head is None or declared.seq != 1 or head.seq != 0:
            return 0
        payload = build_statement(
            "zi.witnessed",
            "ombudsman-jawa-tengah",
            head.seq + 1,
            head.hash,
            "2020-06-17T12:00:00+07:00",
            {
                "declaration": {"agency": declared.agency, "seq": 1, "hash": declared.hash},
                "witnessed_on": "2020-06-17",
                "capacity": "Hadir menyaksikan pencanangan (Siti Farida)",
            },
            source=SEEDS["grobogan"],
            demo=True,
        )
        self.post(self.key("ombudsman-jawa-tengah"), payload)
        return 1
