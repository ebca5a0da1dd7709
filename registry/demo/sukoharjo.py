"""Pemkab Sukoharjo (33.11): declared at its Integrity Day, then (invented) an action plan that
has fallen behind.
"""

from __future__ import annotations

from registry.demo.common import SEEDS, DemoAgency, Step, plan_items, progress, region

AGENCIES = [
    DemoAgency(
        "pemkab-sukoharjo",
        "Pemerintah Kabupaten Sukoharjo",
        "pemerintah_kabupaten",
        "Bupati Sukoharjo",
        region=region("33.11", "3311", "Kabupaten Sukoharjo, Jawa Tengah"),
        registered="2025-05-01T09:00:00+07:00",
        statements=[
            (
                "zi.declared",
                "2025-05-08T10:00:00+07:00",
                {
                    "declared_on": "2025-05-08",
                    "target": "WBK",
                    "units": [],
                    "place": "Sukoharjo, acara Integrity Day (tanggal: demo)",
                },
                {"source": SEEDS["sukoharjo"], "demo": True},
            ),
        ],
    ),
]


def steps(seeds: dict[str, str], key_ids: dict[str, str]) -> list[Step]:
    """The story after its seed facts, in log order."""
    return [
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
