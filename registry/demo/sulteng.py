"""Pemprov Sulawesi Tengah (72): declared on 1 June 2024 after the Pancasila Day ceremony, then
(invented) a working team and an action plan that falls behind.

The article says the charter was signed by the heads of the province's units ("oleh pimpinan
unit kerja"), so the declaration names units: the provincial secretariat, registered as a unit,
and two offices by name only. The article names none of them, so they are examples and the
declaration is marked demo. The vice-governor, Mamun Amir, spoke for the province itself and
is not claimed as a witness of its declaration; the article names no other witness. The
declaration is the first step of the story, since its registered unit must exist first; with
the designation and one progress report the story keeps the log's earlier length, so the entry
numbers after it are unchanged.
"""

from __future__ import annotations

from registry.demo.common import DemoAgency, Step, plan_items, progress, region

sulteng = "pemprov-sulawesi-tengah"
setda = "setda-sulawesi-tengah"

AGENCIES = [
    DemoAgency(
        sulteng,
        "Pemerintah Provinsi Sulawesi Tengah",
        "pemerintah_provinsi",
        "Gubernur Sulawesi Tengah",
        region=region("72", "72", "Provinsi Sulawesi Tengah"),
        registered="2024-05-20T09:00:00+08:00",
    ),
    DemoAgency(
        setda,
        "Sekretariat Daerah Provinsi Sulawesi Tengah",
        "perangkat_daerah",
        "Sekretaris Daerah Provinsi Sulawesi Tengah",
        parent=sulteng,
        region=region("72", "72", "Provinsi Sulawesi Tengah"),
        registered="2024-05-20T10:00:00+08:00",
    ),
]


def steps(seeds: dict[str, str], key_ids: dict[str, str]) -> list[Step]:
    """The story after its seed facts, in log order."""
    return [
        # -- Pemprov Sulawesi Tengah: units declared; the secretariat builds, falls behind --
        Step(
            sulteng,
            "zi.declared",
            "2024-06-01T10:00:00+08:00",
            {
                "declared_on": "2024-06-01",
                "target": "WBK",
                "units": [
                    {"name": "Sekretariat Daerah Provinsi Sulawesi Tengah", "agency": setda},
                    {"name": "Badan Perencanaan Pembangunan Daerah (contoh)", "agency": None},
                    {"name": "Inspektorat Daerah (contoh)", "agency": None},
                ],
                "place": "Palu, seusai upacara Hari Lahir Pancasila",
            },
            keys=(sulteng, setda),
            source=seeds["sulteng"],
        ),
        Step(
            sulteng,
            "unit.designated",
            "2024-06-10T09:00:00+08:00",
            {
                "unit": setda,
                "designated_on": "2024-06-10",
                "target": "WBK",
                "decree": "Keputusan Gubernur Sulawesi Tengah tentang Unit Kerja "
                "Pembangunan Zona Integritas",
            },
        ),
        Step(
            setda,
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
        ),
        Step(
            setda,
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
                setda,
                "action_item.progress_reported",
                f"{day}T09:00:00+08:00",
                progress(i, day),
                documents=(f"bukti-{i.lower()}.pdf",),
            )
            for i, day in (("MP-01", "2024-08-29"),)
        ],
    ]
