"""The agency workbench (/workbench): forms generated from the catalog, signing in the browser.

The pages hand the browser the catalog (the same JSON as /api/v1/catalog), who must sign each
type (`registry.rules.signers.signer_table`, the rules' own table) and the form's words
(web/workbench_labels.py); the scripts under web/static/workbench/ build the form, hash
documents, keep the keys and sign. The server never sees a private key. Three JSON helpers
back the scripts, each reusing the registry's own code so the form can never disagree with it:
- `POST /workbench/api/check` runs the registry's statement parser (`events.parse_statement`)
  on the unsigned statement and answers the canonical payload bytes to sign with the sentence
  the entry page will show citizens (`web.summaries.summary`, the same function), or the very
  problem (code, field, detail) that `POST /api/v1/statements` would answer;
- `POST /workbench/api/explain` words a receipt's warnings as the public pages do;
- `GET /workbench/api/entries/<agency>` lists the agency's own entries, for references (a
  recorded declaration with the entry that confirmed it, if any).
Statements are posted by the browser to `POST /api/v1/statements` itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext as _
from jinja2.utils import htmlsafe_json_dumps

from events import catalog_json, parse_statement
from events.canonical import canonical_json
from events.errors import StatementError
from events.key_request import parse_request
from events.statement import DOCUMENTS_SCHEMA
from events.types.historical import TYPE as RECORDED
from keys.ed25519 import b64
from registry.read import queries
from registry.registrar import plan
from registry.rules.errors import AgencyNotFound
from registry.rules.signers import signer_table
from registry.rules.state import head_json
from web import warning_words, wording
from web.context import db, service
from web.summaries import mentioned, summary
from web.workbench_labels import words

bp = Blueprint("workbench", __name__, url_prefix="/workbench")
MAX_ENTRIES = 500


def _page(template: str, *, schemas: bool = False) -> str:
    """A workbench page with its data: the catalog (with the schemas only where a form is
    built from them; other pages need the types' names, titles and signers), the words."""
    catalog = catalog_json()
    if not schemas:
        keep = ("name", "title", "signer_roles", "cosigner_roles")
        catalog = {"types": [{k: t[k] for k in keep} for t in catalog["types"]]}
    data = {
        "catalog": catalog,
        "words": words(wording.lang()),
        "strings": _strings(),
        "documents_schema": DOCUMENTS_SCHEMA,
        "signers": signer_table(),
        # A reference field that picks only some entries: a declaration confirms a recorded
        # one its agency has not confirmed yet.
        "references": {"confirms": {"type": RECORDED, "unconfirmed": True}},
    }
    # In the schemas' own order (the form follows it): Jinja's tojson would sort the keys.
    return render_template(template, data=htmlsafe_json_dumps(data, sort_keys=False))


@bp.get("")
def index() -> str:
    return _page("workbench/index.html", schemas=True)


@bp.get("/keys")
def keys() -> str:
    return _page("workbench/keys.html")


@bp.get("/cosign")
def cosign() -> str:
    return _page("workbench/cosign.html")


def _json_body() -> Any:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise StatementError("not-an-object", "send a JSON object")
    return data


@bp.get("/registrar")
def registrar() -> str:
    return _page("workbench/registrar.html")


@bp.post("/api/registration")
def registration() -> Any:
    """What the registrar signs for key requests (registry/registrar.py, as `pakta register`):
    each request's proof of possession is checked; the statements come back unsigned."""
    data = _json_body()
    found = data.get("requests")
    if not isinstance(found, list) or not found:
        raise StatementError("missing-field", "give one or more key requests", field="/requests")
    requests = [parse_request(r) for r in found]
    try:
        head: dict[str, Any] | None = head_json(service().registry.head_of(requests[0].agency))
    except AgencyNotFound:
        head = None
    basis = data.get("basis") if isinstance(data.get("basis"), str) and data["basis"] else None
    scope = [s for s in data.get("scope") or [] if isinstance(s, str) and s]
    statements = plan(requests, head, today=datetime.now(UTC).date(), basis=basis, scope=scope)
    return jsonify(
        {
            "agency": requests[0].agency,
            "statements": [{"type": t, "body": body} for t, body in statements],
        }
    )


@bp.post("/api/check")
def check() -> Any:
    """The canonical payload of an unsigned statement, checked exactly as the registry will."""
    statement = _json_body().get("statement")
    if not isinstance(statement, dict):
        raise StatementError("not-an-object", "a statement is a JSON object")
    payload = canonical_json(statement)
    parsed = parse_statement(payload)
    # The citizens' sentence for it, by the entry page's own function (web/summaries.py).
    about = [{"agency": parsed.agency, "body": parsed.body}]
    names = queries.agency_names(db(), mentioned(about))
    said = summary(parsed.type, parsed.body, parsed.agency, names, links=False)
    return jsonify({"payload": b64(payload), "hash": parsed.hash, "summary": str(said)})


@bp.post("/api/explain")
def explain() -> Any:
    """A receipt's warnings in the page's language, as the public pages word them."""
    found = _json_body().get("warnings")
    out = []
    for w in found if isinstance(found, list) else []:
        if isinstance(w, dict) and isinstance(w.get("code"), str):
            facts = w.get("facts") if isinstance(w.get("facts"), dict) else {}
            out.append(
                {
                    "code": w["code"],
                    "title": _warning_title(w["code"]),
                    "detail": warning_words.detail({"code": w["code"], "facts": facts}, None),
                }
            )
    return jsonify({"warnings": out})


def _warning_title(code: str) -> str:
    found = warning_words.counted({code: 1})
    return str(found[0].get("title", code)) if found else code


@bp.get("/api/entries/<agency>")
def entries(agency: str) -> Any:
    """The agency's own entries, newest first, for picking what a statement refers to."""
    rows = queries.timeline(db(), agency, page=1, per_page=MAX_ENTRIES)["rows"]
    own = [r for r in rows if r["agency"] == agency]
    recorded = [r["idx"] for r in own if r["type"] == RECORDED]
    incoming = queries.links_into(db(), recorded) if recorded else {}
    confirmed = {
        i: c["idx"] for i, found in incoming.items() for c in found if c["kind"] == "confirmed"
    }
    return jsonify(
        [
            {
                "index": r["idx"],
                "seq": r["seq"],
                "type": r["type"],
                "title": wording.type_label(r["type"], incoming.get(r["idx"], [])),
                "hash": r["hash"],
                "issued_at": r["issued_at"],
                "body": r["body"],
                "confirmed_by": confirmed.get(r["idx"]),
            }
            for r in reversed(own)
        ]
    )


def _strings() -> dict[str, str]:
    """Words the scripts show, in the page's language."""
    return {
        "required": _("wajib diisi"),
        "choose": _("— pilih —"),
        "add_row": _("Tambah baris"),
        "remove_row": _("Hapus baris"),
        "yes": _("Ya"),
        "no": _("Tidak"),
        "fill_section": _("Isi bagian ini"),
        "none": _("Tidak ada"),
        "pick_file": _("Pilih berkas untuk dihitung sidik jarinya"),
        "hashing": _("Menghitung sidik jari…"),
        "checking": _("Memeriksa isian…"),
        "check_ok": _("Isian lengkap dan sesuai. Periksa pratinjau, lalu tanda tangani."),
        "check_failed": _("Ada isian yang perlu diperbaiki (ditandai di formulir)."),
        "registry_says": _("Pesan registri:"),
        "no_key": _("Belum ada kunci. Buat atau buka kunci di halaman Kunci."),
        "signing": _("Menandatangani…"),
        "posting": _("Mengirim ke registri…"),
        "posted": _("Pernyataan tercatat di log sebagai entri"),
        "stale": _(
            "Sementara itu instansi ini sudah mencatat pernyataan lain, jadi nomor urut "
            "pernyataan Anda sudah tidak berlaku. Perbarui dan tanda tangani ulang."
        ),
        "refused": _("Registri menolak pernyataan ini:"),
        "network": _("Registri tidak dapat dihubungi. Coba lagi sebentar lagi."),
        "warnings": _("Catatan registri untuk pernyataan ini"),
        "no_warnings": _("Registri tidak mencatat peringatan untuk pernyataan ini."),
        "pick_entry": _("— pilih entri —"),
        "pick_item": _("— pilih butir —"),
        "entry": _("entri"),
        "signed_by": _("Sudah ditandatangani oleh"),
        "still_needed": _("Masih perlu tanda tangan"),
        "key_ready": _("Kunci siap dipakai"),
        "wrong_passphrase": _("Kata sandi salah, atau berkas kunci rusak."),
        "not_a_key_file": _("Berkas ini bukan berkas kunci Pakta yang terenkripsi."),
        "no_webcrypto": _(
            "Peramban ini belum mendukung kunci Ed25519 bawaan. Gunakan berkas kunci terenkripsi."
        ),
        "short_passphrase": _("Kata sandi minimal 12 karakter."),
        "unknown_agency": _("Instansi ini belum terdaftar di Pakta."),
        "key_file": _("Berkas kunci"),
        "registered": _("Terdaftar di log:"),
        "not_a_request": _("Berkas ini bukan permintaan kunci Pakta."),
        "time_zone": _("Zona waktu"),
        "other_signer": _("Penanda tangan dari instansi lain"),
        "optional_cosigner": _("Boleh ditandatangani bersama oleh kepala unit"),
        "nobody_needed": _("Tanda tangan sudah cukup; draf dapat dikirim."),
        "not_a_draft": _("Berkas ini bukan draf pernyataan Pakta."),
        "cosigned": _("Tanda tangan Anda ditambahkan."),
        "stale_draft": _(
            "Nomor urut draf ini sudah dipakai pernyataan lain. Penanda tangan pertama perlu "
            "membuat draf baru."
        ),
        "key_file_saved": _("Berkas kunci terenkripsi tersimpan; simpan juga salinannya"),
        "forget_key": _("Hapus dari peramban ini"),
        "forget_confirm": _("Hapus kunci ini dari peramban? Tanpa salinan, kunci ini hilang."),
        "fill_request": _("Isi kode instansi dan pemegang kunci."),
        "passphrase_mismatch": _("Kedua kata sandi tidak sama."),
        "next_seq": _("nomor urut berikutnya"),
        "seq_word": _("Nomor urut"),
        "signed_by_roles": _("Ditandatangani oleh:"),
        "cosigned_by": _("Dapat ditandatangani bersama oleh:"),
        "draft_saved": _("Draf tersimpan. Serahkan berkasnya kepada penanda tangan berikutnya."),
        "code_missing-field": _("Wajib diisi."),
        "code_extra-field": _("Isian ini tidak dikenal untuk jenis pernyataan ini."),
        "code_wrong-type": _("Jenis isian salah (mis. huruf pada isian angka)."),
        "code_bad-value": _("Isian tidak sesuai ketentuan."),
        "code_bad-date": _("Tanggal atau waktu tidak sah."),
        "code_impossible-date": _("Tanggal ini tidak ada di kalender."),
        "code_bad-hash": _("Sidik jari SHA-256 tidak sah: pilih berkasnya lagi."),
        "code_rule": _("Tidak memenuhi aturan pernyataan ini."),
        "code_not-an-object": _("Formulir tidak lengkap."),
        "code_unknown-type": _("Jenis pernyataan tidak dikenal."),
    }
