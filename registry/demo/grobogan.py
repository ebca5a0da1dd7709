"""BPS Kabupaten Grobogan (a central office in 33.15): declared on 17 June 2020 before the
Ombudsman of Central Java, then (invented) built, assessed by BPS's inspectorate, proposed and
awarded WBK in 2022 under 90/2021. KemenPAN-RB's national team joins the log here.
"""

from __future__ import annotations

from registry.demo.common import (
    PREREQ_OK,
    SCORES,
    SEEDS,
    DemoAgency,
    Step,
    plan_items,
    progress,
    region,
)

grob = "bps-kabupaten-grobogan"

AGENCIES = [
    DemoAgency(
        "bps-kabupaten-grobogan",
        "BPS Kabupaten Grobogan",
        "instansi_vertikal",
        "Kepala BPS Kabupaten Grobogan",
        region=region("33.15", "3315", "Kabupaten Grobogan, Jawa Tengah"),
        registered="2020-06-01T09:00:00+07:00",
        statements=[
            (
                "zi.declared",
                "2020-06-17T10:00:00+07:00",
                {
                    "declared_on": "2020-06-17",
                    "target": "WBK",
                    "units": [],
                    "place": "Gedung Riptaloka, Setda Grobogan",
                    "witnesses_claimed": [
                        "Sekretaris Daerah Grobogan Moh Sumarsono",
                        "Forkopimda Grobogan",
                        "Ombudsman RI Perwakilan Jawa Tengah",
                    ],
                },
                {"source": SEEDS["grobogan"]},
            ),
        ],
    ),
    DemoAgency(
        "ombudsman-jawa-tengah",
        "Ombudsman RI Perwakilan Jawa Tengah",
        "lembaga_pengawas",
        "Kepala Perwakilan Ombudsman Jawa Tengah",
        region=region("33", "33", "Provinsi Jawa Tengah"),
        registered="2020-06-01T09:00:00+07:00",
        role="witness",
    ),
]


def steps(seeds: dict[str, str], key_ids: dict[str, str]) -> list[Step]:
    """The story after its seed facts, in log order."""
    return [
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
                # Before Grobogan's proposal of 20 April: the demo's deadline-missed warning.
                "deadline": "2022-04-15",
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
                "decree": "Keputusan Menteri PANRB Nomor 1001/DEMO/2022 tentang Penetapan Unit "
                "Kerja Berpredikat WBK Tahun 2022",
                "route": "national",
            },
            keys=("kemenpanrb-tpn",),
            documents=("kepmenpanrb-wbk-2022.pdf",),
        ),
    ]
