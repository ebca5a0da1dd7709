"""Words for search: how an agency's name becomes index terms, and a query becomes words.

Citizens type "BPS Grobogan", "Badan Pusat Statistik Grobogan", "Kab. Grobogan" or "Bahteramas
RSUD": words in any order, any case, with punctuation and the abbreviations everyone uses.
So both sides are normalised the same way (lower case, accents and punctuation dropped), and
the usual abbreviations are expanded on both sides: a name with "BPS" is also indexed under
"badan pusat statistik", and a query word "kab" also matches "kabupaten". A query word
matches a term it is a prefix of ("grob" finds "grobogan"). Pure: no SQL here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Abbreviation -> the words it stands for (DOMAIN.md's names and common usage).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "kab": ("kabupaten",),
    "prov": ("provinsi",),
    "pemkab": ("pemerintah", "kabupaten"),
    "pemkot": ("pemerintah", "kota"),
    "pemprov": ("pemerintah", "provinsi"),
    "pemda": ("pemerintah", "daerah"),
    "sultra": ("sulawesi", "tenggara"),
    "sulteng": ("sulawesi", "tengah"),
    "sulsel": ("sulawesi", "selatan"),
    "sulut": ("sulawesi", "utara"),
    "sulbar": ("sulawesi", "barat"),
    "jateng": ("jawa", "tengah"),
    "jatim": ("jawa", "timur"),
    "jabar": ("jawa", "barat"),
    "kalbar": ("kalimantan", "barat"),
    "kaltim": ("kalimantan", "timur"),
    "kalsel": ("kalimantan", "selatan"),
    "kalteng": ("kalimantan", "tengah"),
    "sumut": ("sumatera", "utara"),
    "sumbar": ("sumatera", "barat"),
    "sumsel": ("sumatera", "selatan"),
    "ntb": ("nusa", "tenggara", "barat"),
    "ntt": ("nusa", "tenggara", "timur"),
    "diy": ("daerah", "istimewa", "yogyakarta"),
    "kuansing": ("kuantan", "singingi"),
    "bps": ("badan", "pusat", "statistik"),
    "rsud": ("rumah", "sakit", "umum", "daerah"),
    "rs": ("rumah", "sakit"),
    "rsj": ("rumah", "sakit", "jiwa"),
    "opd": ("perangkat", "daerah"),
    "dpmptsp": ("dinas", "penanaman", "modal", "pelayanan", "terpadu", "satu", "pintu"),
    "bappeda": ("badan", "perencanaan", "pembangunan", "daerah"),
    "itda": ("inspektorat", "daerah"),
    "itjen": ("inspektorat", "jenderal"),
    "tpn": ("tim", "penilai", "nasional"),
    "tpi": ("tim", "penilai", "internal"),
    "kemenpanrb": ("kementerian", "pendayagunaan", "aparatur", "negara", "reformasi", "birokrasi"),
}
_WORD = re.compile(r"[a-z0-9]+")
MAX_TERM = 64


def words(text: str) -> list[str]:
    """Lower-case ASCII words of `text`, accents and punctuation dropped ("Kab." -> "kab")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return [w[:MAX_TERM] for w in _WORD.findall(plain)]


def terms(*texts: str) -> set[str]:
    """The index terms of an agency's name and id: every word, and what its abbreviations
    stand for."""
    found: set[str] = set()
    for text in texts:
        for word in words(text):
            found.add(word)
            found.update(ABBREVIATIONS.get(word, ()))
    return found


def query_words(text: str, limit: int = 8) -> list[tuple[str, ...]]:
    """A query as words that must all match; each word as the alternatives that satisfy it
    (itself, or, for an abbreviation, the words it stands for one by one)."""
    out: list[tuple[str, ...]] = []
    for word in words(text)[:limit]:
        expanded = ABBREVIATIONS.get(word)
        if expanded and len(expanded) > 1:
            out.extend((w,) for w in expanded)  # "pemkab": "pemerintah" and "kabupaten"
        elif expanded:
            out.append((word, *expanded))  # "kab": "kab..." or "kabupaten"
        else:
            out.append((word,))
    return list(dict.fromkeys(out))


def prefixes(alternatives: Iterable[str]) -> list[tuple[str, str]]:
    """The term ranges [low, high) that a word's alternatives match as prefixes."""
    return [(a, a + "\U0010ffff") for a in alternatives]
