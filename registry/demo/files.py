"""The demo's real documents: a few small PDFs, plainly marked "DOKUMEN DEMO", whose SHA-256
the demo statements carry, so the document check can be tried with a real file.

Sulawesi Tenggara's integrity pact and declaration charter, the two award decrees and the
revocation decree are generated here (registry/demo/pdf.py, byte for byte the same every
time); the other demo documents stay hashes of short texts. The files are published under
web/static/demo/:

    .venv/bin/python -m registry.demo.files web/static/demo    # rewrite them

and a test requires the committed files to equal what this module generates.
"""

from __future__ import annotations

import sys
from functools import cache
from hashlib import sha256
from pathlib import Path

from events import sha256_ref
from registry.demo.pdf import one_page

_NOTE = (
    "Dokumen ini dibuat untuk data demo Pakta. Isinya rekaan dan bukan dokumen resmi "
    "instansi mana pun. Hash SHA-256 berkas ini tercatat di log demo, sehingga pemeriksaan "
    "dokumen dapat dicoba dengan berkas ini."
)

# name -> (title, lines): the words of each demo file.
TEXTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pakta-integritas.pdf": (
        "PAKTA INTEGRITAS",
        (
            "Pemerintah Provinsi Sulawesi Tenggara",
            "Kami, Gubernur dan kepala OPD prioritas Zona Integritas, berjanji bekerja jujur, "
            "tidak menerima atau memberi gratifikasi, dan mematuhi peraturan. Ditandatangani di "
            "Kendari, 20 Januari 2025, oleh 38 dari 40 pejabat (demo).",
            _NOTE,
        ),
    ),
    "piagam-pencanangan.pdf": (
        "PIAGAM PENCANANGAN PEMBANGUNAN ZONA INTEGRITAS",
        (
            "Pemerintah Provinsi Sulawesi Tenggara",
            "Pada hari ini, 20 Januari 2025, di Kendari, kami yang bertanda tangan di bawah "
            "ini mencanangkan pembangunan Zona Integritas menuju Wilayah Bebas dari Korupsi "
            "(WBK) pada DPMPTSP, RSUD Bahteramas, RS Jiwa dan Bappeda Provinsi Sulawesi "
            "Tenggara.",
            "Tanda tangan: Gubernur dan kepala unit kerja (demo).",
            _NOTE,
        ),
    ),
    "kepmenpanrb-wbk-2022.pdf": (
        "KEPUTUSAN MENTERI PANRB NOMOR 1001/DEMO/2022",
        (
            "tentang Penetapan Unit Kerja Berpredikat Menuju Wilayah Bebas dari Korupsi Tahun 2022",
            "Menetapkan: BPS Kabupaten Grobogan berpredikat Menuju WBK, 8 Desember 2022.",
            _NOTE,
        ),
    ),
    "kepmenpanrb-wbk-2026.pdf": (
        "KEPUTUSAN MENTERI PANRB NOMOR 1002/DEMO/2026",
        (
            "tentang Penetapan Unit Kerja Berpredikat Menuju Wilayah Bebas dari Korupsi Tahun 2026",
            "Menetapkan: DPMPTSP Provinsi Sulawesi Tenggara dan RSUD Bahteramas "
            "berpredikat Menuju WBK, 10 Juni 2026.",
            _NOTE,
        ),
    ),
    "pencabutan.pdf": (
        "KEPUTUSAN MENTERI PANRB NOMOR 1003/DEMO/2026",
        (
            "tentang Pencabutan Predikat Menuju WBK RSUD Bahteramas",
            "Menetapkan: predikat Menuju WBK RSUD Bahteramas dicabut pada 15 September 2026, "
            "setelah klarifikasi Tim Penilai Nasional atas informasi media.",
            _NOTE,
        ),
    ),
}


@cache
def pdf(name: str) -> bytes:
    """The bytes of the demo file `name` (one of `TEXTS`)."""
    title, lines = TEXTS[name]
    return one_page(title, lines)


def document_hash(agency: str, name: str) -> str:
    """The `sha256:` hash a demo statement of `agency` gives its document `name`: the real
    file's for the files above, else the hash of a short text naming agency and file."""
    if name in TEXTS:
        return sha256_ref(pdf(name))
    return sha256_ref(f"{agency}:{name}".encode())


@cache
def by_hash() -> dict[str, str]:
    """`sha256:` hash -> name of every demo file."""
    return {"sha256:" + sha256(pdf(n)).hexdigest(): n for n in TEXTS}


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(TEXTS):
        path = folder / name
        path.write_bytes(pdf(name))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "web/static/demo")):
        print(path, path.stat().st_size, "bytes")
