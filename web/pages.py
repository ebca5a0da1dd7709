"""Public HTML pages: home, search, a region, an agency and its timeline, one entry, document
check.

Every page works without JavaScript; only the entry page's "verify in my browser" button and
the document picker's local hashing need it. Words come from the DOMAIN.md glossary; the
Indonesian text is the message id and the English catalog translates it.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from flask import Blueprint, abort, g, render_template, request, url_for
from flask_babel import gettext as _

from events import parse_statement
from keys.dsse import Envelope
from keys.ed25519 import b64
from registry.read import queries
from registry.read import regions as region_data
from registry.rules.lifecycle import STATUS_TITLES
from registry.tlog import merkle
from web import service
from web.warnings import counted, grouped

bp = Blueprint("pages", __name__)
_PROVINCE = re.compile(r"[0-9]{2}")
_REGENCY = re.compile(r"[0-9]{2}\.[0-9]{2}")
_REGION = re.compile(r"[0-9]{2}(?:\.[0-9]{2})?")
_YEAR = re.compile(r"[0-9]{4}")
_WORD = re.compile(r"[a-z0-9_]{1,40}")
_SHA256 = re.compile(r"(?:sha256:)?([0-9a-fA-F]{64})")
CORRECTION_TYPES = queries.CORRECTION_TYPES


@bp.get("/")
def home() -> str:
    svc = service()
    return render_template(
        "pages/home.html",
        stats=svc.stats(),
        latest=svc.latest(10),
        regions=queries.regions(svc),
    )


def _arg(name: str, pattern: re.Pattern[str]) -> str:
    value = request.args.get(name, "").strip()
    return value if pattern.fullmatch(value) else ""


@bp.get("/agencies")
def agencies() -> str:
    svc = service()
    filters = queries.Filters(
        q=request.args.get("q", "").strip()[:100],
        province=_arg("province", _PROVINCE),
        regency=_arg("regency", _REGENCY),
        kind=_arg("kind", _WORD),
        status=_arg("status", _WORD),
        year=_arg("year", _YEAR),
    )
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    result = queries.search(svc, filters, page)
    return render_template(
        "pages/agencies.html",
        result=result,
        filters=filters,
        regions=queries.regions(svc),
        choices=queries.choices(svc),
    )


@bp.get("/regions/<code>")
def region(code: str) -> str:
    found = queries.region_page(service(), code) if _REGION.fullmatch(code) else None
    if found is None:
        abort(
            404,
            _(
                "Tidak ada wilayah dengan kode Kemendagri %(code)s. Kode provinsi berbentuk "
                "dua angka (33), kode kabupaten/kota dua angka lagi (33.15).",
                code=code,
            ),
        )
    province = region_data.region(found["region"]["province"]) if "." in code else None
    return render_template(
        "pages/region.html",
        page=found,
        province=province,
        warning_kinds=counted(found.get("warning_counts")),
    )


def _corrections(chain: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Statement hash -> the corrections and retractions that point at it (by any field)."""
    hashes = {s["hash"] for s in chain}
    found: dict[str, list[dict[str, Any]]] = {}

    def walk(value: Any, fix: dict[str, Any]) -> None:
        if isinstance(value, str) and value in hashes:
            found.setdefault(value, []).append(fix)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v, fix)
        elif isinstance(value, list):
            for v in value:
                walk(v, fix)

    for s in chain:
        if s["type"] in CORRECTION_TYPES:
            walk(s["body"], s)
    return found


def _optional(name: str, *args: Any) -> Any:
    """An issue-4 read-model query if this registry has it (action plan, scores, warnings)."""
    method = getattr(service(), name, None)
    return method(*args) if callable(method) else None


@bp.get("/agencies/<agency>")
def agency(agency: str) -> str:
    found = service().agency(agency)
    if found is None:
        abort(404, _("Tidak ada instansi %(id)s", id=agency))
    claimed: list[dict[str, Any]] = []
    for s in found["chain"]:
        if s["type"] == "zi.declared":
            for name in s["body"].get("witnesses_claimed", []):
                claimed.append({"name": name, "idx": s["idx"]})
    return render_template(
        "pages/agency.html",
        agency=found,
        status=status_info(found["status"]),
        claimed=claimed,
        regional=queries.regional_government(service(), [found])[agency],
        corrections=_corrections(found["chain"]),
        action_plan=_optional("action_plan", agency),
        scores=_optional("scores", agency),
        warnings=grouped(_optional("warnings", agency), found["chain"], service().statement),
        unit=_optional("unit_status", agency),
    )


@bp.get("/entries/<int:index>")
def entry(index: int) -> str:
    svc = service()
    text = svc.registry.entry(index)
    row = svc.statement(index)
    if text is None or row is None:
        abort(404, _("Tidak ada entri %(index)s", index=index))
    decoded = json.loads(text)
    envelope = Envelope.from_json(decoded["envelope"])
    statement = parse_statement(envelope.payload)
    names = svc.key_names()
    signers = [
        {"keyid": s.keyid, "key": names.get(s.keyid), "sig": base64.b64encode(s.sig).decode()}
        for s in envelope.signatures
    ]
    corrected_by = [
        s
        for s in queries.corrections(svc, statement.agency)
        if statement.hash in json.dumps(s["body"])
    ]
    target = None
    if statement.type in CORRECTION_TYPES:
        target = svc.statement_by_hash(statement.body["target"]["hash"])
    return render_template(
        "pages/entry.html",
        target=target,
        index=index,
        row=row,
        entry=decoded,
        entry_text=text,
        statement=statement,
        payload=envelope.payload.decode(),
        signers=signers,
        leaf_hash=merkle.leaf_hash(text.encode()).hex(),
        agency=svc.agency(statement.agency),
        corrected_by=corrected_by,
        registrar_keys={k: b64(v) for k, v in svc.instance.registrar_keys.items()},
        log_key=svc.instance.log_vkey,
    )


@bp.get("/documents")
def documents() -> str:
    raw = request.args.get("sha256", "").strip()[:80]
    match = _SHA256.fullmatch(raw)
    sha256 = "sha256:" + match[1].lower() if match else None
    found = service().documents(sha256) if sha256 else []
    return render_template(
        "pages/documents.html", raw=raw, sha256=sha256, found=found, invalid=bool(raw) and not match
    )


@bp.get("/about")
def about() -> str:
    svc = service()
    return render_template(
        "pages/about.html",
        log_key=svc.instance.log_vkey,
        registrar_keys={k: b64(v) for k, v in svc.instance.registrar_keys.items()},
        size=svc.registry.size(),
    )


# -- wording --------------------------------------------------------------------------------


def status_info(code: str) -> dict[str, str]:
    """A status's label, what it means, and what it does NOT mean, in plain words. A unit's
    lifecycle status is labelled with its title from registry/lifecycle.py."""
    code = {"towards_wbk": "wbk", "towards_wbbm": "wbbm"}.get(code, code)
    texts: dict[str, tuple[str, str, str]] = {
        "registered": (
            _("Terdaftar"),
            _("Instansi ini terdaftar di Pakta dan punya kunci untuk menandatangani pernyataan."),
            _("Belum berarti instansi ini sudah berkomitmen atau bebas korupsi."),
        ),
        "pact_signed": (
            _("Pakta Integritas ditandatangani"),
            _("Pimpinan dan pegawai menyatakan telah menandatangani Pakta Integritas."),
            _("Ini janji, bukan hasil penilaian: belum ada yang memeriksa apakah janji ditepati."),
        ),
        "declared": (
            "",  # STATUS_TITLES
            _("Instansi ini mencanangkan Zona Integritas di depan umum dan menetapkan target."),
            _("Pencanangan bukan predikat WBK/WBBM: penilaian belum dilakukan."),
        ),
        "building": (
            "",  # STATUS_TITLES
            _("Instansi ini menjalankan rencana aksi di enam area perubahan."),
            _("Belum dinilai oleh TPI maupun TPN."),
        ),
        "assessed": (
            "",  # STATUS_TITLES
            _("Tim penilai internal sudah mengevaluasi unit ini."),
            _("Penilaian internal bukan penetapan predikat."),
        ),
        "proposed": (
            "",  # STATUS_TITLES
            _("Pimpinan instansi mengusulkan unit ini ke KemenPAN-RB."),
            _("Usulan belum tentu diterima."),
        ),
        "evaluated": (
            "",  # STATUS_TITLES
            _("Tim penilai nasional sudah mengevaluasi unit ini."),
            _("Hasil akhir (predikat atau tidak) belum dicatat."),
        ),
        "wbk": (
            "",  # STATUS_TITLES
            _("Unit ini ditetapkan berpredikat Menuju Wilayah Bebas dari Korupsi."),
            _("Predikat bukan jaminan tidak ada korupsi; predikat dapat dicabut."),
        ),
        "wbbm": (
            "",  # STATUS_TITLES
            _("Unit ini ditetapkan berpredikat Menuju Wilayah Birokrasi Bersih dan Melayani."),
            _("Predikat bukan jaminan tidak ada korupsi; predikat dapat dicabut."),
        ),
        "not_met": (
            "",  # STATUS_TITLES
            _("Penilaian nasional menyatakan unit ini belum memenuhi syarat; ada pembinaan."),
            _("Bukan berarti ada korupsi; unit dapat diusulkan lagi."),
        ),
        "revoked": (
            "",  # STATUS_TITLES
            _("TPN mencabut predikat unit ini."),
            _("Pencabutan tercatat; unit tidak dapat diusulkan lagi selama 2 tahun."),
        ),
    }
    label, means, not_means = texts.get(code, (code, "", ""))
    if code in STATUS_TITLES:  # a unit's lifecycle status: its title in both languages
        label = STATUS_TITLES[code].get(getattr(g, "lang", "id"), STATUS_TITLES[code]["id"])
    return {"code": code, "label": label, "means": means, "not_means": not_means}


def kind_label(kind: str) -> str:
    labels: dict[str, str] = {
        "pemerintah_provinsi": _("Pemerintah provinsi"),
        "pemerintah_kabupaten": _("Pemerintah kabupaten"),
        "pemerintah_kota": _("Pemerintah kota"),
        "perangkat_daerah": _("Perangkat daerah (OPD)"),
        "instansi_vertikal": _("Instansi vertikal"),
        "kementerian_lembaga": _("Kementerian/lembaga"),
        "unit_kerja": _("Unit kerja"),
        "lembaga_pengawas": _("Lembaga pengawas"),
        "masyarakat_sipil": _("Masyarakat sipil"),
        "tim_penilai": _("Tim penilai"),
    }
    return labels.get(kind, kind)


def region_trail(code: str | None) -> list[dict[str, str]]:
    """The official regions an agency sits in, innermost first (regency/city, province), for
    links to their pages; empty if its code is not in the official list."""
    if not code:
        return []
    codes = (code, code.split(".")[0]) if "." in code else (code,)
    return [
        {"code": c, "name": found["name"]} for c in codes if (found := region_data.region(c))
    ]


def type_label(name: str, lang: str) -> str:
    from events import get_type

    try:
        return str(get_type(name).title.get(lang, name))
    except Exception:
        return name


def lang_url(lang: str) -> str:
    """This page in `lang`, keeping its other query parameters (a shareable link)."""
    args: dict[str, Any] = request.args.to_dict()
    args["lang"] = lang
    view = request.endpoint or "pages.home"
    try:
        return url_for(view, **(request.view_args or {}), **args)
    except Exception:
        return url_for("pages.home", lang=lang)


def page_url(page: int) -> str:
    args: dict[str, Any] = request.args.to_dict()
    args["page"] = str(page)
    return url_for(request.endpoint or "pages.agencies", **(request.view_args or {}), **args)


@bp.app_template_filter("pretty")
def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    return {
        "type_label": lambda name: type_label(name, getattr(g, "lang", "id")),
        "kind_label": kind_label,
        "status_info": status_info,
        "region_trail": region_trail,
        "lang_url": lang_url,
        "page_url": page_url,
        "local": lambda texts: texts.get(getattr(g, "lang", "id")) or texts.get("id", ""),
    }
