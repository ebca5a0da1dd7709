"""Demo data, second phase: a Zona Integritas lifecycle for the seed agencies (all `"demo": true`).

The seed articles give declarations; what came after is invented, plausibly, to show every part
of the registry: BPS Kabupaten Grobogan builds, is assessed by BPS's inspectorate, proposed and
awarded WBK (2022); Pemprov Sulawesi Tenggara declares four OPDs with their heads' joint
signatures, which build under their own keys (one operator key is compromised and revoked from a
past moment); the inspectorate assesses three, the governor proposes two (2026, prerequisites
short), DPMPTSP is awarded WBK, RSUD Bahteramas is awarded below the thresholds and the TPN
revokes it; Pemprov Sulawesi Tengah and Pemkab Sukoharjo build, with items overdue. Kuantan
Singingi keeps only its seed declaration (never witnessed). Every step is one `Step`;
`DemoLoader` signs and appends them in one batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


def steps(seeds: dict[str, str], key_ids: dict[str, str]) -> list[Step]:
    """The lifecycle, in log order. `key_ids` maps demo key names to their key ids."""
    grob = "bps-kabupaten-grobogan"
    sultra = "pemprov-sulawesi-tenggara"
    sulteng = "pemprov-sulawesi-tengah"
    out: list[Step] = [
        # -- BPS Kabupaten Grobogan: to WBK in 2022 (90/2021) ---------------------------
        Step(
            grob,
            "work_team.established",
            "2020-06-22T09:00:00+07:00",
            {
                "established_on": "2020-06-22",
                "decree": "SK Kepala BPS Kabupaten Grobogan "
                "tentang Tim Kerja Pembangunan Zona Integritas",
                "members": 12,
                "chair": "Kepala Subbagian Umum BPS Kabupaten Grobogan",
            },
            documents=("sk-tim-kerja.pdf",),
            source=seeds["grobogan"],
        ),
        Step(
            grob,
            "action_plan.published",
            "2020-07-01T09:00:00+07:00",
            {
                "year": 2020,
                "published_on": "2020-07-01",
                "items": plan_items(
                    "2020",
                    [
                        "2020-09-30",
                        "2020-10-31",
                        "2020-11-30",
                        "2020-12-31",
                        "2021-01-31",
                        "2021-02-28",
                    ],
                    "BPS Kabupaten Grobogan",
                ),
            },
        ),
        Step(
            grob,
            "action_item.progress_reported",
            "2020-09-28T09:00:00+07:00",
            progress("MP-01", "2020-09-28"),
            documents=("sk-agen-perubahan.pdf",),
        ),
        Step(
            grob,
            "action_plan.revised",
            "2020-10-20T09:00:00+07:00",
            {
                "revised_on": "2020-10-20",
                "redated": [
                    {
                        "item": "TL-01",
                        "due": "2021-03-31",
                        "reason": "Menunggu SOP baru dari BPS Provinsi",
                    }
                ],
                "cancelled": [],
                "added": [],
            },
        ),
        *[
            Step(
                grob,
                "action_item.progress_reported",
                f"{day}T09:00:00+07:00",
                progress(i, day),
                documents=(f"bukti-{i.lower()}.pdf",),
            )
            for i, day in (
                ("SD-01", "2020-11-25"),
                ("AK-01", "2020-12-30"),
                ("PW-01", "2021-01-29"),
                ("PP-01", "2021-02-26"),
                ("TL-01", "2021-03-30"),
            )
        ],
        # KemenPAN-RB's national team and BPS's own inspectorate join the log in 2021.
        Step(
            "kemenpanrb-tpn",
            "agency.registered",
            "2021-01-04T09:00:00+07:00",
            {
                "name": "Tim Penilai Nasional Zona Integritas (KemenPAN-RB)",
                "kind": "tim_penilai",
                "parent": None,
                "region": {"kemendagri": "31", "bps": "31", "name": "Provinsi DKI Jakarta"},
                "keys": [
                    {
                        "key": "kemenpanrb-tpn",
                        "role": "tpn",
                        "holder": "Deputi Reformasi Birokrasi, Akuntabilitas Aparatur dan "
                        "Pengawasan",
                    }
                ],
            },
            keys=("registrar",),
        ),
        Step(
            "itama-bps",
            "agency.registered",
            "2021-01-04T09:30:00+07:00",
            {
                "name": "Inspektorat Utama Badan Pusat Statistik",
                "kind": "unit_kerja",
                "parent": None,
                "region": {"kemendagri": "31", "bps": "31", "name": "Provinsi DKI Jakarta"},
                "keys": [
                    {"key": "itama-bps", "role": "agency_head", "holder": "Inspektur Utama BPS"}
                ],
            },
            keys=("registrar",),
        ),
        Step(
            "itama-bps",
            "role.granted",
            "2021-01-05T09:00:00+07:00",
            {
                "role": "tpi",
                "granted_on": "2021-01-05",
                "scope": [grob],
                "basis": "Keputusan Kepala BPS tentang Tim Penilai Internal Zona Integritas",
            },
            keys=("registrar",),
        ),
        Step(
            "itama-bps",
            "key.added",
            "2021-01-05T10:00:00+07:00",
            {"key": "itama-bps-tpi", "role": "tpi", "holder": "Ketua TPI Inspektorat Utama BPS"},
        ),
        Step(
            grob,
            "self_assessment.submitted",
            "2021-12-15T09:00:00+07:00",
            {
                "regulation": "permenpanrb-90-2021",
                "target": "WBK",
                "year": 2022,
                "assessed_on": "2021-12-15",
                "scores": SCORES["fair"],
                "indices": {"ipak": "3.58", "ipkp": "3.31"},
            },
            documents=("lke-mandiri.pdf",),
        ),
        Step(
            "kemenpanrb-tpn",
            "submission_window.announced",
            "2022-01-10T09:00:00+07:00",
            {
                "year": 2022,
                "regulation": "permenpanrb-90-2021",
                "opens_on": "2022-01-15",
                "deadline": "2022-05-31",
                "quota_per_agency": 10,
                "announced_on": "2022-01-10",
            },
            keys=("kemenpanrb-tpn",),
        ),
        Step(
            "itama-bps",
            "internal_evaluation.completed",
            "2022-03-14T09:00:00+07:00",
            {
                "unit": grob,
                "regulation": "permenpanrb-90-2021",
                "target": "WBK",
                "year": 2022,
                "evaluated_on": "2022-03-14",
                "scores": SCORES["good"],
                "indices": {"ipak": "3.66", "ipkp": "3.42"},
                "recommendation": "propose",
                "notes": "Layak diusulkan; perkuat bukti dukung area tata laksana.",
            },
            keys=("itama-bps-tpi",),
            documents=("lhe-tpi.pdf",),
        ),
        Step(
            grob,
            "proposal.submitted",
            "2022-04-20T09:00:00+07:00",
            {
                "year": 2022,
                "regulation": "permenpanrb-90-2021",
                "submitted_on": "2022-04-20",
                "letter": "Surat Kepala BPS Kabupaten Grobogan Nomor B-112/33150/KP.000/2022",
                "units": [
                    {
                        "unit": grob,
                        "target": "WBK",
                        "internal_evaluation": "itama-bps@bps-kabupaten-grobogan",
                    }
                ],
                "prerequisites": PREREQ_OK,
            },
            documents=("surat-usulan.pdf", "sptjm.pdf"),
        ),
        Step(
            "kemenpanrb-tpn",
            "national_evaluation.recorded",
            "2022-07-12T09:00:00+07:00",
            {
                "unit": grob,
                "year": 2022,
                "regulation": "permenpanrb-90-2021",
                "stage": "desk",
                "evaluated_on": "2022-07-12",
                "passed": True,
                "scores": SCORES["good"],
            },
            keys=("kemenpanrb-tpn",),
        ),
        Step(
            "kemenpanrb-tpn",
            "national_evaluation.recorded",
            "2022-09-21T09:00:00+07:00",
            {
                "unit": grob,
                "year": 2022,
                "regulation": "permenpanrb-90-2021",
                "stage": "field",
                "evaluated_on": "2022-09-21",
                "passed": True,
                "scores": SCORES["good"],
                "indices": {"ipak": "3.66", "ipkp": "3.42"},
            },
            keys=("kemenpanrb-tpn",),
        ),
        Step(
            "kemenpanrb-tpn",
            "predicate.awarded",
            "2022-12-08T09:00:00+07:00",
            {
                "unit": grob,
                "predicate": "WBK",
                "year": 2022,
                "regulation": "permenpanrb-90-2021",
                "awarded_on": "2022-12-08",
                "decree": "Keputusan Menteri PANRB tentang Penetapan Unit Kerja Berpredikat WBK "
                "Tahun 2022",
                "route": "national",
            },
            keys=("kemenpanrb-tpn",),
            documents=("kepmenpanrb-wbk-2022.pdf",),
        ),
        # -- Pemprov Sulawesi Tengah: building, proposed late, awarded, revoked -----------
        Step(
            sulteng,
            "work_team.established",
            "2024-06-20T09:00:00+08:00",
            {
                "established_on": "2024-06-20",
                "decree": "Keputusan Gubernur Sulawesi Tengah "
                "tentang Tim Kerja Pembangunan Zona Integritas",
                "members": 25,
                "chair": "Sekretaris Daerah Provinsi Sulawesi Tengah",
            },
            documents=("sk-tim-kerja.pdf",),
            source=seeds["sulteng"],
        ),
        Step(
            sulteng,
            "action_plan.published",
            "2024-07-01T09:00:00+08:00",
            {
                "year": 2024,
                "published_on": "2024-07-01",
                "items": plan_items(
                    "2024",
                    [
                        "2024-08-31",
                        "2024-09-30",
                        "2024-10-31",
                        "2024-11-30",
                        "2024-12-31",
                        "2025-01-31",
                    ],
                    "Setda Sulawesi Tengah",
                ),
            },
        ),
        *[
            Step(
                sulteng,
                "action_item.progress_reported",
                f"{day}T09:00:00+08:00",
                progress(i, day),
                documents=(f"bukti-{i.lower()}.pdf",),
            )
            for i, day in (
                ("MP-01", "2024-08-29"),
                ("TL-01", "2024-09-30"),
                ("AK-01", "2024-12-02"),
            )
        ],
        # -- Pemprov Sulawesi Tenggara: four OPDs declared with their heads' signatures ----
        Step(
            sultra,
            "zi.declared",
            "2025-01-20T11:00:00+08:00",
            {
                "declared_on": "2025-01-20",
                "target": "WBK",
                "units": [
                    {"name": "DPMPTSP", "agency": "dpmptsp-sultra"},
                    {"name": "RSUD Bahteramas", "agency": "rsud-bahteramas"},
                    {"name": "RS Jiwa", "agency": "rs-jiwa-sultra"},
                    {"name": "Bappeda", "agency": "bappeda-sultra"},
                ],
                "place": "Kendari, bersama penandatanganan pakta integritas",
            },
            keys=(sultra, "dpmptsp-sultra", "rsud-bahteramas", "rs-jiwa-sultra", "bappeda-sultra"),
            documents=("piagam-pencanangan.pdf",),
            source=seeds["sultra"],
        ),
        *[
            Step(
                sultra,
                "unit.designated",
                f"2025-01-21T{9 + n:02d}:00:00+08:00",
                {
                    "unit": unit,
                    "designated_on": "2025-01-21",
                    "target": "WBK",
                    "decree": "Keputusan Gubernur Sulawesi Tenggara tentang Unit Kerja "
                    "Pembangunan Zona Integritas",
                },
            )
            for n, unit in enumerate(
                ("dpmptsp-sultra", "rsud-bahteramas", "rs-jiwa-sultra", "bappeda-sultra")
            )
        ],
        Step(
            "inspektorat-sultra",
            "role.granted",
            "2025-01-22T09:00:00+08:00",
            {
                "role": "tpi",
                "granted_on": "2025-01-22",
                "scope": [sultra],
                "basis": "Keputusan Gubernur tentang Tim Penilai Internal Zona Integritas",
            },
            keys=("registrar",),
            source=seeds["sultra"],
        ),
        Step(
            "inspektorat-sultra",
            "key.added",
            "2025-01-22T10:00:00+08:00",
            {
                "key": "inspektorat-sultra-tpi",
                "role": "tpi",
                "holder": "Plt. Inspektur Provinsi Sulawesi Tenggara",
            },
        ),
        Step(
            "dpmptsp-sultra",
            "work_team.established",
            "2025-01-30T09:00:00+08:00",
            {
                "established_on": "2025-01-30",
                "decree": "SK Kepala DPMPTSP tentang Tim Kerja Zona Integritas",
                "members": 15,
                "chair": "Sekretaris DPMPTSP",
            },
            documents=("sk-tim-kerja.pdf",),
        ),
        Step(
            "dpmptsp-sultra",
            "action_plan.published",
            "2025-02-10T09:00:00+08:00",
            {
                "year": 2025,
                "published_on": "2025-02-10",
                "items": plan_items(
                    "2025",
                    [
                        "2025-03-31",
                        "2025-04-30",
                        "2025-05-31",
                        "2025-06-30",
                        "2025-07-31",
                        "2025-08-31",
                    ],
                    "DPMPTSP",
                ),
            },
        ),
        Step(
            "dpmptsp-sultra",
            "key.added",
            "2025-02-11T09:00:00+08:00",
            {
                "key": "dpmptsp-sultra-surveyor",
                "role": "surveyor",
                "holder": "Bidang Pengaduan dan Survei DPMPTSP",
            },
        ),
        *[
            Step(
                "dpmptsp-sultra",
                "action_item.progress_reported",
                f"{day}T09:00:00+08:00",
                progress(i, day),
                documents=(f"bukti-{i.lower()}.pdf",),
            )
            for i, day in (
                ("MP-01", "2025-03-28"),
                ("TL-01", "2025-04-29"),
                ("SD-01", "2025-05-27"),
                ("PP-01", "2025-06-20"),
            )
        ],
        Step(
            "dpmptsp-sultra",
            "survey.published",
            "2025-06-25T09:00:00+08:00",
            {
                "unit": "dpmptsp-sultra",
                "survey": "IPKP",
                "year": 2025,
                "index": "3.41",
                "method": "Kuesioner daring dan tatap muka, skala 1-4",
                "sample_size": 384,
                "period": {"from": "2025-05-01", "to": "2025-06-15"},
                "published_on": "2025-06-25",
            },
            keys=("dpmptsp-sultra-surveyor",),
        ),
        Step(
            "inspektorat-sultra",
            "internal_evaluation.completed",
            "2025-07-15T09:00:00+08:00",
            {
                "unit": "dpmptsp-sultra",
                "regulation": "permenpanrb-5-2024",
                "target": "WBK",
                "year": 2025,
                "evaluated_on": "2025-07-15",
                "scores": SCORES["good"],
                "indices": {"ipak": "3.63", "ipkp": "3.41"},
                "recommendation": "propose",
            },
            keys=("inspektorat-sultra-tpi",),
            documents=("lhe-dpmptsp.pdf",),
        ),
        Step(
            "rsud-bahteramas",
            "action_plan.published",
            "2025-02-14T09:00:00+08:00",
            {
                "year": 2025,
                "published_on": "2025-02-14",
                "items": plan_items(
                    "2025",
                    [
                        "2025-04-30",
                        "2025-05-31",
                        "2025-06-30",
                        "2025-07-31",
                        "2025-08-31",
                        "2025-09-30",
                    ],
                    "RSUD Bahteramas",
                ),
            },
        ),
        Step(
            "rsud-bahteramas",
            "action_item.progress_reported",
            "2025-04-28T09:00:00+08:00",
            progress("MP-01", "2025-04-28"),
            documents=("bukti-mp-01.pdf",),
        ),
        Step(
            "rsud-bahteramas",
            "monitoring.reported",
            "2025-07-05T09:00:00+08:00",
            {
                "period": {"from": "2025-04-01", "to": "2025-06-30"},
                "reported_on": "2025-07-05",
                "summary": "Triwulan II: 1 dari 3 rencana aksi yang jatuh tempo selesai.",
                "items_on_track": 1,
                "items_late": 2,
            },
        ),
        Step(
            "rs-jiwa-sultra",
            "action_plan.published",
            "2025-02-17T09:00:00+08:00",
            {
                "year": 2025,
                "published_on": "2025-02-17",
                "items": plan_items(
                    "2025",
                    [
                        "2025-03-31",
                        "2025-04-30",
                        "2025-05-31",
                        "2025-06-30",
                        "2025-07-31",
                        "2025-08-31",
                    ],
                    "RS Jiwa",
                ),
            },
        ),
        Step(
            "rs-jiwa-sultra",
            "key.added",
            "2025-03-01T09:00:00+08:00",
            {
                "key": "rs-jiwa-sultra-operator",
                "role": "operator",
                "holder": "Operator Tim Kerja ZI RS Jiwa",
            },
        ),
        Step(
            "rs-jiwa-sultra",
            "action_item.progress_reported",
            "2025-04-10T09:00:00+08:00",
            progress("MP-01", "2025-04-10", 60, "Draf SK agen perubahan"),
            keys=("rs-jiwa-sultra-operator",),
        ),
        Step(
            "rs-jiwa-sultra",
            "action_item.progress_reported",
            "2025-05-12T09:00:00+08:00",
            progress("TL-01", "2025-05-12", 80, "SOP pendaftaran pasien"),
            keys=("rs-jiwa-sultra-operator",),
        ),
        Step(
            "rs-jiwa-sultra",
            "key.revoked",
            "2025-06-01T09:00:00+08:00",
            {
                "keyid": key_ids.get("rs-jiwa-sultra-operator", "ed25519:" + "0" * 32),
                "effective_from": "2025-05-01T00:00:00+08:00",
                "reason": "compromised",
                "note": "Akun operator dipakai pihak lain sejak awal Mei (demo).",
            },
        ),
        Step(
            "inspektorat-sultra",
            "internal_evaluation.completed",
            "2025-07-20T09:00:00+08:00",
            {
                "unit": "rs-jiwa-sultra",
                "regulation": "permenpanrb-5-2024",
                "target": "WBK",
                "year": 2025,
                "evaluated_on": "2025-07-20",
                "scores": SCORES["weak"],
                "recommendation": "not_propose",
                "notes": "Belum layak diusulkan: rencana aksi tertinggal.",
            },
            keys=("inspektorat-sultra-tpi",),
            documents=("lhe-rs-jiwa.pdf",),
        ),
        Step(
            "bappeda-sultra",
            "work_team.established",
            "2025-02-03T09:00:00+08:00",
            {
                "established_on": "2025-02-03",
                "decree": "SK Kepala Bappeda tentang Tim Kerja Zona Integritas",
                "members": 11,
                "chair": "Sekretaris Bappeda",
            },
            documents=("sk-tim-kerja.pdf",),
        ),
        Step(
            "inspektorat-sultra",
            "internal_evaluation.completed",
            "2025-10-01T09:00:00+08:00",
            {
                "unit": "rsud-bahteramas",
                "regulation": "permenpanrb-5-2024",
                "target": "WBK",
                "year": 2025,
                "evaluated_on": "2025-10-01",
                "scores": SCORES["fair"],
                "indices": {"ipak": "3.55", "ipkp": "3.30"},
                "recommendation": "propose",
            },
            keys=("inspektorat-sultra-tpi",),
            documents=("lhe-rsud.pdf",),
        ),
        Step(
            "kemenpanrb-tpn",
            "submission_window.announced",
            "2026-01-12T09:00:00+07:00",
            {
                "year": 2026,
                "regulation": "permenpanrb-5-2024",
                "opens_on": "2026-01-15",
                "deadline": "2026-05-31",
                "quota_per_agency": 10,
                "announced_on": "2026-01-12",
            },
            keys=("kemenpanrb-tpn",),
        ),
        Step(
            sultra,
            "proposal.submitted",
            "2026-02-02T09:00:00+08:00",
            {
                "year": 2026,
                "regulation": "permenpanrb-5-2024",
                "submitted_on": "2026-02-02",
                "letter": "Surat Gubernur Sulawesi Tenggara Nomor 700/1234/Itda",
                "units": [
                    {
                        "unit": "dpmptsp-sultra",
                        "target": "WBK",
                        "internal_evaluation": "inspektorat-sultra@dpmptsp-sultra",
                    },
                    {
                        "unit": "rsud-bahteramas",
                        "target": "WBK",
                        "internal_evaluation": "inspektorat-sultra@rsud-bahteramas",
                    },
                ],
                "prerequisites": dict(PREREQ_OK, sakip="B", audit_follow_up_percent=95),
            },
            documents=("surat-usulan.pdf", "sptjm.pdf"),
        ),
        Step(
            "kemenpanrb-tpn",
            "national_evaluation.recorded",
            "2026-04-15T09:00:00+07:00",
            {
                "unit": "dpmptsp-sultra",
                "year": 2026,
                "regulation": "permenpanrb-5-2024",
                "stage": "field",
                "evaluated_on": "2026-04-15",
                "passed": True,
                "scores": SCORES["good"],
                "indices": {"ipak": "3.63", "ipkp": "3.41"},
            },
            keys=("kemenpanrb-tpn",),
        ),
        Step(
            "kemenpanrb-tpn",
            "national_evaluation.recorded",
            "2026-04-20T09:00:00+07:00",
            {
                "unit": "rsud-bahteramas",
                "year": 2026,
                "regulation": "permenpanrb-5-2024",
                "stage": "field",
                "evaluated_on": "2026-04-20",
                "passed": True,
                "scores": SCORES["weak"],
                "indices": {"ipak": "3.50", "ipkp": "3.22"},
            },
            keys=("kemenpanrb-tpn",),
        ),
        *[
            Step(
                "kemenpanrb-tpn",
                "predicate.awarded",
                f"2026-06-10T{9 + n:02d}:00:00+07:00",
                {
                    "unit": unit,
                    "predicate": "WBK",
                    "year": 2026,
                    "regulation": "permenpanrb-5-2024",
                    "awarded_on": "2026-06-10",
                    "decree": "Keputusan Menteri PANRB tentang Penetapan Unit Kerja Berpredikat "
                    "WBK Tahun 2026",
                    "route": "national",
                },
                keys=("kemenpanrb-tpn",),
                documents=("kepmenpanrb-wbk-2026.pdf",),
            )
            for n, unit in enumerate(("dpmptsp-sultra", "rsud-bahteramas"))
        ],
        Step(
            "kemenpanrb-tpn",
            "predicate.revoked",
            "2026-09-15T09:00:00+07:00",
            {
                "unit": "rsud-bahteramas",
                "predicate": "WBK",
                "revoked_on": "2026-09-15",
                "regulation": "permenpanrb-5-2024",
                "reason": "Informasi media tentang pungutan pada layanan rekam medis; hasil "
                "klarifikasi TPN (demo).",
                "information": ["https://www.example.org/berita/klarifikasi-tpn"],
            },
            keys=("kemenpanrb-tpn",),
            documents=("pencabutan.pdf",),
        ),
        # -- Pemkab Sukoharjo: a plan that has fallen behind ------------------------------
        Step(
            "pemkab-sukoharjo",
            "action_plan.published",
            "2025-06-02T09:00:00+07:00",
            {
                "year": 2025,
                "published_on": "2025-06-02",
                "items": plan_items(
                    "2025",
                    [
                        "2025-07-31",
                        "2025-08-31",
                        "2025-09-30",
                        "2025-10-31",
                        "2025-11-30",
                        "2026-12-31",
                    ],
                    "Setda Sukoharjo",
                ),
            },
        ),
        Step(
            "pemkab-sukoharjo",
            "action_item.progress_reported",
            "2025-07-30T09:00:00+07:00",
            progress("MP-01", "2025-07-30"),
            documents=("bukti-mp-01.pdf",),
        ),
    ]
    return out


# What the demo's units show, worked out by hand from the steps above (checked by a test).
EXPECTED_STATUS = {
    "bps-kabupaten-grobogan": ("wbk", "WBK"),
    "pemprov-sulawesi-tengah": ("building", None),
    "dpmptsp-sultra": ("wbk", "WBK"),
    "rsud-bahteramas": ("revoked", None),
    "rs-jiwa-sultra": ("assessed", None),
    "bappeda-sultra": ("building", None),
    "pemkab-sukoharjo": ("building", None),
    "pemkab-kuantan-singingi": ("declared", None),
}
