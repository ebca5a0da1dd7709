"""`pakta import FILE.csv` on a real instance: the documented sample is recorded once (its row
for a declaration the agency signed itself is not), running it again adds nothing, every
imported row's page says it was recorded from a public source and is not signed by the agency,
and a bad file is refused with its line and changes nothing."""

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
    rows = len(SAMPLE.read_text(encoding="utf-8").splitlines()) - 1
    # BPS Grobogan signed its own declaration of 17 June 2020 (demo): nothing to record there.
    assert f"{rows - 1} recorded, 0 already in the log, 1 already signed by the agency" in out
    assert len(added) == rows - 1 and size(demo) == before + rows - 1
    assert pakta(demo, "import", str(SAMPLE)) == 0  # idempotent
    again = capsys.readouterr().out
    assert f"0 recorded, {rows - 1} already in the log, 1 already signed" in again
    assert size(demo) == before + rows - 1

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
