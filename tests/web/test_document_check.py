"""The document check (issue 13): from an entry page it shows the signed document and its hash
and a file picker, never "Cocok" before a file is chosen; a match names the unit, the date and
the document; a miss says what to do next; only the exact signed file can match."""

from __future__ import annotations

import hashlib
import re

import pytest
from flask.testing import FlaskClient
from site_support import demo_instance

from registry.write.instance import Instance


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
