"""Pemprov Sulawesi Tengah (72): declared on 1 June 2024 after the Pancasila Day ceremony, then
(invented) a working team and an action plan that falls behind.
"""

from __future__ import annotations

from registry.demo.common import SEEDS, DemoAgency, Step, plan_items, progress, region

sulteng = "pemprov-sulawesi-tengah"

AGENCIES = [
    DemoAgency(
        "pemprov-sulawesi-tengah",
        "Pemerintah Provinsi Sulawesi Tengah",
        "pemerintah_provinsi",
        "Gubernur Sulawesi Tengah",
        region=region("72", "72", "Provinsi Sulawesi Tengah"),
        registered="2024-05-20T09:00:00+08:00",
        statements=[
            (
                "zi.declared",
                "2024-06-01T10:00:00+08:00",
                {
                    "declared_on": "2024-06-01",
                    "target": "WBK",
                    "units": [],
                    "place": "Palu, seusai upacara Hari Lahir Pancasila",
                    "witnesses_claimed": ["Wakil Gubernur Sulawesi Tengah Mamun Amir"],
                },
                {"source": SEEDS["sulteng"]},
            ),
        ],
    ),
]


def steps(seeds: dict[str, str], key_ids: dict[str, str]) -> list[Step]:
    """The story after its seed facts, in log order."""
    return [
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
    ]
