"""Pemprov Sulawesi Tenggara, continued (all invented): RSUD Bahteramas's internal evaluation,
the TPN's 2026 window, the governor's proposal with prerequisites short, the national
evaluations, DPMPTSP awarded WBK, RSUD Bahteramas awarded below the thresholds and its WBK
revoked by the TPN after media reports.
"""

from __future__ import annotations

from registry.demo.common import PREREQ_OK, SCORES, Step
from registry.demo.sultra import sultra


def steps(seeds: dict[str, str], key_ids: dict[str, str]) -> list[Step]:
    """The story's outcome, in log order (after `registry.demo.sultra.steps`)."""
    return [
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
                # One unit each: the governor's two-unit letter is the demo's over-quota.
                "quota_per_agency": 1,
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
                    "decree": "Keputusan Menteri PANRB Nomor 1002/DEMO/2026 tentang Penetapan "
                    "Unit Kerja Berpredikat WBK Tahun 2026",
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
    ]
