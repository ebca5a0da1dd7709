"""A unit's page rendered from the real read model of the demo (no hand-made shapes): its
stage path, its action plan with re-dated and overdue items counted at a fixed day, its scores
against the thresholds, and its warnings, in Indonesian and English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from flask.testing import FlaskClient
from golden_demo import load_fixed_demo
from site_support import ensure_translations

from web import close_app, create_app

TODAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    folder = tmp_path_factory.mktemp("units") / "instance"
    load_fixed_demo(folder).close()
    ensure_translations()
    app = create_app({"TESTING": True, "PAKTA_INSTANCE": str(folder), "TODAY": TODAY})
    yield app.test_client()
    close_app(app)


def page(client: FlaskClient, agency: str, lang: str = "id") -> str:
    """The unit page without the marks its browser check reads (data-claim, <time>, the
    overdue badges' proof buttons: tests/browser/test_verify_unit.py covers them)."""
    response = client.get(f"/agencies/{agency}?lang={lang}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    claim = r'<span data-claim="[a-z]+"(?: data-state="[a-z_]+")?>([^<]*)</span>'
    html = re.sub(claim, r"\1", html)
    html = re.sub(r' data-(?:claim|stage|item|state)="[^"]*"', "", html)
    html = re.sub(r"</?time[^>]*>", "", html)
    return re.sub(r' <button type="button" class="silence".*?</button><span[^>]*></span>', "", html)


def test_a_units_path_plan_scores_and_warnings(client: FlaskClient) -> None:
    rs_jiwa = page(client, "rs-jiwa-sultra")
    assert '<li class="done">Dicanangkan <a href="/entries/43">20 Januari 2025</a></li>' in rs_jiwa
    assessed = '<li class="done">Dinilai internal <a href="/entries/68">20 Juli 2025</a></li>'
    assert assessed in rs_jiwa
    assert "<li>Diusulkan</li>" in rs_jiwa
    assert "6 butir, 0 selesai, 6 terlambat (per 1 November 2026)." in rs_jiwa
    # Due 31 March 2025, open on 1 November 2026: 580 days late.
    assert '31 Maret 2025 <span class="badge bad">Terlambat 580 hari</span>' in rs_jiwa
    assert "60% · belum selesai" in rs_jiwa  # the operator's report, later invalidated, still shown
    assert "6 butir rencana aksi melewati jatuh tempo" in rs_jiwa
    assert "Ditandatangani kunci yang dicabut" in rs_jiwa
    assert "65,70" in rs_jiwa and "di bawah ambang" in rs_jiwa  # the TPI's weak scores
    english = page(client, "rs-jiwa-sultra", "en")
    assert "Change management" in english and "Overdue 580 days" in english


def test_a_redated_item_and_scores_that_meet_the_thresholds(client: FlaskClient) -> None:
    grobogan = page(client, "bps-kabupaten-grobogan")
    assert '31 Maret 2021 <span class="muted">(semula 31 Oktober 2020)</span>' in grobogan
    assert "6 butir, 6 selesai, 0 terlambat" in grobogan
    dpmptsp = page(client, "dpmptsp-sultra")
    assert '<strong>88,30</strong> <span class="badge ok">memenuhi</span>' in dpmptsp
    awarded = (
        '<li class="done outcome">Berpredikat Menuju WBK '
        '<a href="/entries/75">10 Juni 2026</a></li>'
    )
    assert awarded in dpmptsp
