"""Every word the site shows about the registry's facts, in the page's language.

The pure rules (registry/rules/) compute statuses and warnings as codes and facts; the words
for them live here and nowhere else: a status's title, what it means and what it does not
mean; agency kinds; statement type titles; regulation, role and item-state names. Warnings
have their own module (`web.warning_words`). The Indonesian text is the message id; the
English catalog translates it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import g
from flask_babel import gettext

from events import get_type
from events.errors import StatementError
from events.types.historical import CONFIRMED_TITLE
from events.types.historical import TYPE as RECORDED


def _(text: str, **variables: Any) -> str:
    return str(gettext(text, **variables))


def lang() -> str:
    return str(getattr(g, "lang", "id"))


def local(texts: dict[str, str]) -> str:
    """The page's language from a bilingual {"id", "en"} pair (catalog data)."""
    return texts.get(lang()) or texts.get("id", "")


# -- statuses, kinds, statement types -------------------------------------------------------

# The title of each lifecycle status (registry/rules/lifecycle.py STATUSES), both languages.
STATUS_TITLES = {
    "declared": {"id": "Dicanangkan", "en": "Declared"},
    "building": {"id": "Pembangunan", "en": "Building"},
    "assessed": {"id": "Dinilai internal", "en": "Assessed internally"},
    "proposed": {"id": "Diusulkan", "en": "Proposed"},
    "evaluated": {"id": "Dievaluasi nasional", "en": "Evaluated nationally"},
    "wbk": {"id": "Berpredikat Menuju WBK", "en": "Awarded Towards WBK"},
    "wbbm": {"id": "Berpredikat Menuju WBBM", "en": "Awarded Towards WBBM"},
    "not_met": {"id": "Belum memenuhi syarat", "en": "Requirements not met"},
    "revoked": {"id": "Predikat dicabut", "en": "Predicate revoked"},
}


def step_title(step: str) -> str:
    return local(STATUS_TITLES[step]) if step in STATUS_TITLES else step


def status_info(code: str) -> dict[str, str]:
    """A status's label, what it means, and what it does NOT mean, in plain words."""
    texts: dict[str, tuple[str, str]] = {
        "registered": (
            _("Instansi ini terdaftar di Pakta dan punya kunci untuk menandatangani pernyataan."),
            _("Belum berarti instansi ini sudah berkomitmen atau bebas korupsi."),
        ),
        "pact_signed": (
            _("Pimpinan dan pegawai menyatakan telah menandatangani Pakta Integritas."),
            _("Ini janji, bukan hasil penilaian: belum ada yang memeriksa apakah janji ditepati."),
        ),
        "declared": (
            _("Instansi ini mencanangkan Zona Integritas di depan umum dan menetapkan target."),
            _("Pencanangan bukan predikat WBK/WBBM: penilaian belum dilakukan."),
        ),
        "building": (
            _("Instansi ini menjalankan rencana aksi di enam area perubahan."),
            _("Belum dinilai oleh TPI maupun TPN."),
        ),
        "assessed": (
            _("Tim penilai internal sudah mengevaluasi unit ini."),
            _("Penilaian internal bukan penetapan predikat."),
        ),
        "proposed": (
            _("Pimpinan instansi mengusulkan unit ini ke KemenPAN-RB."),
            _("Usulan belum tentu diterima."),
        ),
        "evaluated": (
            _("Tim penilai nasional sudah mengevaluasi unit ini."),
            _("Hasil akhir (predikat atau tidak) belum dicatat."),
        ),
        "wbk": (
            _("Unit ini ditetapkan berpredikat Menuju Wilayah Bebas dari Korupsi."),
            _("Predikat bukan jaminan tidak ada korupsi; predikat dapat dicabut."),
        ),
        "wbbm": (
            _("Unit ini ditetapkan berpredikat Menuju Wilayah Birokrasi Bersih dan Melayani."),
            _("Predikat bukan jaminan tidak ada korupsi; predikat dapat dicabut."),
        ),
        "not_met": (
            _("Penilaian nasional menyatakan unit ini belum memenuhi syarat; ada pembinaan."),
            _("Bukan berarti ada korupsi; unit dapat diusulkan lagi."),
        ),
        "revoked": (
            _("TPN mencabut predikat unit ini."),
            _("Pencabutan tercatat; unit tidak dapat diusulkan lagi selama 2 tahun."),
        ),
    }
    labels = {"registered": _("Terdaftar"), "pact_signed": _("Pakta Integritas ditandatangani")}
    means, not_means = texts.get(code, ("", ""))
    label = labels.get(code) or step_title(code)
    return {"code": code, "label": label, "means": means, "not_means": not_means}


def kind_label(kind: str) -> str:
    labels: dict[str, str] = {
        "pemerintah_provinsi": _("Pemerintah provinsi"),
        "pemerintah_kabupaten": _("Pemerintah kabupaten"),
        "pemerintah_kota": _("Pemerintah kota"),
        "perangkat_daerah": _("Perangkat daerah (OPD)"),
        "instansi_vertikal": _("Instansi vertikal"),
        "kementerian_lembaga": _("Kementerian/lembaga"),
        "unit_kerja": _("Unit kerja"),
        "lembaga_pengawas": _("Lembaga pengawas"),
        "masyarakat_sipil": _("Masyarakat sipil"),
        "tim_penilai": _("Tim penilai"),
    }
    return labels.get(kind, kind)


def type_label(name: str, links: Iterable[Mapping[str, Any]] = ()) -> str:
    """A statement type's title in the page's language (from the catalog); for a declaration
    recorded from a public source, its confirmed title once `links` (the entry's incoming
    links, `queries.links_of`/`links_into`) hold the agency's confirmation."""
    if name == RECORDED and any(link.get("kind") == "confirmed" for link in links):
        return CONFIRMED_TITLE[lang()]
    try:
        return str(get_type(name).title.get(lang(), name))
    except StatementError:
        return name


_REGULATION = re.compile(r"permenpanrb-([0-9]+)-([0-9]{4})(?:-([0-9]+)-([0-9]{4}))?")


def regulation_name(rid: str | None) -> str:
    """ "Permenpan RB Nomor 90 Tahun 2021" for "permenpanrb-90-2021"."""
    found = _REGULATION.fullmatch(rid or "")
    if not found:
        return rid or ""
    if found[3]:
        return _(
            "Permenpan RB Nomor %(n)s Tahun %(y)s sebagaimana diubah dengan Nomor %(m)s "
            "Tahun %(z)s",
            n=found[1],
            y=found[2],
            m=found[3],
            z=found[4],
        )
    return _("Permenpan RB Nomor %(n)s Tahun %(y)s", n=found[1], y=found[2])


def role_name(role: str) -> str:
    names = {
        "agency_head": _("pimpinan instansi"),
        "unit_head": _("pimpinan unit kerja"),
        "operator": _("operator"),
        "surveyor": _("penyelenggara survei"),
        "witness": _("saksi"),
        "tpi": _("Tim Penilai Internal (TPI)"),
        "tpn": _("Tim Penilai Nasional (TPN)"),
    }
    return names.get(role, role)


ITEM_STATES = {
    "done": {"id": "selesai", "en": "done"},
    "open": {"id": "belum selesai", "en": "not done"},
    "in_progress": {"id": "berjalan", "en": "in progress"},
    "cancelled": {"id": "dibatalkan", "en": "cancelled"},
    # Added by a statement a compromise revocation voided (docs/design-decisions.md).
    "voided": {"id": "tidak berlaku (kunci dicabut)", "en": "void (key revoked)"},
}


def item_state(state: str) -> str:
    """An action-plan item's state in words (never the code)."""
    return local(ITEM_STATES[state]) if state in ITEM_STATES else state
