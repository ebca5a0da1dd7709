"""Pemkab Kuantan Singingi (14.09): its seed declaration of 25 August 2020, nothing after.

The article is the source of the date, the place and who was present; the declaration is
never attested by a witness in the log, so the site shows it as unwitnessed.
"""

from __future__ import annotations

from registry.demo.common import SEEDS, DemoAgency, region

AGENCIES = [
    DemoAgency(
        "pemkab-kuantan-singingi",
        "Pemerintah Kabupaten Kuantan Singingi",
        "pemerintah_kabupaten",
        "Bupati Kuantan Singingi",
        region=region("14.09", "1401", "Kabupaten Kuantan Singingi, Riau"),
        registered="2020-08-01T09:00:00+07:00",
        statements=[
            (
                "zi.declared",
                "2020-08-25T10:00:00+07:00",
                {
                    "declared_on": "2020-08-25",
                    "target": "WBBM",
                    "units": [],
                    "place": "Pendopo Rumah Dinas Bupati, Taluk Kuantan",
                    "witnesses_claimed": ["Bupati Kuantan Singingi H. Mursini"],
                },
                {"source": SEEDS["kuansing"]},
            ),
        ],
    ),
]
