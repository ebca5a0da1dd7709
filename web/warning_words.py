"""The words for the rules' warnings, in the page's language: each kind's title, count line,
meaning and non-meaning, and one warning's facts worded from the fields the rules stored
(never from their English message); grouped and ranked for a page. The Indonesian text is the
message id; the English catalog translates it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, ngettext

from events.regulations import AREA_TITLES
from web.wording import _, local, regulation_name

# The order kinds are listed in: what most affects trust first.
ORDER = (
    "signed-by-revoked-key", "below-thresholds", "prerequisites-missing", "deadline-missed",
    "over-quota", "unwitnessed", "pact-coverage-low", "item-overdue", "late-posting",
    "fact-backdated",
)  # fmt: skip


# The kinds whose facts an entry's <li> carries as JSON (data-facts, pages/_warning_entry.html)
# for "Verify this page": the figures of its detail line, which the check derives from the
# verified chains with exact decimals (web/static/verify/awards.js) and compares, and whose
# words it requires to show them (claims.js). The codes rules.json gives awards.js.
FIGURED = frozenset({"below-thresholds", "prerequisites-missing", "deadline-missed", "over-quota"})


# -- warnings --------------------------------------------------------------------------------


def readable_date(value: str | None) -> str:
    """An ISO date or timestamp as the page's language writes a date (20 April 2022)."""
    if not value:
        return ""
    try:
        day = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return str(format_date(day, "long"))


def _kinds() -> dict[str, dict[str, Any]]:
    """Each code's title, count line, meaning and non-meaning, in the request's language."""
    return {
        "late-posting": {
            "title": _("Terlambat dicatatkan"),
            "count": lambda n: ngettext(
                "%(num)s pernyataan terlambat dicatatkan (lebih dari 30 hari setelah tanggalnya)",
                "%(num)s pernyataan terlambat dicatatkan (lebih dari 30 hari setelah tanggalnya)",
                n,
            ),
            "means": _(
                "Pernyataan ini masuk ke registri lebih dari 30 hari setelah tanggal yang "
                "tertulis di dalamnya; tanggal itu hanya pengakuan penanda tangan."
            ),
            "not_means": _(
                "Bukan berarti isinya salah atau palsu: kegiatan lama yang dicatat "
                "belakangan selalu tampak begini."
            ),
        },
        "fact-backdated": {
            "title": _("Tanggal kegiatan jauh sebelum dicatatkan"),
            "count": lambda n: ngettext(
                "%(num)s pernyataan mencatat kegiatan lebih dari 30 hari sebelum dicatatkan",
                "%(num)s pernyataan mencatat kegiatan lebih dari 30 hari sebelum dicatatkan",
                n,
            ),
            "means": _(
                "Tanggal kegiatan dalam pernyataan ini lebih dari 30 hari sebelum pernyataan "
                "masuk ke registri; tanggal itu hanya pengakuan penanda tangan. Masa tunggu "
                "setelah pencanangan dihitung dari tanggal dicatatkan, kecuali ada saksi "
                "yang menyatakan hadir pada waktunya."
            ),
            "not_means": _(
                "Bukan berarti isinya salah atau palsu: kegiatan lama yang dicatat "
                "belakangan selalu tampak begini."
            ),
        },
        "deadline-missed": {
            "title": _("Usulan melewati batas waktu"),
            "count": lambda n: ngettext(
                "%(num)s usulan dikirim setelah batas waktu",
                "%(num)s usulan dikirim setelah batas waktu",
                n,
            ),
            "means": _(
                "Usulan ke KemenPAN-RB bertanggal setelah batas waktu tahun itu (jendela "
                "yang diumumkan TPN, atau batas bawaan peraturan)."
            ),
            "not_means": _("Bukan berarti usulan ditolak: keputusannya ada pada TPN."),
        },
        "over-quota": {
            "title": _("Melebihi kuota"),
            "count": lambda n: ngettext(
                "%(num)s usulan melebihi kuota tahunan",
                "%(num)s usulan melebihi kuota tahunan",
                n,
            ),
            "means": _(
                "Instansi ini mengusulkan lebih banyak unit dalam satu tahun daripada "
                "kuota yang diumumkan TPN."
            ),
            "not_means": _(
                "Bukan berarti unit yang diusulkan tidak layak; TPN memilih yang dinilai."
            ),
        },
        "prerequisites-missing": {
            "title": _("Prasyarat belum terpenuhi"),
            "count": lambda n: ngettext(
                "%(num)s unit diusulkan tanpa memenuhi semua prasyarat",
                "%(num)s unit diusulkan tanpa memenuhi semua prasyarat",
                n,
            ),
            "means": _(
                "Menurut angka yang dinyatakan instansi sendiri, unit diusulkan padahal "
                "ada prasyarat (opini BPK, SAKIP, SPIP, tindak lanjut temuan, laporan "
                "harta) yang belum terpenuhi."
            ),
            "not_means": _(
                "Bukan temuan korupsi: hanya selisih antara angka yang dinyatakan dan "
                "syarat peraturan."
            ),
        },
        "below-thresholds": {
            "title": _("Predikat di bawah ambang nilai"),
            "count": lambda n: ngettext(
                "%(num)s predikat diberikan dengan nilai di bawah ambang",
                "%(num)s predikat diberikan dengan nilai di bawah ambang",
                n,
            ),
            "means": _(
                "Predikat diberikan walaupun nilai terakhir di log (TPN, atau TPI) di "
                "bawah ambang peraturan, atau tidak ada nilai sama sekali."
            ),
            "not_means": _(
                "Predikat tetap tercatat sebagai pernyataan TPN; peringatan ini hanya "
                "menunjukkan selisihnya agar dapat diperiksa."
            ),
        },
        "signed-by-revoked-key": {
            "title": _("Ditandatangani kunci yang dicabut"),
            "count": lambda n: ngettext(
                "%(num)s pernyataan ditandatangani kunci yang dicabut sejak sebelum tanggalnya",
                "%(num)s pernyataan ditandatangani kunci yang dicabut sejak sebelum tanggalnya",
                n,
            ),
            "means": _(
                "Kunci penanda tangan kemudian dicabut berlaku surut (misalnya karena "
                "bocor); pernyataan bertanggal sesudah saat itu tidak dapat dipercaya."
            ),
            "not_means": _(
                "Pernyataan tetap ada di log, karena tidak ada yang dihapus; bukan "
                "berarti isinya pasti palsu."
            ),
        },
        "pact-coverage-low": {
            "title": _("Pakta Integritas kurang dari separuh pegawai"),
            "count": lambda n: ngettext(
                "%(num)s pakta integritas ditandatangani kurang dari separuh pegawai",
                "%(num)s pakta integritas ditandatangani kurang dari separuh pegawai",
                n,
            ),
            "means": _(
                "Menurut angka yang dinyatakan instansi, kurang dari separuh pegawai "
                "menandatangani Pakta Integritas."
            ),
            "not_means": _(
                "Bukan pelanggaran: penandatanganan dapat berlanjut dan dinyatakan lagi."
            ),
        },
        "item-overdue": {
            "title": _("Butir rencana aksi terlambat"),
            "count": lambda n: ngettext(
                "%(num)s butir rencana aksi melewati jatuh tempo",
                "%(num)s butir rencana aksi melewati jatuh tempo",
                n,
            ),
            "means": _(
                "Butir rencana aksi belum dilaporkan selesai padahal jatuh temponya sudah "
                "lewat (dihitung per hari ini)."
            ),
            "not_means": _(
                "Bukan berarti pekerjaannya tidak dilakukan; laporannya mungkin belum dicatat."
            ),
        },
        "unwitnessed": {
            "title": _("Pencanangan tanpa saksi"),
            "count": lambda n: ngettext(
                "%(num)s pencanangan belum disaksikan oleh saksi yang menandatangani sendiri",
                "%(num)s pencanangan belum disaksikan oleh saksi yang menandatangani sendiri",
                n,
            ),
            "means": _(
                "Belum ada saksi (KPK, Ombudsman, BPKP, DPRD, masyarakat sipil) yang "
                "menandatangani sendiri pernyataan bahwa ia hadir pada pencanangan."
            ),
            "not_means": _(
                "Bukan berarti pencanangan tidak terjadi; saksi dapat bersaksi belakangan."
            ),
        },
    }


def _prerequisite(name: str, got: str, need: str) -> str:
    label = {
        "bpk_opinion": _("opini BPK"),
        "sakip": "SAKIP",
        "spip_level": _("tingkat SPIP"),
        "audit_follow_up_percent": _("tindak lanjut temuan audit"),
        "asset_declaration_percent": _("laporan harta kekayaan"),
    }.get(name, name)
    return _("%(name)s %(got)s (syarat %(need)s)", name=label, got=got, need=need)


def _shortfall(name: str, got: str, need: str) -> str:
    if name in AREA_TITLES:
        titles = AREA_TITLES[name]
        label = local(titles)
    else:
        label = {
            "total": _("Total"),
            "enablers": _("Pengungkit"),
            "ipak": _("Indeks IPAK"),
            "ipkp": _("Indeks IPKP"),
        }.get(name, name)
    return _("%(name)s %(got)s (minimum %(need)s)", name=label, got=got, need=need)


def _gaps(gaps: Iterable[Sequence[str]], word: Callable[[str, str, str], str]) -> str:
    return "; ".join(word(*gap) for gap in gaps)


def detail(w: dict[str, Any], entry: dict[str, Any] | None) -> str:
    """One warning's facts (stored by the read model as fields) in the page's language, or ""
    when there is nothing more to say than the entry's date and type."""
    code, f = w["code"], w.get("facts") or {}
    if code == "late-posting":
        if entry is not None:
            issued = datetime.fromisoformat(entry["issued_at"])
            received = datetime.fromisoformat(entry["received_at"].replace("Z", "+00:00"))
            days = (received - issued).days
            return _(
                "bertanggal %(issued)s, diterima %(received)s (%(days)s hari kemudian)",
                issued=readable_date(entry["issued_at"]),
                received=readable_date(entry["received_at"]),
                days=days,
            )
        if "days" in f:
            return _(
                "bertanggal %(issued)s, diterima %(days)s hari kemudian",
                issued=readable_date(f["issued_at"]),
                days=f["days"],
            )
    elif code == "fact-backdated" and "days" in f:
        return _(
            "kegiatan tanggal %(on)s, dicatatkan %(days)s hari kemudian",
            on=readable_date(f["date"]),
            days=f["days"],
        )
    elif code == "deadline-missed" and "deadline" in f:
        return _(
            "diusulkan %(on)s, batas waktu %(year)s: %(deadline)s",
            on=readable_date(f["submitted_on"]),
            year=f["year"],
            deadline=readable_date(f["deadline"]),
        )
    elif code == "over-quota" and "quota" in f:
        return _(
            "%(count)s unit diusulkan untuk %(year)s, kuota %(quota)s",
            count=f["count"],
            year=f["year"],
            quota=f["quota"],
        )
    elif code == "prerequisites-missing" and "unit" in f:
        unit = _("unit %(unit)s, target %(target)s", unit=f["unit"], target=f["target"])
        parts = _gaps(f.get("gaps", []), _prerequisite)
        return f"{unit}: {parts}" if parts else unit
    elif code == "below-thresholds" and "unit" in f:
        if "gaps" not in f:
            return _(
                "%(predicate)s untuk %(unit)s, tanpa nilai TPN atau TPI di log",
                predicate=f["predicate"],
                unit=f["unit"],
            )
        head = _(
            "%(predicate)s untuk %(unit)s; nilai %(source)s (entri #%(idx)s) menurut %(reg)s",
            predicate=f["predicate"],
            unit=f["unit"],
            source=f["source"].upper(),
            idx=f["scored_in"],
            reg=regulation_name(f["regulation"]),
        )
        parts = _gaps(f["gaps"], _shortfall)
        return f"{head}: {parts}" if parts else head
    elif code == "signed-by-revoked-key" and "keyid" in f:
        return _(
            "kunci %(key)s dicabut sejak %(start)s oleh entri #%(by)s",
            key=f["keyid"],
            start=readable_date(f["effective_from"]),
            by=f["revoked_by"],
        )
    elif code == "pact-coverage-low" and "staff_total" in f:
        return _("%(a)s dari %(b)s pegawai", a=f["signatories"], b=f["staff_total"])
    elif code == "item-overdue" and f.get("due_current"):
        text = _(
            "%(item)s (%(output)s), jatuh tempo %(due)s",
            item=f["item"],
            output=f["output"],
            due=readable_date(f["due_current"]),
        )
        if f.get("due_original") and f["due_original"] != f["due_current"]:
            text += " " + _("(semula %(day)s)", day=readable_date(f["due_original"]))
        return text
    return ""


def grouped(
    warnings: Iterable[dict[str, Any]],
    entries: Mapping[int, dict[str, Any]],
    counts: Mapping[str, int] | None = None,
    *,
    newest_first: bool = False,
) -> list[dict[str, Any]]:
    """Warnings grouped by kind, in ORDER (unknown codes last): each with its code, wording,
    count line, and entries (index, readable date, statement type, facts), oldest first or
    newest first. `entries` are the statements the warnings are on, by index. With `counts`
    (each kind's total), `warnings` may hold only some of each kind: the count line says the
    total, and `more` whether the kind has more entries than it lists."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for w in warnings:
        groups.setdefault(w["code"], []).append(w)
    totals = {c: (counts or {}).get(c, len(ws)) for c, ws in groups.items()}
    out = []
    for code, n in _ranked(totals):
        rows = sorted(
            groups[code], key=lambda w: (w["idx"], w.get("subject") or ""), reverse=newest_first
        )
        items = []
        for w in rows:
            entry = entries.get(w["idx"])
            day = readable_date(entry["issued_at"]) if entry else ""
            what = entry["type"] if entry else ""
            facts = w.get("facts") if code in FIGURED else None
            items.append(
                {"idx": w["idx"], "date": day, "type": what, "detail": detail(w, entry)}
                | {"facts": facts}
            )
        out.append(kind_words(code, n) | {"items": items, "more": n > len(items)})
    return out


def kind_words(code: str, n: int) -> dict[str, Any]:
    """A kind's code, title, meaning, non-meaning and count line for `n` of it (no entries)."""
    kind = _kind(code)
    return dict(kind, code=code, headline=kind["count"](n), count=n, items=[], more=n > 0)


def _kind(code: str) -> dict[str, Any]:
    unknown = {
        "title": code,
        "means": "",
        "not_means": "",
        "count": lambda n: ngettext("%(num)s peringatan", "%(num)s peringatan", n),
    }
    return _kinds().get(code) or unknown


def title(code: str) -> str:
    """A warning kind's title in the page's language (the results table's warning column)."""
    return str(_kind(code)["title"])


def _ranked(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    rank = {code: i for i, code in enumerate(ORDER)}
    return sorted(counts.items(), key=lambda c: (rank.get(c[0], len(ORDER)), c[0]))


def counted(counts: Mapping[str, int] | None) -> list[dict[str, Any]]:
    """Per-kind counts (a region's) as count lines with titles, in ORDER."""
    out = []
    for code, n in _ranked(counts or {}):
        kind = _kind(code)
        out.append({"code": code, "title": kind["title"], "headline": kind["count"](n), "count": n})
    return out
