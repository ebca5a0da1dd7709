"""Loading the demo: the agencies and declarations of the five seed articles, then an invented
Zona Integritas lifecycle for them, one story module each (registry/demo/common.py).

Dates, places and people come from the articles; each statement built from an article names
it in `source`. What the articles do not say (keys, staff counts, a pact, a witness's own
attestation) is marked `"demo": true`, and every key is a demo key generated into
`<instance>/demo-keys/`. Loading twice adds nothing: an agency already registered is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
from registry.demo import files, grobogan, kuansing, sukoharjo, sulteng, sultra, sultra_outcome
from registry.demo.common import SEEDS, DemoAgency, Step
from registry.write.app import Registry
from registry.write.submission import Receipt


def agencies() -> list[DemoAgency]:
    """The seed agencies, in the order they are loaded."""
    return [
        *kuansing.AGENCIES,
        *grobogan.AGENCIES,
        *sulteng.AGENCIES,
        *sultra.AGENCIES,
        *sukoharjo.AGENCIES,
    ]


def steps(seeds: dict[str, str], key_ids: dict[str, str]) -> list[Step]:
    """The invented lifecycle after the seed facts, in log order."""
    return [
        *grobogan.steps(seeds, key_ids),
        *sulteng.steps(seeds, key_ids),
        *sultra.steps(seeds, key_ids),
        *sultra_outcome.steps(seeds, key_ids),
        *sukoharjo.steps(seeds, key_ids),
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
            # The registration and its demo key are the demo's own, whatever the articles say.
            payload = build_statement(
                "agency.registered", demo.agency, 0, None, demo.registered, body, demo=True
            )
            prev = self.post(self.registrar, payload)
            seq, prev_hash, count = 1, prev.statement_hash, count + 1
            for type_, issued_at, body_, extra in demo.statements:
                docs = [
                    dict(d, sha256=files.document_hash(demo.agency, d["name"]))
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
            if step.type == "zi.witnessed" and isinstance(body["declaration"], str):
                declarer = body["declaration"]
                at, declared = chains[declarer]
                ref = {"agency": declarer, "seq": at - 1, "hash": declared}
                body = dict(body, declaration=ref)
            docs = [
                {
                    "name": name,
                    "sha256": files.document_hash(step.agency, name),
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
