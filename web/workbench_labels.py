"""The workbench form's words: a label and a help text for every field name the catalog's
schemas use, and a name for every enumerated value, in Indonesian and English.

The schemas (events/types/) say what a field must hold; this module says what it is called on
the form. A field name means the same in every statement type, so one table serves all of
them; `missing()` lists schema names without a label (a test keeps it empty, so a new type
cannot show a bare field name on an Indonesian page). Change areas are named from
`events.regulations.AREA_TITLES`, the one source of their titles.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from events import catalog_json
from events.regulations import AREA_TITLES

Pair = tuple[str, str]

# name: (Indonesian label, English label[, Indonesian help, English help])
FIELDS: dict[str, tuple[str, ...]] = {
    "added": ("Butir baru", "New items"),
    "agency": (
        "Instansi",
        "Agency",
        "Kode instansi di Pakta, mis. pemkab-sukoharjo.",
        "The agency's id in Pakta, e.g. pemkab-sukoharjo.",
    ),
    "announced_on": ("Tanggal pengumuman", "Announced on"),
    "change": ("Perubahan", "Change"),
    "changed_on": ("Tanggal perubahan", "Changed on"),
    "announcements": (
        "Tautan pengumuman publik",
        "Public announcement links",
        "Alamat https:// berita atau siaran pers.",
        "https:// address of the news item or press release.",
    ),
    "area": ("Area perubahan", "Change area"),
    "areas": ("Nilai per area perubahan", "Scores per change area"),
    "assessed_on": ("Tanggal penilaian", "Assessed on"),
    "asset_declaration_percent": ("Persentase LHKPN/LHKASN", "Asset declarations (%)"),
    "audit_follow_up_percent": ("Tindak lanjut temuan audit (%)", "Audit findings followed up (%)"),
    "awarded_on": ("Tanggal penetapan", "Awarded on"),
    "basis": ("Dasar", "Basis"),
    "bpk_opinion": ("Opini BPK", "BPK audit opinion"),
    "bps": ("Kode BPS", "BPS code"),
    "cancelled": ("Butir yang dibatalkan", "Cancelled items"),
    "capacity": (
        "Sebagai",
        "Capacity",
        "Peran saksi pada acara, mis. perwakilan Ombudsman.",
        "The witness's role at the event, e.g. Ombudsman representative.",
    ),
    "chair": ("Ketua tim", "Team chair"),
    "correct_value": ("Nilai yang benar", "Correct value"),
    "corrections": ("Ralat", "Corrections"),
    "deadline": ("Batas waktu", "Deadline"),
    "decided_on": ("Tanggal keputusan", "Decided on"),
    "confirms": (
        "Pencanangan yang dicatat dari sumber publik",
        "Declaration recorded from a public source",
        "Jika registrar sudah mencatat pencanangan ini dari berita, pilih catatannya: halaman "
        "itu lalu menampilkannya sebagai dikonfirmasi oleh instansi.",
        "If the registrar recorded this declaration from the news, pick that record: its page "
        "then shows it as confirmed by the agency.",
    ),
    "declaration": ("Pencanangan yang disaksikan", "Declaration witnessed"),
    "declared_on": ("Tanggal pencanangan", "Declared on"),
    "decree": (
        "Surat keputusan (SK)",
        "Decree",
        "Pilih berkas SK: sidik jarinya dihitung di perangkat ini, berkas tidak dikirim.",
        "Pick the decree file: its fingerprint is computed on this device, the file is not sent.",
    ),
    "designated_on": ("Tanggal penetapan unit", "Designated on"),
    "due": ("Jatuh tempo", "Due"),
    "effective_from": ("Berlaku sejak", "Effective from"),
    "established_on": ("Tanggal pembentukan", "Established on"),
    "evaluated_on": ("Tanggal evaluasi", "Evaluated on"),
    "evidence": ("Bukti dukung", "Supporting evidence"),
    "field": ("Isian", "Field"),
    "from": ("Dari", "From"),
    "granted_on": ("Tanggal pemberian", "Granted on"),
    "guidance": ("Pembinaan", "Remedial guidance"),
    "hash": ("Sidik jari (SHA-256)", "Fingerprint (SHA-256)"),
    "holder": (
        "Pemegang (jabatan)",
        "Holder (office)",
        "Tulis jabatan, bukan nama orang atau NIP.",
        "The office, not a person's name or NIP.",
    ),
    "id": ("Kode butir", "Item code", "Mis. MP-01.", "E.g. MP-01."),
    "index": ("Indeks", "Index"),
    "indices": ("Indeks survei", "Survey indices"),
    "information": ("Informasi", "Information"),
    "internal_evaluation": ("Evaluasi internal", "Internal evaluation"),
    "ipak": ("Indeks IPAK", "IPAK index"),
    "ipkp": ("Indeks IPKP", "IPKP index"),
    "item": ("Butir rencana aksi", "Action-plan item"),
    "items": ("Butir rencana aksi", "Action-plan items"),
    "items_late": ("Butir terlambat", "Items late"),
    "items_on_track": ("Butir sesuai jadwal", "Items on track"),
    "kemendagri": ("Kode Kemendagri", "Kemendagri code"),
    "keyid": ("Kode kunci", "Key id"),
    "keys": ("Kunci", "Keys"),
    "kind": ("Jenis instansi", "Kind of agency"),
    "kinerja": ("Kinerja", "Performance"),
    "letter": ("Surat usulan", "Proposal letter"),
    "members": ("Jumlah anggota", "Members"),
    "method": ("Metode", "Method"),
    "name": ("Nama", "Name"),
    "note": ("Catatan", "Note"),
    "notes": ("Catatan", "Notes"),
    "opens_on": ("Dibuka", "Opens on"),
    "output": ("Keluaran", "Output"),
    "parent": ("Instansi induk", "Parent agency"),
    "passed": ("Lulus", "Passed"),
    "percent": ("Persentase selesai", "Percent done"),
    "period": ("Periode", "Period"),
    "place": ("Tempat", "Place"),
    "predicate": ("Predikat", "Designation"),
    "prerequisites": ("Persyaratan", "Prerequisites"),
    "public_key": ("Kunci publik", "Public key"),
    "published_on": ("Tanggal terbit", "Published on"),
    "quota_per_agency": ("Kuota per instansi", "Quota per agency"),
    "reason": ("Alasan", "Reason"),
    "recommendation": ("Rekomendasi", "Recommendation"),
    "redated": ("Butir yang dijadwal ulang", "Re-dated items"),
    "region": ("Wilayah", "Region"),
    "regulation": ("Peraturan", "Regulation"),
    "reported_on": ("Tanggal laporan", "Reported on"),
    "responsible": ("Penanggung jawab", "Responsible"),
    "results": ("Nilai hasil", "Results"),
    "revised_on": ("Tanggal revisi", "Revised on"),
    "revoked_on": ("Tanggal pencabutan", "Revoked on"),
    "role": ("Peran", "Role"),
    "route": ("Jalur", "Route"),
    "sakip": ("Nilai SAKIP", "SAKIP grade"),
    "sample_size": ("Jumlah responden", "Sample size"),
    "scope": ("Cakupan", "Scope"),
    "scores": ("Nilai", "Scores"),
    "seq": ("Nomor urut", "Sequence number"),
    "signatories": ("Jumlah penanda tangan", "Signatories"),
    "signed_on": ("Tanggal penandatanganan", "Signed on"),
    "spip_level": ("Tingkat SPIP", "SPIP level"),
    "staff_total": ("Jumlah pegawai", "Total staff"),
    "stage": ("Tahap", "Stage"),
    "status": ("Status", "Status"),
    "submitted_on": ("Tanggal pengusulan", "Submitted on"),
    "summary": ("Ringkasan", "Summary"),
    "survey": ("Jenis survei", "Survey"),
    "target": ("Target", "Target"),
    "to": ("Sampai", "To"),
    "unit": ("Unit kerja", "Work unit"),
    "units": ("Unit kerja", "Work units"),
    "witnessed_on": ("Tanggal menyaksikan", "Witnessed on"),
    "witnesses_claimed": ("Saksi yang hadir", "Witnesses present"),
    "year": ("Tahun", "Year"),
    # the statement's own fields
    "documents": (
        "Dokumen",
        "Documents",
        "Pilih berkas: sidik jarinya dihitung di perangkat ini, berkas tidak dikirim.",
        "Pick the files: their fingerprints are computed on this device, the files are not sent.",
    ),
    "media_type": ("Jenis berkas", "File type"),
    "url": ("Alamat publik (jika diterbitkan)", "Public address (if published)"),
    "sha256": ("Sidik jari (SHA-256)", "Fingerprint (SHA-256)"),
    "source": ("Sumber", "Source"),
    "source_url": ("Alamat sumber publik", "Public source address"),
    "source_date": ("Tanggal sumber", "Source date"),
    "source_title": ("Judul sumber", "Source headline"),
}

VALUES: dict[str, Pair] = {
    "WBK": ("Menuju WBK", "Towards WBK"),
    "WBBM": ("Menuju WBBM", "Towards WBBM"),
    "IPAK": ("IPAK (persepsi antikorupsi)", "IPAK (anti-corruption perception)"),
    "IPKP": ("IPKP (persepsi kualitas pelayanan)", "IPKP (service quality perception)"),
    "WTP": ("WTP (wajar tanpa pengecualian)", "WTP (unqualified)"),
    "WDP": ("WDP (wajar dengan pengecualian)", "WDP (qualified)"),
    "TW": ("TW (tidak wajar)", "TW (adverse)"),
    "TMP": ("TMP (tidak menyatakan pendapat)", "TMP (disclaimer)"),
    "agency_head": ("Pimpinan instansi", "Agency head"),
    "unit_head": ("Kepala unit kerja", "Unit head"),
    "operator": ("Operator", "Operator"),
    "surveyor": ("Penyelenggara survei", "Surveyor"),
    "tpi": ("TPI (tim penilai internal)", "TPI (internal assessment team)"),
    "tpn": ("TPN (tim penilai nasional)", "TPN (national assessment team)"),
    "witness": ("Saksi", "Witness"),
    "registrar": ("Pencatat Pakta", "Pakta registrar"),
    "compromised": ("Kunci bocor", "Key compromised"),
    "superseded": ("Diganti kunci baru", "Superseded"),
    "holder_left": ("Pemegang pindah jabatan", "Holder left the office"),
    "other": ("Lainnya", "Other"),
    "in_progress": ("Sedang berjalan", "In progress"),
    "done": ("Selesai", "Done"),
    "national": ("Penilaian nasional", "National evaluation"),
    "self_evaluation": ("Evaluasi mandiri", "Self-evaluation"),
    "pemerintah_provinsi": ("Pemerintah provinsi", "Provincial government"),
    "pemerintah_kabupaten": ("Pemerintah kabupaten", "Regency government"),
    "pemerintah_kota": ("Pemerintah kota", "City government"),
    "perangkat_daerah": ("Perangkat daerah (OPD)", "Regional government department"),
    "instansi_vertikal": ("Instansi vertikal", "Central government office"),
    "kementerian_lembaga": ("Kementerian/lembaga", "Ministry or agency"),
    "unit_kerja": ("Unit kerja", "Work unit"),
    "lembaga_pengawas": ("Lembaga pengawas", "Oversight body"),
    "masyarakat_sipil": ("Masyarakat sipil", "Civil society"),
    "tim_penilai": ("Tim penilai", "Assessment team"),
    "permenpanrb-5-2024": ("PermenPAN-RB 5/2024", "PermenPAN-RB 5/2024"),
    "permenpanrb-52-2014-10-2019": (
        "PermenPAN-RB 52/2014 jo. 10/2019",
        "PermenPAN-RB 52/2014 as amended by 10/2019",
    ),
    "scope": ("Cakupan TPI diganti", "TPI scope replaced"),
    "withdrawn": ("Peran dicabut", "Role withdrawn"),
    "permenpanrb-90-2021": ("PermenPAN-RB 90/2021", "PermenPAN-RB 90/2021"),
    "pre_evaluation": ("Pra-evaluasi", "Pre-evaluation"),
    "desk": ("Evaluasi dokumen", "Desk evaluation"),
    "field": ("Evaluasi lapangan", "Field evaluation"),
    "propose": ("Diusulkan", "Propose"),
    "not_propose": ("Tidak diusulkan", "Do not propose"),
}
# SAKIP grades are their own names.
VALUES.update({grade: (grade, grade) for grade in ("AA", "A", "BB", "B", "CC", "C", "D")})
# The six change areas: a value of `area` and a field of `scores.areas`, titled in one place.
for _code, _title in AREA_TITLES.items():
    VALUES[_code] = (_title["id"], _title["en"])
    FIELDS[_code] = (_title["id"], _title["en"])


def _walk(schema: object) -> Iterator[tuple[str | None, Mapping[str, Any]]]:
    if not isinstance(schema, Mapping):
        return
    for name, sub in schema.get("properties", {}).items():
        yield name, sub
        yield from _walk(sub)
    if isinstance(schema.get("items"), Mapping):
        yield None, schema["items"]
        yield from _walk(schema["items"])


def missing() -> list[str]:
    """Field names and enumerated values in the catalog that have no words here."""
    out: set[str] = set()
    for t in catalog_json()["types"]:
        for name, sub in _walk(t["body_schema"]):
            if name is not None and name not in FIELDS:
                out.add(name)
            for value in sub.get("enum", []):
                if isinstance(value, str) and value not in VALUES:
                    out.add(value)
    return sorted(out)


def words(lang: str) -> dict[str, Any]:
    """Every label, help text and value name in `lang` ("id" or "en"), for the form script."""
    en = lang == "en"
    fields = {}
    for name, texts in FIELDS.items():
        entry = {"label": texts[1] if en else texts[0]}
        if len(texts) == 4:
            entry["help"] = texts[3] if en else texts[2]
        fields[name] = entry
    return {
        "fields": fields,
        "values": {v: (p[1] if en else p[0]) for v, p in VALUES.items()},
    }
