"""Every statement type's summary sentence as a record (the pieces: web/summary_specs.py):
"Predikat Menuju WBK RSUD Bahteramas dicabut pada 2 Maret 2026. Alasan: …".

The one source of these sentences: `web.summaries.summary` writes them on the pages and in the
feeds, web/static/verify/summary.js rebuilds them in the browser from the verified bytes
(exported by web/summary_export.py). A type not listed here says `DEFAULT`.
"""

from __future__ import annotations

from web.summary_specs import (
    N_,
    Agency,
    Count,
    Day,
    Decimal,
    Flag,
    Items,
    Number,
    Part,
    Role,
    Rule,
    Signer,
    Text,
    When,
    Word,
)

ME = Signer()

DEFAULT: Rule = (Part(N_("Pernyataan bertanda tangan dari %(name)s."), {"name": ME}),)

STAGES = (
    ("pre_evaluation", N_("evaluasi awal")),
    ("desk", N_("evaluasi dokumen")),
    ("field", N_("evaluasi lapangan")),
)

RULES: dict[str, Rule] = {
    "agency.registered": (
        Part(
            N_(
                "%(name)s dicatat di Pakta oleh registrar dari sumber publik; instansi ini belum "
                "memiliki kunci penandatangan."
            ),
            {"name": ME},
            When("keys", "falsy"),
        ),
        Part(
            N_("%(name)s didaftarkan di Pakta oleh registrar, dengan %(n)s kunci penandatangan."),
            {"name": ME, "n": Count("keys")},
            When("keys", "truthy"),
        ),
    ),
    "zi.declared": (
        Part(
            N_(
                "%(name)s mencanangkan pembangunan Zona Integritas dengan target %(target)s pada "
                "%(date)s di %(place)s."
            ),
            {"name": ME, "target": Text("target"), "date": Day("declared_on"),
             "place": Text("place")},
        ),  # fmt: skip
        Part(
            N_("Unit kerja yang dicanangkan: %(units)s."),
            {"units": Items("units", Agency("agency", otherwise="name"), needs="name")},
            When("units", "has", "name"),
        ),
    ),
    "zi.declaration_recorded": (
        Part(
            N_(
                "Registrar mencatat dari sumber publik (%(source)s, %(date)s) bahwa %(name)s "
                "mencanangkan pembangunan Zona Integritas pada %(declared)s."
            ),
            {"source": Text("source_title"), "date": Day("source_date"), "name": ME,
             "declared": Day("declared_on")},
        ),  # fmt: skip
    ),
    "zi.witnessed": (
        Part(
            N_(
                "%(name)s menyatakan menyaksikan pencanangan Zona Integritas %(other)s pada "
                "%(date)s."
            ),
            {"name": ME, "other": Agency("declaration.agency"), "date": Day("witnessed_on")},
        ),
    ),
    "integrity_pact.signed": (
        Part(
            N_("%(a)s dari %(b)s pegawai %(name)s menandatangani Pakta Integritas pada %(date)s."),
            {"a": Number("signatories"), "b": Number("staff_total"), "name": ME,
             "date": Day("signed_on")},
        ),  # fmt: skip
    ),
    "key.added": (
        Part(
            N_("%(name)s menambahkan kunci penandatangan untuk %(holder)s (%(role)s)."),
            {"name": ME, "holder": Text("holder"), "role": Role("role")},
        ),
    ),
    "key.revoked": (
        Part(
            N_("%(name)s mencabut salah satu kuncinya, berlaku sejak %(date)s."),
            {"name": ME, "date": Day("effective_from")},
        ),
    ),
    "role.granted": (
        Part(
            N_("Registrar menetapkan %(name)s sebagai %(role)s untuk %(scope)s pada %(date)s."),
            {"name": ME, "role": Role("role"), "scope": Items("scope", Agency(""), empty="—"),
             "date": Day("granted_on")},
        ),  # fmt: skip
    ),
    "unit.designated": (
        Part(
            N_(
                "%(name)s menetapkan %(unit)s sebagai unit kerja pembangunan Zona Integritas "
                "dengan target %(target)s pada %(date)s."
            ),
            {"name": ME, "unit": Agency("unit"), "target": Text("target"),
             "date": Day("designated_on")},
        ),  # fmt: skip
    ),
    "work_team.established": (
        Part(
            N_(
                "%(name)s membentuk tim kerja Zona Integritas beranggotakan %(n)s orang, diketuai "
                "%(chair)s, pada %(date)s."
            ),
            {"name": ME, "n": Number("members"), "chair": Text("chair"),
             "date": Day("established_on")},
        ),  # fmt: skip
    ),
    "action_plan.published": (
        Part(
            N_(
                "%(name)s menerbitkan rencana aksi tahun %(year)s berisi %(n)s butir pada "
                "%(date)s."
            ),
            {"name": ME, "year": Number("year"), "n": Count("items"), "date": Day("published_on")},
        ),
    ),
    "action_plan.revised": (
        Part(
            N_(
                "%(name)s merevisi rencana aksinya pada %(date)s: %(r)s jatuh tempo diubah, %(c)s "
                "butir dibatalkan, %(a)s butir ditambahkan."
            ),
            {"name": ME, "date": Day("revised_on"), "r": Count("redated"),
             "c": Count("cancelled"), "a": Count("added")},
        ),  # fmt: skip
    ),
    "action_item.progress_reported": (
        Part(
            N_("%(name)s melaporkan butir rencana aksi %(item)s selesai pada %(date)s."),
            {"name": ME, "item": Text("item"), "date": Day("reported_on")},
            When("status", "eq", "done"),
        ),
        Part(
            N_("%(name)s melaporkan butir rencana aksi %(item)s berjalan %(p)s%% pada %(date)s."),
            {"name": ME, "item": Text("item"), "p": Number("percent"), "date": Day("reported_on")},
            When("status", "ne", "done"),
        ),
    ),
    "monitoring.reported": (
        Part(
            N_("%(name)s melaporkan pemantauan %(start)s sampai %(end)s: %(summary)s"),
            {"name": ME, "start": Day("period.from"), "end": Day("period.to"),
             "summary": Text("summary")},
        ),  # fmt: skip
    ),
    "survey.published": (
        Part(
            N_(
                "%(name)s menerbitkan hasil survei %(survey)s %(unit)s tahun %(year)s: indeks "
                "%(index)s."
            ),
            {"name": ME, "survey": Text("survey"), "unit": Agency("unit"),
             "year": Number("year"), "index": Decimal("index")},
        ),  # fmt: skip
    ),
    "self_assessment.submitted": (
        Part(
            N_(
                "%(name)s menyampaikan penilaian mandiri (LKE) tahun %(year)s dengan target "
                "%(target)s pada %(date)s."
            ),
            {"name": ME, "year": Number("year"), "target": Text("target"),
             "date": Day("assessed_on")},
        ),  # fmt: skip
    ),
    "internal_evaluation.completed": (
        Part(
            N_(
                "Tim Penilai Internal %(name)s selesai mengevaluasi %(unit)s dengan target "
                "%(target)s pada %(date)s."
            ),
            {"name": ME, "unit": Agency("unit"), "target": Text("target"),
             "date": Day("evaluated_on")},
        ),  # fmt: skip
    ),
    "submission_window.announced": (
        Part(
            N_(
                "%(name)s mengumumkan masa usulan tahun %(year)s: %(start)s sampai %(end)s, paling "
                "banyak %(q)s unit per instansi."
            ),
            {"name": ME, "year": Number("year"), "start": Day("opens_on"),
             "end": Day("deadline"), "q": Number("quota_per_agency")},
        ),  # fmt: skip
    ),
    "proposal.submitted": (
        Part(
            N_("%(name)s mengusulkan %(units)s ke KemenPAN-RB pada %(date)s."),
            {"name": ME, "units": Items("units", Agency("unit")), "date": Day("submitted_on")},
        ),
    ),
    "national_evaluation.recorded": (
        Part(
            N_("%(name)s mencatat %(stage)s atas %(unit)s pada %(date)s: %(outcome)s."),
            {"name": ME, "stage": Word("stage", STAGES), "unit": Agency("unit"),
             "date": Day("evaluated_on"),
             "outcome": Flag("passed", N_("lolos"), N_("tidak lolos"))},
        ),  # fmt: skip
    ),
    "predicate.awarded": (
        Part(
            N_("%(unit)s ditetapkan berpredikat Menuju %(p)s tahun %(year)s pada %(date)s."),
            {"unit": Agency("unit"), "p": Text("predicate"), "year": Number("year"),
             "date": Day("awarded_on")},
        ),  # fmt: skip
    ),
    "predicate.not_awarded": (
        Part(
            N_(
                "%(unit)s belum memenuhi syarat predikat Menuju %(t)s tahun %(year)s (diputuskan "
                "%(date)s)."
            ),
            {"unit": Agency("unit"), "t": Text("target"), "year": Number("year"),
             "date": Day("decided_on")},
        ),  # fmt: skip
    ),
    "predicate.revoked": (
        Part(
            N_("Predikat Menuju %(p)s %(unit)s dicabut pada %(date)s. Alasan: %(reason)s"),
            {"p": Text("predicate"), "unit": Agency("unit"), "date": Day("revoked_on"),
             "reason": Text("reason")},
        ),  # fmt: skip
    ),
    "self_evaluation.granted": (
        Part(
            N_(
                "%(name)s memberi %(other)s kewenangan evaluasi mandiri Zona Integritas pada "
                "%(date)s."
            ),
            {"name": ME, "other": Agency("agency"), "date": Day("granted_on")},
        ),
    ),
    "statement.corrected": (
        Part(
            N_("%(name)s meralat pernyataannya sendiri. Alasan: %(reason)s"),
            {"name": ME, "reason": Text("reason")},
        ),
    ),
    "statement.retracted": (
        Part(
            N_("%(name)s menarik pernyataannya sendiri. Alasan: %(reason)s"),
            {"name": ME, "reason": Text("reason")},
        ),
    ),
}


def rule_for(type_: str) -> Rule:
    """The rule of a statement type (`DEFAULT` for a type without its own sentence)."""
    return RULES.get(type_, DEFAULT)
