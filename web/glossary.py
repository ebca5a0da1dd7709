"""The glossary: what ZI, WBK, WBBM, TPI, TPN, LKE, IPAK, IPKP and OPD mean, and the few
technical words the site cannot avoid (titik periksa, hash, kepala rantai, payload), in plain
words in the reader's language, each with an anchor the pages link to (`/glossary#wbk`)."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.wording import _

bp = Blueprint("glossary", __name__)


def terms() -> list[dict[str, str]]:
    """(anchor, term, what it stands for, what it means), in the order a citizen meets them."""
    rows = [
        (
            "zi",
            "ZI",
            _("Zona Integritas"),
            _(
                "Sebutan bagi instansi atau unit kerja yang pimpinan dan pegawainya "
                "berkomitmen mewujudkan WBK atau WBBM. Pembangunannya dimulai dengan "
                "pencanangan di depan umum."
            ),
        ),
        (
            "wbk",
            "WBK",
            _("Wilayah Bebas dari Korupsi"),
            _(
                "Predikat yang ditetapkan KemenPAN-RB bagi unit kerja yang menurut "
                "penilaian memenuhi syarat pencegahan korupsi. Resminya disebut “Menuju "
                "WBK”; predikat dapat dicabut."
            ),
        ),
        (
            "wbbm",
            "WBBM",
            _("Wilayah Birokrasi Bersih dan Melayani"),
            _(
                "Predikat di atas WBK, bagi unit kerja yang juga memenuhi syarat mutu "
                "pelayanan publik. Resminya disebut “Menuju WBBM”."
            ),
        ),
        (
            "tpi",
            "TPI",
            _("Tim Penilai Internal"),
            _(
                "Tim dari instansi sendiri (biasanya inspektorat) yang menilai unit kerja"
                " sebelum diusulkan ke KemenPAN-RB."
            ),
        ),
        (
            "tpn",
            "TPN",
            _("Tim Penilai Nasional"),
            _(
                "Tim KemenPAN-RB yang mengevaluasi unit kerja yang diusulkan dan "
                "memutuskan predikatnya."
            ),
        ),
        (
            "lke",
            "LKE",
            _("Lembar Kerja Evaluasi"),
            _(
                "Lembar penilaian Zona Integritas: nilai enam area perubahan (pengungkit)"
                " dan hasilnya, dengan bobot dan ambang menurut peraturan Menteri PANRB."
            ),
        ),
        (
            "ipak",
            "IPAK",
            _("Indeks Persepsi Anti Korupsi"),
            _(
                "Hasil survei kepada pengguna layanan tentang praktik korupsi di unit "
                "kerja, skala 1 sampai 4."
            ),
        ),
        (
            "ipkp",
            "IPKP",
            _("Indeks Persepsi Kualitas Pelayanan"),
            _(
                "Hasil survei kepada pengguna layanan tentang mutu pelayanan unit kerja, "
                "skala 1 sampai 4."
            ),
        ),
        (
            "opd",
            "OPD",
            _("Organisasi Perangkat Daerah"),
            _(
                "Dinas, badan, inspektorat, rumah sakit daerah dan kantor lain yang "
                "menjadi bagian dari pemerintah provinsi, kabupaten atau kota."
            ),
        ),
        (
            "pakta-integritas",
            _("Pakta Integritas"),
            _("Pernyataan janji"),
            _(
                "Pernyataan tertulis pegawai atau pejabat untuk bekerja tanpa korupsi, "
                "kolusi dan nepotisme."
            ),
        ),
        (
            "titik-periksa",
            _("Titik periksa"),
            _("checkpoint"),
            _(
                "Ringkasan seluruh log pada satu saat, ditandatangani registri (dan saksi"
                " bila ada). Dengan titik periksa siapa pun dapat membuktikan bahwa "
                "sebuah entri ada di log dan tidak diubah."
            ),
        ),
        (
            "hash",
            _("Hash"),
            _("sidik jari data"),
            _(
                "Deretan angka dan huruf yang dihitung dari sebuah data atau berkas. Data"
                " yang berubah satu huruf saja menghasilkan hash yang lain sama sekali. "
                "“Hash daun” adalah hash satu entri di log."
            ),
        ),
        (
            "kepala-rantai",
            _("Kepala rantai"),
            _("pernyataan terakhir"),
            _(
                "Pernyataan terakhir sebuah instansi. Setiap pernyataan menyebut hash "
                "pernyataan sebelumnya, sehingga pernyataan instansi membentuk rantai "
                "yang tidak dapat disisipi."
            ),
        ),
        (
            "payload",
            _("Payload"),
            _("isi yang ditandatangani"),
            _(
                "Isi pernyataan persis seperti yang ditandatangani instansinya, dalam "
                "format JSON."
            ),
        ),
    ]
    return [{"anchor": a, "term": t, "stands_for": s, "means": m} for a, t, s, m in rows]


@bp.get("/glossary")
def index() -> str:
    return render_template("pages/glossary.html", terms=terms())
