"""A small Zona Integritas world for tests: a TPN, a province with units and an inspectorate
(TPI), a witness organisation, all on a real registry, with a clock the scenario moves.

`World.on("2025-06-01")` sets the day; every statement is then issued that day (a minute after
the previous one, so chains stay chronological). Bodies for each type come from small builders
here, so a test says only what differs.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pakta_support import Agent, Harness, envelope_bytes

from events import build_statement, sha256_ref
from events.regulations import in_force_on
from keys.ed25519 import b64, generate, public_bytes

WIB = timezone(timedelta(hours=7))
SCORES_WBK = {
    "areas": {
        "manajemen_perubahan": "6.80",
        "tata_laksana": "5.90",
        "sdm": "8.10",
        "akuntabilitas": "8.40",
        "pengawasan": "12.30",
        "pelayanan_publik": "8.60",
    },
    "results": {"ipak": "15.90", "kinerja": "4.20", "ipkp": "14.80"},
}
SCORES_LOW = {
    "areas": {
        "manajemen_perubahan": "4.00",
        "tata_laksana": "4.00",
        "sdm": "6.00",
        "akuntabilitas": "6.00",
        "pengawasan": "8.00",
        "pelayanan_publik": "6.00",
    },
    "results": {"ipak": "12.00", "kinerja": "3.00", "ipkp": "12.00"},
}
PREREQ_OK = {
    "bpk_opinion": "WTP",
    "sakip": "B",
    "spip_level": 3,
    "audit_follow_up_percent": 100,
    "asset_declaration_percent": 100,
}


def doc(name: str = "dokumen.pdf") -> dict[str, str]:
    return {"name": name, "sha256": sha256_ref(name.encode()), "media_type": "application/pdf"}


class World:
    def __init__(self, registry: Any, *, minimal: bool = False) -> None:
        self.registry = registry
        self.h = Harness(registry)
        self.day = datetime(2024, 1, 2, 9, 0, tzinfo=WIB)
        self.tick = 0
        self.agents: dict[str, Agent] = {}
        # A registry in this process receives each statement when the world says it happens
        # (rules that count from the day the log received a statement see the world's days).
        self.now = self.day
        if hasattr(registry, "clock"):
            registry.clock = lambda: self.now
        self.role_keys: dict[tuple[str, str], Ed25519PrivateKey] = {}
        if not minimal:
            self.setup()

    # -- time and posting ------------------------------------------------------------

    def on(self, day: str) -> World:
        self.day = datetime.fromisoformat(day).replace(hour=9, tzinfo=WIB)
        self.tick = 0
        return self

    def _stamp(self, agent: Agent) -> datetime:
        self.tick += 1
        moment = max(self.day + timedelta(minutes=self.tick), agent.clock + timedelta(seconds=1))
        agent.clock = moment
        self.now = max(self.now, moment + timedelta(seconds=30))
        return moment

    def register(
        self, name: str, kind: str = "perangkat_daerah", parent: str | None = None
    ) -> Agent:
        agent = Agent(name)
        agent.clock = self.day
        payload = build_statement(
            "agency.registered",
            name,
            0,
            None,
            self._stamp(agent),
            {
                "name": f"Instansi {name}",
                "kind": kind,
                "parent": parent,
                "region": {"kemendagri": "74", "bps": "74", "name": "Sulawesi Tenggara"},
                "keys": [agent.key_grant()],
            },
        )
        self.registry.submit(envelope_bytes(payload, self.h.registrar))
        agent.accepted(payload)
        self.agents[name] = agent
        return agent

    def payload(self, name: str, type_: str, body: dict[str, Any], **kw: Any) -> bytes:
        agent = self.agents[name]
        return build_statement(
            type_, name, agent.seq + 1, agent.prev, self._stamp(agent), body, **kw
        )

    def post(
        self, name: str, type_: str, body: dict[str, Any], *keys: Ed25519PrivateKey, **kw: Any
    ) -> Any:
        agent = self.agents[name]
        payload = self.payload(name, type_, body, **kw)
        receipt = self.registry.submit(envelope_bytes(payload, *(keys or (agent.key,))))
        agent.accepted(payload)
        return receipt

    def key(self, name: str, role: str, *, by_registrar: bool = False) -> Ed25519PrivateKey:
        if (name, role) in self.role_keys:
            return self.role_keys[(name, role)]
        key = generate()
        body = {"public_key": b64(public_bytes(key)), "role": role, "holder": f"{role} {name}"}
        signer = self.h.registrar if by_registrar else self.agents[name].key
        self.post(name, "key.added", body, signer)
        self.role_keys[(name, role)] = key
        return key

    def grant(self, name: str, role: str, scope: list[str] | None = None) -> Any:
        body: dict[str, Any] = {
            "role": role,
            "granted_on": self.day.date().isoformat(),
            "basis": "Keputusan",
        }
        if scope:
            body["scope"] = scope
        return self.post(name, "role.granted", body, self.h.registrar)

    def setup(self) -> None:
        """The standing cast: TPN, witness, province, inspectorate (TPI) and three units."""
        self.register("tpn", kind="tim_penilai")
        self.key("tpn", "tpn")
        self.register("ombudsman", kind="lembaga_pengawas")
        self.key("ombudsman", "witness")
        self.register("prov", kind="pemerintah_provinsi")
        self.register("inspektorat", parent="prov")
        self.grant("inspektorat", "tpi", ["prov"])
        self.key("inspektorat", "tpi")
        for unit in ("dinas-a", "dinas-b", "dinas-c"):
            self.register(unit, parent="prov")

    # -- lifecycle steps -------------------------------------------------------------------

    @property
    def regulation(self) -> str:
        """The regulation in force today (the version a test of that day must name)."""
        found = in_force_on(self.day.date())
        assert found is not None
        return found.id

    @property
    def today(self) -> str:
        return self.day.date().isoformat()

    def declare(self, units: list[str], target: str = "WBK", by: str = "prov") -> Any:
        body = {
            "declared_on": self.today,
            "target": target,
            "units": [{"name": f"Unit {u}", "agency": u} for u in units],
            "place": "Aula",
        }
        return self.post(by, "zi.declared", body)

    def designate(self, unit: str, by: str = "prov", target: str = "WBK") -> Any:
        body = {"unit": unit, "designated_on": self.today, "target": target, "decree": "SK"}
        return self.post(by, "unit.designated", body)

    def plan(self, unit: str, items: dict[str, str]) -> Any:
        body = {
            "year": self.day.year,
            "published_on": self.today,
            "items": [
                {
                    "id": item,
                    "area": "pelayanan_publik",
                    "output": f"Keluaran {item}",
                    "target": "100%",
                    "due": due,
                    "responsible": "Sekretaris",
                    "evidence": "Laporan",
                }
                for item, due in items.items()
            ],
        }
        return self.post(unit, "action_plan.published", body)

    def progress(self, unit: str, item: str, percent: int = 100, *keys: Ed25519PrivateKey) -> Any:
        body = {
            "item": item,
            "reported_on": self.today,
            "percent": percent,
            "status": "done" if percent == 100 else "in_progress",
        }
        return self.post(
            unit,
            "action_item.progress_reported",
            body,
            *keys,
            documents=[doc(f"{unit}-{item}.pdf")],
        )

    def tpi(
        self,
        unit: str,
        recommendation: str = "propose",
        scores: dict[str, Any] | None = None,
        by: str = "inspektorat",
    ) -> Any:
        body = {
            "unit": unit,
            "regulation": self.regulation,
            "target": "WBK",
            "year": self.day.year,
            "evaluated_on": self.today,
            "scores": scores or SCORES_WBK,
            "indices": {"ipak": "3.65", "ipkp": "3.40"},
            "recommendation": recommendation,
        }
        key = self.role_keys.get((by, "tpi")) or self.agents[by].key
        return self.post(by, "internal_evaluation.completed", body, key, documents=[doc("lhe.pdf")])

    def propose(
        self,
        units: list[str],
        evaluation: Any,
        target: str = "WBK",
        by: str = "prov",
        prerequisites: dict[str, Any] | None = None,
    ) -> Any:
        ref = {
            "agency": evaluation.agency,
            "seq": evaluation.seq,
            "hash": evaluation.statement_hash,
        }
        body = {
            "year": self.day.year,
            "regulation": self.regulation,
            "submitted_on": self.today,
            "letter": "Surat 700/1",
            "units": [{"unit": u, "target": target, "internal_evaluation": ref} for u in units],
            "prerequisites": prerequisites or PREREQ_OK,
        }
        return self.post(by, "proposal.submitted", body, documents=[doc("usulan.pdf")])

    def national(
        self, unit: str, stage: str = "field", scores: dict[str, Any] | None = None
    ) -> Any:
        body: dict[str, Any] = {
            "unit": unit,
            "year": self.day.year,
            "regulation": self.regulation,
            "stage": stage,
            "evaluated_on": self.today,
            "passed": True,
            "scores": scores or SCORES_WBK,
            "indices": {"ipak": "3.65", "ipkp": "3.40"},
        }
        return self.post(
            "tpn", "national_evaluation.recorded", body, self.role_keys[("tpn", "tpn")]
        )

    def award(
        self,
        unit: str,
        predicate: str = "WBK",
        route: str = "national",
        by: str = "tpn",
        *keys: Ed25519PrivateKey,
        year: int | None = None,
    ) -> Any:
        """Award `predicate` today, for `year` (this year unless said otherwise)."""
        body = {
            "unit": unit,
            "predicate": predicate,
            "year": year or self.day.year,
            "regulation": self.regulation,
            "awarded_on": self.today,
            "decree": "KepmenPANRB",
            "route": route,
        }
        signer = keys or ((self.role_keys[("tpn", "tpn")],) if by == "tpn" else ())
        return self.post(by, "predicate.awarded", body, *signer, documents=[doc("sk.pdf")])

    def not_awarded(self, unit: str) -> Any:
        body = {
            "unit": unit,
            "target": "WBK",
            "year": self.day.year,
            "regulation": self.regulation,
            "decided_on": self.today,
            "guidance": "Perbaiki bukti dukung.",
        }
        return self.post("tpn", "predicate.not_awarded", body, self.role_keys[("tpn", "tpn")])

    def revoke(self, unit: str, predicate: str = "WBK") -> Any:
        body = {
            "unit": unit,
            "predicate": predicate,
            "revoked_on": self.today,
            "regulation": self.regulation,
            "reason": "Pungutan liar.",
        }
        return self.post(
            "tpn",
            "predicate.revoked",
            body,
            self.role_keys[("tpn", "tpn")],
            documents=[doc("pencabutan.pdf")],
        )

    def to_wbk(self, unit: str, declared: str = "2024-01-10") -> None:
        """Declare, designate, plan, assess, propose a year later, evaluate and award WBK."""
        self.on(declared).declare([unit])
        self.designate(unit)
        self.plan(unit, {"PP-01": "2024-06-30"})
        self.on("2025-02-01")
        self.progress(unit, "PP-01")
        evaluation = self.tpi(unit)
        self.on("2025-03-01").propose([unit], evaluation)
        self.on("2025-09-01").national(unit)
        self.on("2025-12-01").award(unit)
