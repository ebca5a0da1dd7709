"""Property: whatever mix of statements agencies post over HTTP, rule-valid or not, the API
answers 201 or a 4xx problem, never a 5xx, and the log it leaves audits clean and rebuilds to
the same read model. The statements come from the lifecycle's random commands (the reference
model of tests/registry/rules/test_lifecycle_property.py) plus the cases that used to crash
the read model: a key another agency holds, one document listed twice, two windows for one
year, corrections of earlier statements."""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pakta_support import new_instance
from site_support import ensure_translations
from zi_world import World, doc

from events import StatementError
from keys.ed25519 import generate
from keys.note import NoteVerifier
from registry.audit.audit import audit, source_fetch
from registry.audit.export import export
from registry.rules.errors import ConflictError, RuleError
from web import close_app, create_app


class OverHttp:
    """What `World` needs of a registry (`submit`, `instance`), over the real API: a refusal
    becomes the rule error it names, anything at or above 500 fails the test."""

    def __init__(self, client: FlaskClient, instance: Any) -> None:
        self.client = client
        self.instance = instance

    def submit(self, data: bytes) -> Any:
        response = self.client.post(
            "/api/v1/statements", data=data, content_type="application/json"
        )
        assert response.status_code < 500, response.get_data(as_text=True)
        body = response.get_json()
        if response.status_code == 201:
            return type("Receipt", (), body)()
        assert (
            response.mimetype == "application/problem+json"
            and body["status"] == response.status_code
        )
        error = ConflictError if response.status_code == 409 else RuleError
        raise error(body.get("code", "?"), body["detail"])


def command(w: World, kind: str, unit: str, extra: int) -> None:
    day = w.day.date()
    actions = {
        "declare": lambda: w.declare([unit]),
        "designate": lambda: w.designate(unit),
        "plan": lambda: w.plan(unit, {f"PP-0{extra % 3 + 1}": (day + timedelta(30)).isoformat()}),
        "progress": lambda: w.progress(unit, f"PP-0{extra % 3 + 1}", 50),
        "tpi": lambda: w.tpi(unit),
        "shared-key": lambda: w.post(
            unit, "key.added", w.agents[unit].key_grant("operator", w.agents["prov"].key)
        ),
        "new-key": lambda: w.post(
            unit, "key.added", w.agents[unit].key_grant("operator", generate())
        ),
        "twice": lambda: w.post(
            unit,
            "integrity_pact.signed",
            {"signed_on": w.today, "signatories": 3, "staff_total": 9, "scope": "Semua"},
            documents=[doc("p.pdf"), dict(doc("p.pdf"), name="salinan.pdf")],
        ),
        "window": lambda: w.post(
            "tpn",
            "submission_window.announced",
            {
                "year": 2025 + extra % 2,
                "regulation": "permenpanrb-5-2024",
                "opens_on": f"{2025 + extra % 2}-01-10",
                "deadline": f"{2025 + extra % 2}-05-31",
                "quota_per_agency": 1 + extra % 3,
                "announced_on": w.today,
            },
            w.key("tpn", "tpn"),
        ),
    }
    try:
        actions[kind]()
    except (RuleError, ConflictError, StatementError):
        pass  # refused with a 4xx problem (or by the client's own build): fine


commands = st.tuples(
    st.sampled_from(("declare", "designate", "plan", "progress", "tpi", "shared-key", "new-key",
                     "twice", "window")),
    st.sampled_from(("dinas-a", "dinas-b", "dinas-c")),
    st.integers(min_value=0, max_value=5),
    st.integers(min_value=0, max_value=40),
)  # fmt: skip


@settings(
    max_examples=int(__import__("os").environ.get("PAKTA_PROPERTY_EXAMPLES", "6")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(st.lists(commands, min_size=5, max_size=25))
def test_random_statements_over_http_never_get_a_server_error(
    script: list[tuple[str, str, int, int]],
) -> None:
    ensure_translations()
    with tempfile.TemporaryDirectory() as tmp:
        instance = new_instance(Path(tmp) / "instance", f"sqlite:///{tmp}/p.sqlite3")
        app = create_app({"TESTING": True, "PAKTA_INSTANCE": str(instance.path)})
        try:
            w = World(OverHttp(app.test_client(), instance))
            w.on("2024-01-10")
            for kind, unit, extra, days in script:
                w.on((w.day.date() + timedelta(days=days)).isoformat())
                command(w, kind, unit, extra)
            service = app.extensions["pakta"]
            export(service.registry, Path(tmp) / "export")
            found = audit(
                source_fetch(str(Path(tmp) / "export")),
                NoteVerifier.parse(instance.log_vkey),
                instance.registrar_keys,
            )
            assert found.size == service.registry.size()
            live = service.projector.dump()
            service.projector.rebuild()
            assert service.projector.dump() == live
            assert json.loads(service.registry.entry(0) or "{}")["index"] == 0
        finally:
            close_app(app)
