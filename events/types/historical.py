"""Historical records: what was announced in public before Pakta existed, recorded by the
registrar from a public source (a press release, a news item) and not signed by the agency.

`zi.declaration_recorded` is the registrar's record of a Zona Integritas declaration it found in
a public source (`pakta import`, docs/import-csv.md): the day and target as the source reports
them, the source's address, date and headline. Its title says on every page that shows it that
it was recorded from a public source and is not signed by the agency; the agency confirms it by
signing its own `zi.declared` whose `confirms` names it, and from then on every page shows it
with `CONFIRMED_TITLE` and the confirming entry (the rules' `Link` of kind "confirmed"). It is
an ordinary entry of the agency's chain with no lifecycle change of its own
(registry/rules/types.py: a type without a rules entry).
"""

from __future__ import annotations

from ..catalog import StatementType, register
from ..checks import not_after_issue
from ..fragments import DATE, HTTPS_URL, LINE, closed

TYPE = "zi.declaration_recorded"
CONFIRMED_TITLE = {
    "id": "Pencanangan (dicatat dari sumber publik, dikonfirmasi oleh instansi)",
    "en": "Declaration (recorded from a public source, confirmed by the agency)",
}

register(
    StatementType(
        name=TYPE,
        title={
            "id": "Pencanangan (dicatat dari sumber publik, belum ditandatangani instansi)",
            "en": "Declaration (recorded from a public source, not yet signed by the agency)",
        },
        body_schema=closed(
            {
                "declared_on": DATE,
                "target": {"type": "string", "enum": ["WBK", "WBBM"]},
                "place": LINE,
                "source_url": HTTPS_URL,
                "source_date": DATE,
                "source_title": LINE,
            },
            optional=("target", "place"),
        ),
        signer_roles=frozenset({"registrar"}),
        rules=(not_after_issue("declared_on"), not_after_issue("source_date")),
        registry_rules=(
            "recorded by the registrar (pakta import); the agency confirms it with its own "
            "zi.declared naming it in confirms (once)",
        ),
        stage="commitment",
        example={
            "declared_on": "2020-06-17",
            "target": "WBK",
            "place": "Kantor BPS Kabupaten Grobogan",
            "source_url": "https://www.example.org/berita/pencanangan-zi-bps-grobogan",
            "source_date": "2020-06-18",
            "source_title": "BPS Grobogan canangkan Zona Integritas menuju WBK",
        },
    )
)
