"""What the demo's stories share: the seed articles, the shapes of their statements, and the
helpers that build action plans, progress reports and LKE scores.

A story module (`grobogan`, `sulteng`, `sultra`, `sukoharjo`, `kuansing`) gives its seed
agencies with their seed statements (`AGENCIES`, from the articles in ../shared/seeds/, each
citing its article in `source`) and what came after, invented and marked `"demo": true`
(`steps`). `registry.demo.loader` signs and appends them in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The seed articles (../shared/seeds/<file>) as a statement's `source` cites them: the outlet
# and the article's title; where the saved text keeps neither, what the article is.
SEED_FILES = {
    "sukoharjo": "000_2bb62062407e64b3.txt",
    "sultra": "001_d21e4299adb79279.txt",
    "sulteng": "002_efd394449e2482c6.txt",
    "grobogan": "003_2fa933405990a256.txt",
    "kuansing": "004_ed807304d97f7b9d.txt",
}
SEEDS = {
    "sukoharjo": "Berita daring (nama media tidak tercatat): Integrity Day dan pencanangan "
    "unit kerja Zona Integritas Pemerintah Kabupaten Sukoharjo",
    "sultra": "Sultrademo.co: Inspektorat Sultra Dorong Zona Integritas untuk Pelayanan "
    "Publik Bebas Korupsi",
    "sulteng": "TribunPalu.com: Pemprov Sulteng Komitmen Pembangunan Zona Integritas "
    "Wujudkan WBK/WBBM",
    "grobogan": "Berita daring (nama media tidak tercatat): BPS Grobogan mencanangkan "
    "pembangunan zona integritas menuju WBK dan WBBM, 17 Juni 2020",
    "kuansing": "Nusaperdana.com: Bupati Kuansing Lakukan Pencanangan Pembangunan Zona "
    "Integritas Menuju WBK dan WBBM",
}
PACT_DOCUMENT = {"name": "pakta-integritas.pdf", "media_type": "application/pdf"}


@dataclass
class DemoAgency:
    """A seed agency: registered by the registrar with one head key, then its seed statements
    as (type, issued_at, body, extra) with `extra` holding source, demo and documents."""

    agency: str
    name: str
    kind: str
    holder: str
    parent: str | None = None
    region: dict[str, str] | None = None
    registered: str = ""
    role: str = "agency_head"
    statements: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)


def region(kemendagri: str, bps: str, name: str) -> dict[str, str]:
    return {"kemendagri": kemendagri, "bps": bps, "name": name}


SCORES = {
    "good": {
        "areas": {
            "manajemen_perubahan": "7.10",
            "tata_laksana": "6.20",
            "sdm": "8.60",
            "akuntabilitas": "8.80",
            "pengawasan": "12.90",
            "pelayanan_publik": "8.90",
        },
        "results": {"ipak": "16.10", "kinerja": "4.40", "ipkp": "15.30"},
    },
    "fair": {
        "areas": {
            "manajemen_perubahan": "6.20",
            "tata_laksana": "5.10",
            "sdm": "7.20",
            "akuntabilitas": "7.40",
            "pengawasan": "10.10",
            "pelayanan_publik": "7.30",
        },
        "results": {"ipak": "14.60", "kinerja": "3.90", "ipkp": "13.80"},
    },
    "weak": {
        "areas": {
            "manajemen_perubahan": "5.10",
            "tata_laksana": "4.30",
            "sdm": "5.90",
            "akuntabilitas": "6.10",
            "pengawasan": "8.20",
            "pelayanan_publik": "6.00",
        },
        "results": {"ipak": "13.90", "kinerja": "3.50", "ipkp": "12.70"},
    },
}
PREREQ_OK = {
    "bpk_opinion": "WTP",
    "sakip": "BB",
    "spip_level": 3,
    "audit_follow_up_percent": 100,
    "asset_declaration_percent": 100,
}


@dataclass
class Step:
    """One invented statement of the lifecycle phase (always `"demo": true`)."""

    agency: str
    type: str
    issued_at: str
    body: dict[str, Any]
    keys: tuple[str, ...] = ()  # demo key names; () = the agency's head key; "registrar"
    documents: tuple[str, ...] = ()
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def item(
    id_: str, area: str, output: str, due: str, responsible: str, evidence: str
) -> dict[str, str]:
    return {
        "id": id_,
        "area": area,
        "output": output,
        "target": "100%",
        "due": due,
        "responsible": responsible,
        "evidence": evidence,
    }


def plan_items(prefix_year: str, dues: list[str], office: str) -> list[dict[str, str]]:
    """Six items, one per change area, due on `dues` (in order)."""
    y = prefix_year
    return [
        item(
            "MP-01",
            "manajemen_perubahan",
            "Agen perubahan ditetapkan",
            dues[0],
            f"Sekretaris {office}",
            "SK agen perubahan",
        ),
        item(
            "TL-01",
            "tata_laksana",
            f"SOP layanan {y} dimutakhirkan",
            dues[1],
            f"Kepala Subbagian Umum {office}",
            "Dokumen SOP",
        ),
        item(
            "SD-01",
            "sdm",
            "Pemetaan kompetensi pegawai",
            dues[2],
            f"Kepala Subbagian Kepegawaian {office}",
            "Laporan pemetaan",
        ),
        item(
            "AK-01",
            "akuntabilitas",
            "Perjanjian kinerja berjenjang",
            dues[3],
            f"Kepala Subbagian Perencanaan {office}",
            "Dokumen perjanjian kinerja",
        ),
        item(
            "PW-01",
            "pengawasan",
            "Pengendalian gratifikasi dan benturan kepentingan",
            dues[4],
            f"Sekretaris {office}",
            "SK unit pengendali gratifikasi",
        ),
        item(
            "PP-01",
            "pelayanan_publik",
            "Standar pelayanan dipublikasikan",
            dues[5],
            f"Kepala Bidang Pelayanan {office}",
            "Tautan situs dan foto maklumat",
        ),
    ]


def progress(item_: str, day: str, percent: int = 100, note: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "item": item_,
        "reported_on": day,
        "percent": percent,
        "status": "done" if percent == 100 else "in_progress",
    }
    if note:
        body["note"] = note
    return body
