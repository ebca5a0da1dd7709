"""Helpers for the site's tests: a demo registry, compiled catalogs, page weights."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from registry.write.instance import Instance

TRANSLATIONS = Path(__file__).resolve().parent.parent / "web" / "translations"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"  # gitignored
PAGE_BUDGET = 100 * 1024  # issue 5: at most 100 KB per page before images


def ensure_translations() -> None:
    """Compile each catalog as `make translations` does, if its .mo is missing or stale."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog)
        tmp.replace(mo)


def demo_instance(
    folder: Path, database_url: str | None = None, *, lifecycle: bool = False
) -> Instance:
    """A fresh instance holding the demo data: the seed agencies and their statements, and
    with `lifecycle` the whole demo lifecycle (designations, a revocation, overdue items).
    The site's own tests pin the seed-only numbers; lifecycle pages are tested with both."""
    from pakta_support import new_instance

    from registry.demo.loader import DemoLoader
    from registry.service import open_service

    instance = new_instance(folder, database_url)
    service = open_service(instance)
    try:
        DemoLoader(service.registry, instance.path, lifecycle=lifecycle).load()
    finally:
        service.close()
    return instance


RESULT_ROW = re.compile(
    r'<tr[^>]*><th scope="row"><a href="/agencies/([a-z0-9-]+)"><strong>(.*?)</tr>', re.S
)


def result_rows(client: Any, query: str) -> list[tuple[str, list[str]]]:
    """(agency, the text of its row's cells after the name) of every row of the results
    table `/agencies?query` lists, following its pages."""
    found: list[tuple[str, list[str]]] = []
    page = 1
    while True:
        text = client.get(f"/agencies?{query}&page={page}").get_data(as_text=True)
        for agency, row in RESULT_ROW.findall(text):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            words = [html.unescape(re.sub("<[^>]+>", " ", c)).split() for c in cells]
            found.append((agency, [" ".join(w) for w in words]))
        if 'rel="next"' not in text:
            return found
        page += 1


# The steps of a unit page's "Verify this page" (web/static/verify/unit-check.js).
UNIT_STEPS = ["checkpoint", "map", "chain", "signatures", "claims"]


def check_unit(page: Any, path: str, timeout: int = 60000) -> tuple[str, dict[str, str]]:
    """Open the unit page at `path`, run "Verify this page" and return its outcome and the
    state of each of its steps."""
    page.goto(path)
    page.click("#verify-unit-button")
    page.wait_for_selector("#verify-unit[data-outcome]", timeout=timeout)
    states = {
        step: page.get_attribute(f'#verify-unit li[data-step="{step}"]', "data-state") or ""
        for step in UNIT_STEPS
    }
    return page.get_attribute("#verify-unit", "data-outcome") or "", states


@contextmanager
def served(instance: Instance) -> Iterator[str]:
    """The site of `instance` on a live HTTP server: its URL, until the block ends."""
    from pakta_support import LiveServer

    from web import close_app

    app = demo_app(instance)
    server = LiveServer(app)
    try:
        yield server.url
    finally:
        server.close()
        close_app(app)


def demo_app(instance: Instance) -> Any:
    from web import create_app

    ensure_translations()
    return create_app({"TESTING": True, "PAKTA_INSTANCE": str(instance.path)})


@contextmanager
def watched_page(
    browser: Any, site: str, expected: Callable[[str], bool] = lambda error: False
) -> Iterator[Any]:
    """A page of `site` in Indonesian whose console errors and script errors fail the test
    when it closes, except those `expected` allows (a CSP violation shows up here too)."""
    context = browser.new_context(base_url=site, locale="id-ID")
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: errors.append(str(e)))
    yield opened
    context.close()
    assert not [e for e in errors if not expected(e)], errors


@contextmanager
def witnessed(instance: Instance, state: Path, name: str = "witness.test/w1") -> Iterator[str]:
    """A real C2SP witness (`registry.witness.server`) that `instance` requires (quorum 1),
    with the instance's newest checkpoint cosigned by it; yields its verifier key."""
    import threading

    from keys.ed25519 import generate
    from registry.cli import main
    from registry.service import open_service
    from registry.tlog.cosignature import CosignatureSigner
    from registry.witness.server import Witness, logs_from_vkeys, serve

    signer = CosignatureSigner(name, generate())
    witness = Witness(signer, state, logs_from_vkeys([instance.log_vkey]))
    server = serve(witness, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        argv = ["--instance", str(instance.path), "witness-add", url, signer.verifier_key()]
        assert main([*argv, "--quorum", "1"]) == 0
        service = open_service(instance)
        try:
            service.witnessing.collect()
            assert service.published_checkpoint() is not None
        finally:
            service.close()
        yield signer.verifier_key()
    finally:
        server.shutdown()
        server.server_close()


def english_words() -> set[str]:
    """The English words of the scripts' messages (templates/pages/_verify_words.html and the
    verify section's data attributes, through the English catalog) that no Indonesian message
    uses."""
    import re

    pages = TRANSLATIONS.parent / "templates" / "pages"
    ids: list[str] = []
    for name in ("_verify_words.html", "_verify_unit.html"):
        ids += re.findall(r"_\('([^']+)'", (pages / name).read_text())
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    english = " ".join(str(catalog[i].string) for i in ids if catalog.get(i))
    assert len(ids) > 60 and english
    indonesian = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", " ".join(ids))}
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", english)} - indonesian


def rewrite_page(page: Any, url: str, old: str, new: str) -> None:
    """A lying proxy for the pages matching the glob `url`: the first match of the pattern
    `old` replaced by `new` (the page must have one); other requests there pass unchanged."""
    import re

    def change(route: Any) -> None:
        if route.request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch()
        body, n = re.subn(old, new, response.text(), count=1)
        assert n == 1, old
        route.fulfill(response=response, body=body)

    page.route(url, change)
