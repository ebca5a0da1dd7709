"""`pakta import FILE.csv` on a real instance: the documented sample is recorded once (its row
for a declaration the agency signed itself is not), running it again adds nothing, every
imported row's page says it was recorded from a public source and is not signed by the agency,
and a bad file is refused with its line and changes nothing. An agency not yet in Pakta is
recorded from the row's registration columns without keys, and nobody can sign for it until
the registrar adds its first key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from site_support import demo_app, demo_instance

from registry.cli import main
from registry.service import open_service
from registry.write.instance import Instance
from web import close_app

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "import-sample.csv"
MARK = "dicatat dari sumber publik, belum ditandatangani instansi"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("import") / "instance")


def size(instance: Instance) -> int:
    service = open_service(instance)
    try:
        return service.registry.size()
    finally:
        service.close()


def pakta(instance: Instance, *args: str) -> int:
    return main(["--instance", str(instance.path), *args])


def test_the_sample_is_recorded_once_and_marked_on_its_pages(
    demo: Instance, capsys: pytest.CaptureFixture[str]
) -> None:
    before = size(demo)
    assert pakta(demo, "import", str(SAMPLE)) == 0
    out = capsys.readouterr().out
    added = [int(line.split()[1]) for line in out.splitlines() if line.startswith("entry ")]
    new = [line.split()[1] for line in out.splitlines() if line.startswith("agency ")]
    rows = len(SAMPLE.read_text(encoding="utf-8").splitlines()) - 1
    # BPS Grobogan signed its own declaration of 17 June 2020 (demo): nothing to record there.
    assert f"{rows - 1} recorded, 0 already in the log, 1 already signed by the agency" in out
    # Two agencies of the sample were not in Pakta: each is recorded first, without keys.
    assert new == ["rsud-kota-kendari", "kecamatan-kuantan-tengah"]
    assert len(added) == rows - 1 and size(demo) == before + rows - 1 + len(new)
    assert pakta(demo, "import", str(SAMPLE)) == 0  # idempotent
    again = capsys.readouterr().out
    assert f"0 recorded, {rows - 1} already in the log, 1 already signed" in again
    assert "recorded without keys" not in again
    assert size(demo) == before + rows - 1 + len(new)

    app = demo_app(demo)
    try:
        client = app.test_client()
        for index in added:
            page = client.get(f"/entries/{index}").get_data(as_text=True)
            assert MARK in page, index
            data = client.get(f"/api/v1/entries/{index}").get_json()
            assert data["statement"]["type"] == "zi.declaration_recorded"
        agency = client.get("/agencies/rsud-bahteramas").get_data(as_text=True)
        assert MARK in agency
    finally:
        close_app(app)


@pytest.mark.parametrize(
    ("csv", "says"),
    [
        ("agency,declared_on\nx,2020-01-01\n", "line 1: the header must name"),
        (
            "agency,declared_on,source_url,source_date,source_title\n"
            "bps-kabupaten-grobogan,2020-06-17,http://example.org/a,2020-06-18,Berita\n",
            "line 2: source_url:",
        ),
        (
            "agency,declared_on,source_url,source_date,source_title\n"
            "tidak-terdaftar,2020-06-17,https://example.org/a,2020-06-18,Berita\n",
            "line 2: agency 'tidak-terdaftar' is not registered",
        ),
        (
            "agency,declared_on,source_url,source_date,source_title\n"
            "bps-kabupaten-grobogan,2020-02-30,https://example.org/a,2020-06-18,Berita\n",
            "line 2: declared_on:",
        ),
        (
            "agency,declared_on,source_url,source_date,source_title\n"
            "bps-kabupaten-grobogan,2020-06-17,https://example.org/a,2020-06-18,Berita\n"
            "bps-kabupaten-grobogan,,https://example.org/b,2020-06-18,Berita\n",
            "line 3: declared_on is empty",
        ),
        # An agency not in Pakta yet, described wrongly.
        (
            "agency,declared_on,source_url,source_date,source_title,agency_name\n"
            "baru,2020-06-17,https://example.org/a,2020-06-18,Berita,Instansi Baru\n",
            "line 2: agency 'baru' is not registered in Pakta; give agency_name and agency_kind",
        ),
        (
            "agency,declared_on,source_url,source_date,source_title,agency_name,agency_kind\n"
            "baru,2020-06-17,https://example.org/a,2020-06-18,Berita,Instansi Baru,kantor\n",
            "line 2: kind:",
        ),
        (
            "agency,declared_on,source_url,source_date,source_title,agency_name,agency_kind,"
            "parent\n"
            "baru,2020-06-17,https://example.org/a,2020-06-18,Berita,Baru,unit_kerja,induk-baru\n",
            "line 2: parent 'induk-baru' is not registered in Pakta, nor recorded",
        ),
        (
            "agency,declared_on,source_url,source_date,source_title,agency_name,agency_kind,"
            "region_kemendagri\n"
            "baru,2020-06-17,https://example.org/a,2020-06-18,Berita,Baru,unit_kerja,34.71\n",
            "line 2: region 34.71 is not in Pakta's region list",
        ),
        (
            "agency,declared_on,source_url,source_date,source_title,agency_name,agency_kind\n"
            "baru,2020-06-17,https://example.org/a,2020-06-18,Berita,Baru,unit_kerja\n"
            "baru,2020-07-17,https://example.org/b,2020-07-18,Berita,Lain,unit_kerja\n",
            "line 3: agency 'baru' is described differently on line 2",
        ),
        (
            "agency,declared_on,source_url,source_date,source_title,agency_name\n"
            "rsud-bahteramas,2020-06-17,https://example.org/a,2020-06-18,Berita,RSUD Lain\n",
            "line 2: agency 'rsud-bahteramas' is registered as",
        ),
    ],
)
def test_a_bad_file_is_refused_with_its_line_and_changes_nothing(
    demo: Instance, tmp_path: Path, capsys: pytest.CaptureFixture[str], csv: str, says: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(csv, encoding="utf-8")
    before = size(demo)
    assert pakta(demo, "import", str(path)) == 1
    err = capsys.readouterr().err
    assert err.startswith("pakta: error: ") and says in err, err
    assert size(demo) == before


def test_the_sample_matches_the_documented_columns() -> None:
    doc = (SAMPLE.parent / "import-csv.md").read_text(encoding="utf-8")
    header = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert f"`{header}`" in doc
    assert json.dumps(header)  # a plain line


NEW_CSV = (
    "agency,declared_on,target,source_url,source_date,source_title,agency_name,agency_kind,"
    "parent,region_kemendagri\n"
    "dinas-kesehatan-palu,2022-03-01,WBK,https://example.org/palu,2022-03-02,Dinkes Palu ZI,"
    "Dinas Kesehatan Kota Palu,perangkat_daerah,,72.71\n"
    "puskesmas-talise,2022-03-01,WBK,https://example.org/palu,2022-03-02,Dinkes Palu ZI,"
    "Puskesmas Talise,unit_kerja,dinas-kesehatan-palu,72.71\n"
    "dinas-kesehatan-palu,2023-01-10,WBBM,https://example.org/palu-2,2023-01-11,Lanjutan,,,,\n"
)


def test_an_agency_not_in_pakta_is_recorded_without_keys_and_signs_nothing_until_one_is_added(
    demo: Instance, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from events import build_statement
    from events.key_request import make_request, parse_request
    from keys.dsse import sign
    from keys.ed25519 import generate, load_private_key
    from registry.registrar import plan
    from registry.rules.errors import RuleError
    from registry.rules.state import head_json

    path = tmp_path / "new.csv"
    path.write_text(NEW_CSV, encoding="utf-8")
    before = size(demo)
    assert pakta(demo, "import", str(path)) == 0
    out = capsys.readouterr().out
    assert "agency dinas-kesehatan-palu recorded without keys" in out
    assert "agency puskesmas-talise recorded without keys" in out  # its parent came first
    assert "3 recorded" in out and size(demo) == before + 5
    assert pakta(demo, "import", str(path)) == 0
    assert "0 recorded, 3 already in the log" in capsys.readouterr().out
    assert size(demo) == before + 5

    service = open_service(demo)
    try:
        registry = service.registry
        head = registry.head("puskesmas-talise")
        assert head is not None and head.keys == {} and head.parent == "dinas-kesehatan-palu"
        assert registry.head("dinas-kesehatan-palu").region["bps"] == "7271"  # from the list
        # Nobody speaks for it yet: a statement signed with any key is refused.
        stranger = generate()
        now = datetime.now(UTC).replace(microsecond=0)
        body = {"signed_on": now.date().isoformat(), "signatories": 9, "staff_total": 10,
                "scope": "Seluruh pegawai"}  # fmt: skip
        doc = [{"name": "p.pdf", "sha256": "sha256:" + "d" * 64, "media_type": "application/pdf"}]

        def pact() -> bytes:
            h = registry.head("puskesmas-talise")
            return build_statement(
                "integrity_pact.signed", "puskesmas-talise", h.seq + 1, h.hash, now, body, doc
            )

        with pytest.raises(RuleError) as refused:
            registry.submit(json.dumps(sign(pact(), [stranger]).to_json()).encode())
        assert refused.value.code == "unknown-key"
        assert size(demo) == before + 5
        # The registrar adds its first key from a key request (as `pakta register` does).
        key = generate()
        request = parse_request(make_request(key, "puskesmas-talise", "unit_head", "Kepala", now))
        registrar = load_private_key(demo.registrar_key_path())
        for type_, grant in plan([request], head_json(head), today=now.date()):
            assert type_ == "key.added"
            h = registry.head("puskesmas-talise")
            payload = build_statement(type_, "puskesmas-talise", h.seq + 1, h.hash, now, grant)
            registry.submit(json.dumps(sign(payload, [registrar]).to_json()).encode())
        receipt = registry.submit(json.dumps(sign(pact(), [key]).to_json()).encode())
        assert receipt.index == before + 6
    finally:
        service.close()

    app = demo_app(demo)
    try:
        page = app.test_client().get("/agencies/puskesmas-talise").get_data(as_text=True)
        assert "Puskesmas Talise" in page
        entry = app.test_client().get(f"/entries/{before}").get_data(as_text=True)
        assert "dicatat di Pakta oleh registrar dari sumber publik" in entry
        assert "belum memiliki kunci penandatangan" in entry
    finally:
        close_app(app)
