"""The document check (issue 13): from an entry page it shows the signed document and its hash
and a file picker, never "Cocok" before a file is chosen; a match names the unit, the date and
the document; a miss says what to do next; only the exact signed file can match."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pakta_support import new_instance
from site_support import demo_app, demo_instance

from registry.demo import files
from registry.write.instance import Instance
from web import close_app


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("demo"), lifecycle=True)


def expected_link(client: FlaskClient) -> str:
    page = client.get("/entries/77?lang=id").data.decode()
    found = re.search(r'<a href="(/documents\?expect=sha256(?:%3A|:)[0-9a-f]{64})">', page)
    assert found, "the entry links to the check of its document"
    return found.group(1)


def test_nothing_matches_before_a_file_is_chosen(client: FlaskClient) -> None:
    page = client.get(expected_link(client)).data.decode()
    assert "Cocok" not in page and "document-result" not in page
    assert "pencabutan.pdf, dilampirkan Tim Penilai Nasional" in page
    assert re.search(r"<code>sha256:[0-9a-f]{64}</code>", page)
    assert 'id="file-picker"' in page and "foto piagam" not in page
    assert "Hanya berkas asli yang ditandatangani" in page
    assert "certutil -hashfile" in page and "sha256sum" in page  # without JavaScript


def test_a_match_and_a_miss(client: FlaskClient) -> None:
    link = expected_link(client)
    expect = link.split("expect=")[1].replace("%3A", ":")
    match = client.get(f"{link}&sha256={expect.removeprefix('sha256:')}").data.decode()
    assert "<strong>Cocok.</strong>" in match and "pada 15 September 2026" in match
    other = hashlib.sha256(b"a photo of the charter").hexdigest()
    miss = client.get(f"{link}&sha256={other}").data.decode()
    assert "<strong>Tidak cocok.</strong>" in miss and "Mintalah berkas aslinya" in miss
    assert "<strong>Cocok.</strong>" not in miss
    unknown = client.get(f"/documents?sha256={other}").data.decode()
    assert "Yang dapat Anda lakukan" in unknown


def test_english_counts_entries(client: FlaskClient) -> None:
    link = expected_link(client)
    expect = link.split("expect=")[1].replace("%3A", ":")
    page = client.get(f"/documents?sha256={expect}&lang=en").data.decode()
    assert "This fingerprint is referenced by 1 entry:" in page


def test_the_demo_pdfs_are_offered_served_and_match(client: FlaskClient) -> None:
    page = client.get("/documents").data.decode()
    assert "Coba dengan berkas demo" in page
    for name in files.TEXTS:
        assert f'<a href="/static/demo/{name}" download>{name}</a>' in page
        served = client.get(f"/static/demo/{name}")
        assert served.status_code == 200 and served.mimetype == "application/pdf"
        assert served.data == files.pdf(name)
        served.close()
    # The revocation's document is a demo PDF: its check links the file, and the file matches.
    link = expected_link(client)
    expecting = client.get(link).data.decode()
    assert "Ini dokumen demo" in expecting and 'href="/static/demo/pencabutan.pdf"' in expecting
    real = client.get("/static/demo/pencabutan.pdf")
    digest = hashlib.sha256(real.data).hexdigest()
    real.close()
    match = client.get(f"{link}&sha256={digest}").data.decode()
    assert "<strong>Cocok.</strong>" in match and "Coba dengan berkas demo" not in match
    looked_up = client.get(f"/documents?sha256={digest}").data.decode()
    demo_link = 'Sidik jari ini milik berkas PDF demo: <a href="/static/demo/pencabutan.pdf"'
    assert demo_link in looked_up


def test_no_demo_file_is_offered_without_demo_data(tmp_path: Path) -> None:
    app = demo_app(new_instance(tmp_path / "empty"))
    try:
        client = app.test_client()
        assert "Coba dengan berkas demo" not in client.get("/documents").data.decode()
        digest = hashlib.sha256(files.pdf("pencabutan.pdf")).hexdigest()
        page = client.get(f"/documents?sha256={digest}").data.decode()
        assert "berkas PDF demo" not in page and "Tidak ada entri yang merujuk" in page
    finally:
        close_app(app)
