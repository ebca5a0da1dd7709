"""Every statement type in one plain sentence, naming the unit and what happened, for the entry
page, the home page's latest list and the feeds: "Predikat WBK RSUD Bahteramas dicabut pada
2 Maret 2026. Alasan: …" instead of a type title and raw JSON.

`summary` returns escaped HTML (`Markup`) in which agencies are links to their pages, or plain
text for a feed (`links=False`). Agency names come from `names` (id -> name, the caller looks
them up once for a whole list with `mentioned`); an id not in it is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from web.dates import day, decimal
from web.wording import _, role_name


def mentioned(rows: Iterable[Mapping[str, Any]]) -> set[str]:
    """The agency ids the summaries of these statement rows name (for one name lookup)."""
    found: set[str] = set()
    for row in rows:
        body = row.get("body") or {}
        found.add(str(row.get("agency", "")))
        for key in ("unit", "agency"):
            if isinstance(body.get(key), str):
                found.add(body[key])
        declaration = body.get("declaration")
        if isinstance(declaration, dict):
            found.add(str(declaration.get("agency", "")))
        for unit in body.get("units") or []:
            if isinstance(unit, dict):
                found.update(str(u) for u in (unit.get("agency"), unit.get("unit")) if u)
        found.update(s for s in body.get("scope") or [] if isinstance(s, str))
    return found - {""}


def summary(
    type_: str,
    body: Mapping[str, Any],
    agency: str,
    names: Mapping[str, str],
    *,
    links: bool = True,
) -> Markup | str:
    """The statement in one or two plain sentences in the page's language."""

    def who(agency_id: str | None) -> str:
        if not agency_id:
            return ""
        name = names.get(agency_id, agency_id)
        if not links:
            return name
        href = url_for("pages.agency", agency=agency_id)
        return str(Markup('<a href="{}">{}</a>').format(href, name))

    def text(value: Any) -> str:
        return str(value) if not links else str(escape(str(value)))

    me = who(agency)
    b = body
    units = [
        who(u.get("agency")) if u.get("agency") else text(u.get("name", ""))
        for u in b.get("units") or []
        if isinstance(u, dict) and "name" in u
    ]
    found = _sentence(type_, b, me, who, text, units)
    return Markup(found) if links else found


def _sentence(
    type_: str, b: Mapping[str, Any], me: str, who: Any, text: Any, units: list[str]
) -> str:
    """The sentence for one type; `who` names an agency, `text` escapes a plain value."""
    d = day
    if type_ == "agency.registered" and not b.get("keys"):
        return _(
            "%(name)s dicatat di Pakta oleh registrar dari sumber publik; instansi ini belum "
            "memiliki kunci penandatangan.",
            name=me,
        )
    if type_ == "agency.registered":
        return _(
            "%(name)s didaftarkan di Pakta oleh registrar, dengan %(n)s kunci penandatangan.",
            name=me,
            n=len(b.get("keys") or []),
        )
    if type_ == "zi.declared":
        out = _(
            "%(name)s mencanangkan pembangunan Zona Integritas dengan target %(target)s pada "
            "%(date)s di %(place)s.",
            name=me, target=text(b["target"]), date=d(b["declared_on"]), place=text(b["place"]),
        )  # fmt: skip
        if units:
            out += " " + _("Unit kerja yang dicanangkan: %(units)s.", units=", ".join(units))
        return out
    if type_ == "zi.declaration_recorded":
        return _(
            "Registrar mencatat dari sumber publik (%(source)s, %(date)s) bahwa %(name)s "
            "mencanangkan pembangunan Zona Integritas pada %(declared)s.",
            source=text(b["source_title"]), date=d(b["source_date"]), name=me,
            declared=d(b["declared_on"]),
        )  # fmt: skip
    if type_ == "zi.witnessed":
        return _(
            "%(name)s menyatakan menyaksikan pencanangan Zona Integritas %(other)s pada %(date)s.",
            name=me, other=who(b["declaration"]["agency"]), date=d(b["witnessed_on"]),
        )  # fmt: skip
    if type_ == "integrity_pact.signed":
        return _(
            "%(a)s dari %(b)s pegawai %(name)s menandatangani Pakta Integritas pada %(date)s.",
            a=b["signatories"], b=b["staff_total"], name=me, date=d(b["signed_on"]),
        )  # fmt: skip
    if type_ == "key.added":
        return _(
            "%(name)s menambahkan kunci penandatangan untuk %(holder)s (%(role)s).",
            name=me, holder=text(b["holder"]), role=role_name(b["role"]),
        )  # fmt: skip
    if type_ == "key.revoked":
        return _(
            "%(name)s mencabut salah satu kuncinya, berlaku sejak %(date)s.",
            name=me, date=d(b["effective_from"]),
        )  # fmt: skip
    if type_ == "role.granted":
        scope = ", ".join(who(s) for s in b.get("scope") or [])
        return _(
            "Registrar menetapkan %(name)s sebagai %(role)s untuk %(scope)s pada %(date)s.",
            name=me, role=role_name(b["role"]), scope=scope or "—", date=d(b["granted_on"]),
        )  # fmt: skip
    if type_ == "unit.designated":
        return _(
            "%(name)s menetapkan %(unit)s sebagai unit kerja pembangunan Zona Integritas "
            "dengan target %(target)s pada %(date)s.",
            name=me, unit=who(b["unit"]), target=text(b["target"]), date=d(b["designated_on"]),
        )  # fmt: skip
    if type_ == "work_team.established":
        return _(
            "%(name)s membentuk tim kerja Zona Integritas beranggotakan %(n)s orang, diketuai "
            "%(chair)s, pada %(date)s.",
            name=me, n=b["members"], chair=text(b["chair"]), date=d(b["established_on"]),
        )  # fmt: skip
    if type_ == "action_plan.published":
        return _(
            "%(name)s menerbitkan rencana aksi tahun %(year)s berisi %(n)s butir pada %(date)s.",
            name=me, year=b["year"], n=len(b["items"]), date=d(b["published_on"]),
        )  # fmt: skip
    if type_ == "action_plan.revised":
        return _(
            "%(name)s merevisi rencana aksinya pada %(date)s: %(r)s jatuh tempo diubah, %(c)s "
            "butir dibatalkan, %(a)s butir ditambahkan.",
            name=me, date=d(b["revised_on"]), r=len(b.get("redated") or []),
            c=len(b.get("cancelled") or []), a=len(b.get("added") or []),
        )  # fmt: skip
    if type_ == "action_item.progress_reported":
        if b.get("status") == "done":
            return _(
                "%(name)s melaporkan butir rencana aksi %(item)s selesai pada %(date)s.",
                name=me, item=text(b["item"]), date=d(b["reported_on"]),
            )  # fmt: skip
        return _(
            "%(name)s melaporkan butir rencana aksi %(item)s berjalan %(p)s%% pada %(date)s.",
            name=me, item=text(b["item"]), p=b["percent"], date=d(b["reported_on"]),
        )  # fmt: skip
    if type_ == "monitoring.reported":
        return _(
            "%(name)s melaporkan pemantauan %(start)s sampai %(end)s: %(summary)s",
            name=me, start=d(b["period"]["from"]), end=d(b["period"]["to"]),
            summary=text(b["summary"]),
        )  # fmt: skip
    if type_ == "survey.published":
        return _(
            "%(name)s menerbitkan hasil survei %(survey)s %(unit)s tahun %(year)s: indeks "
            "%(index)s.",
            name=me, survey=text(b["survey"]), unit=who(b["unit"]), year=b["year"],
            index=decimal(b["index"]),
        )  # fmt: skip
    if type_ == "self_assessment.submitted":
        return _(
            "%(name)s menyampaikan penilaian mandiri (LKE) tahun %(year)s dengan target "
            "%(target)s pada %(date)s.",
            name=me, year=b["year"], target=text(b["target"]), date=d(b["assessed_on"]),
        )  # fmt: skip
    if type_ == "internal_evaluation.completed":
        return _(
            "Tim Penilai Internal %(name)s selesai mengevaluasi %(unit)s dengan target "
            "%(target)s pada %(date)s.",
            name=me, unit=who(b["unit"]), target=text(b["target"]), date=d(b["evaluated_on"]),
        )  # fmt: skip
    if type_ == "submission_window.announced":
        return _(
            "%(name)s mengumumkan masa usulan tahun %(year)s: %(start)s sampai %(end)s, paling "
            "banyak %(q)s unit per instansi.",
            name=me, year=b["year"], start=d(b["opens_on"]), end=d(b["deadline"]),
            q=b["quota_per_agency"],
        )  # fmt: skip
    if type_ == "proposal.submitted":
        proposed = ", ".join(who(u["unit"]) for u in b.get("units") or [])
        return _(
            "%(name)s mengusulkan %(units)s ke KemenPAN-RB pada %(date)s.",
            name=me, units=proposed, date=d(b["submitted_on"]),
        )  # fmt: skip
    if type_ == "national_evaluation.recorded":
        stages = {
            "pre_evaluation": _("evaluasi awal"),
            "desk": _("evaluasi dokumen"),
            "field": _("evaluasi lapangan"),
        }
        outcome = _("lolos") if b.get("passed") else _("tidak lolos")
        return _(
            "%(name)s mencatat %(stage)s atas %(unit)s pada %(date)s: %(outcome)s.",
            name=me, stage=stages.get(b["stage"], b["stage"]), unit=who(b["unit"]),
            date=d(b["evaluated_on"]), outcome=outcome,
        )  # fmt: skip
    if type_ == "predicate.awarded":
        return _(
            "%(unit)s ditetapkan berpredikat Menuju %(p)s tahun %(year)s pada %(date)s.",
            unit=who(b["unit"]), p=text(b["predicate"]), year=b["year"], date=d(b["awarded_on"]),
        )  # fmt: skip
    if type_ == "predicate.not_awarded":
        return _(
            "%(unit)s belum memenuhi syarat predikat Menuju %(t)s tahun %(year)s (diputuskan "
            "%(date)s).",
            unit=who(b["unit"]), t=text(b["target"]), year=b["year"], date=d(b["decided_on"]),
        )  # fmt: skip
    if type_ == "predicate.revoked":
        return _(
            "Predikat Menuju %(p)s %(unit)s dicabut pada %(date)s. Alasan: %(reason)s",
            p=text(b["predicate"]), unit=who(b["unit"]), date=d(b["revoked_on"]),
            reason=text(b["reason"]),
        )  # fmt: skip
    if type_ == "self_evaluation.granted":
        return _(
            "%(name)s memberi %(other)s kewenangan evaluasi mandiri Zona Integritas pada "
            "%(date)s.",
            name=me, other=who(b["agency"]), date=d(b["granted_on"]),
        )  # fmt: skip
    if type_ == "statement.corrected":
        return _(
            "%(name)s meralat pernyataannya sendiri. Alasan: %(reason)s",
            name=me, reason=text(b["reason"]),
        )  # fmt: skip
    if type_ == "statement.retracted":
        return _(
            "%(name)s menarik pernyataannya sendiri. Alasan: %(reason)s",
            name=me, reason=text(b["reason"]),
        )  # fmt: skip
    return _("Pernyataan bertanda tangan dari %(name)s.", name=me)


_ID_FIELD = re.compile(r'(&#34;|&quot;)(agency|unit)\1: \1([a-z0-9][a-z0-9-]{0,63})\1')


def linked_body(pretty: str, names: Mapping[str, str]) -> Markup:
    """A statement body's pretty JSON, escaped, with the registered agencies its `agency` and
    `unit` fields name as links to their pages."""

    def link(found: re.Match[str]) -> str:
        q, field, agency_id = found[1], found[2], found[3]
        if agency_id not in names:
            return found[0]
        href = escape(url_for("pages.agency", agency=agency_id))
        return f'{q}{field}{q}: <a href="{href}">{q}{agency_id}{q}</a>'

    return Markup(_ID_FIELD.sub(link, str(escape(pretty))))
