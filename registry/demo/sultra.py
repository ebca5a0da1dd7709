"""Pemprov Sulawesi Tenggara (74) and four of its OPDs: an integrity pact and a declaration of
four units with their heads' joint signatures, then (invented) their building, an operator key
compromised and revoked from a past moment, and the inspectorate's first evaluations. What
follows (the 2026 proposal and its outcomes) is in `registry.demo.sultra_outcome`.
"""

from __future__ import annotations

from registry.demo.common import (
    PACT_DOCUMENT,
    SCORES,
    SEEDS,
    DemoAgency,
    Step,
    plan_items,
    progress,
    region,
)

sultra = "pemprov-sulawesi-tenggara"

AGENCIES = [
    DemoAgency(
        "pemprov-sulawesi-tenggara",
        "Pemerintah Provinsi Sulawesi Tenggara",
        "pemerintah_provinsi",
        "Gubernur Sulawesi Tenggara",
        region=region("74", "74", "Provinsi Sulawesi Tenggara"),
        registered="2024-11-01T09:00:00+08:00",
        statements=[
            (
                "integrity_pact.signed",
                "2025-01-20T10:00:00+08:00",
                {
                    "signed_on": "2025-01-20",
                    "signatories": 38,
                    "staff_total": 40,
                    "scope": "Kepala OPD prioritas ZI bersama Gubernur (demo)",
                },
                {"source": SEEDS["sultra"], "demo": True, "documents": [PACT_DOCUMENT]},
            ),
        ],
    ),
    *[
        DemoAgency(
            slug,
            name,
            "perangkat_daerah",
            f"Kepala {name}",
            parent="pemprov-sulawesi-tenggara",
            region=region("74", "74", "Provinsi Sulawesi Tenggara"),
            registered="2024-11-01T09:00:00+08:00",
        )
        for slug, name in (
            ("inspektorat-sultra", "Inspektorat Daerah Provinsi Sulawesi Tenggara"),
            ("dpmptsp-sultra", "DPMPTSP Provinsi Sulawesi Tenggara"),
            ("rsud-bahteramas", "RSUD Bahteramas"),
            ("rs-jiwa-sultra", "RS Jiwa Provinsi Sulawesi Tenggara"),
            ("bappeda-sultra", "Bappeda Provinsi Sulawesi Tenggara"),
        )
    ],
    DemoAgency(
        "ombudsman-sulawesi-tenggara",
        "Ombudsman RI Perwakilan Sulawesi Tenggara",
        "lembaga_pengawas",
        "Kepala Perwakilan Ombudsman Sulawesi Tenggara",
        region=region("74", "74", "Provinsi Sulawesi Tenggara"),
        registered="2024-11-01T09:00:00+08:00",
        role="witness",
    ),
]


def steps(seeds: dict[str, str], key_ids: dict[str, str]) -> list[Step]:
    """The story after its seed facts, in log order."""
    return [
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
        # Invented: a witness attests the declaration on its day, so the year before the
        # proposal counts from 2025-01-20 although the demo is logged today.
        Step(
            "ombudsman-sulawesi-tenggara",
            "zi.witnessed",
            "2025-01-20T15:00:00+08:00",
            {
                "declaration": sultra,  # the declarer's latest statement (the loader fills it)
                "witnessed_on": "2025-01-20",
                "capacity": "Hadir menyaksikan pencanangan (demo)",
            },
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
    ]
