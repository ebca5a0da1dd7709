"""Pemkab Kuantan Singingi (14.09): its seed declaration of 25 August 2020, nothing after.

The article is the source of the date and the place. It names no witness from outside the
regency (the regent, H. Mursini, made the declaration himself), so none is claimed, and the
site shows it as unwitnessed. The article's target is "WBK dan WBBM"; a declaration names one
target, so it targets WBK, the first step.
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
                    "target": "WBK",
                    "units": [],
                    "place": "Pendopo Rumah Dinas Bupati, Taluk Kuantan",
                },
                {"source": SEEDS["kuansing"]},
            ),
        ],
    ),
]
