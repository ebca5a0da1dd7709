"""deploy/nginx/pakta-mirror.conf gives every file of a real export the cache rule the README
promises: a year (immutable) for full tiles and entry bundles, /checkpoints/<n> and full history
pages; no-cache for /checkpoint, partial tiles and the history page being filled; 404 for
anything else. Checked with a small parser of nginx's syntax and its location matching, and,
where nginx is installed, by serving the export with nginx itself and auditing it over HTTP."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from audit_support import grow, register
from pakta_support import Agent, new_instance

from registry.audit.export import export
from registry.cli import main
from registry.service import open_service

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
YEAR = "public, max-age=31536000, immutable"


def tokens(text: str) -> Iterator[str]:
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|#[^\n]*|[{};]|[^\s{};"\'#]+', text):
        token = match.group(0)
        if token.startswith("#"):
            continue
        yield token[1:-1] if token[0] in "\"'" else token


@dataclass
class Block:
    name: str
    args: list[str]
    children: list[Block]


def parse(text: str) -> list[Block]:
    """nginx's configuration syntax: directives end in ';', blocks are braced."""
    stack: list[list[Block]] = [[]]
    words: list[str] = []
    for token in tokens(text):
        if token == ";":
            stack[-1].append(Block(words[0], words[1:], []))
            words = []
        elif token == "{":
            block = Block(words[0], words[1:], [])
            stack[-1].append(block)
            stack.append(block.children)
            words = []
        elif token == "}":
            assert not words, f"unterminated directive {words}"
            stack.pop()
        else:
            words.append(token)
    assert len(stack) == 1 and not words
    return stack[0]


def locate(locations: list[Block], uri: str) -> Block:
    """nginx's choice of location: an exact match; else the longest prefix, unless a regex
    (tried in order) matches first."""
    exact = [b for b in locations if b.args[0] == "=" and b.args[1] == uri]
    if exact:
        return exact[0]
    prefixes = [b for b in locations if len(b.args) == 1 and uri.startswith(b.args[0])]
    for block in locations:
        if block.args[0] in ("~", "~*"):
            flags = re.IGNORECASE if block.args[0] == "~*" else 0
            if re.search(block.args[1], uri, flags):
                return block
    assert prefixes, uri
    return max(prefixes, key=lambda b: len(b.args[0]))


def header(block: Block, name: str) -> str | None:
    for child in block.children:
        if child.name == "add_header" and child.args[0].lower() == name.lower():
            return child.args[1]
    return None


def expected(path: str) -> str:
    if path == "checkpoint" or re.search(r"\.p/\d+$|\.p\.json$", path):
        return "no-cache"
    if path in ("log-key", "registrar-keys.json"):
        return "public, max-age=300"
    return YEAR


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nginx")
    service = open_service(new_instance(folder / "i", f"sqlite:///{folder / 'db'}"))
    try:
        busy, other = Agent("pemkab-sibuk"), Agent("pemkab-lain")
        register(service, [busy, other])
        grow(service, [busy], 300, batch=64)
        grow(service, [other], 3)
        export(service.registry, folder / "mirror")
    finally:
        service.close()
    return folder / "mirror"


def test_every_exported_file_gets_its_cache_rule(mirror: Path) -> None:
    rules = parse((DEPLOY / "pakta-mirror.conf").read_text())
    locations = [b for b in rules if b.name == "location"]
    files = sorted(p.relative_to(mirror).as_posix() for p in mirror.rglob("*") if p.is_file())
    kinds = {"full tile": 0, "partial tile": 0, "full page": 0, "partial page": 0}
    for path in files:
        block = locate(locations, "/" + path)
        assert block.args != ["/"], f"/{path} would be a 404"
        assert header(block, "Cache-Control") == expected(path), path
        assert header(block, "Access-Control-Allow-Origin") == "*"
        if path.startswith("tile/"):
            kinds["partial tile" if ".p/" in path else "full tile"] += 1
        if path.startswith("histories/"):
            kinds["partial page" if path.endswith(".p.json") else "full page"] += 1
    assert all(kinds.values()), kinds  # the export had one of each
    strays = ["/", "/tile/0/", "/tile/0/000.tmp", "/histories/a/0.json.tmp", "/checkpoint.tmp",
              "/checkpoints/", "/tile/1/00", "/state.json", "/tile/entries/000.p/3/x"]  # fmt: skip
    for stray in strays:
        assert locate(locations, stray).args == ["/"], stray


def test_the_site_proxies_to_gunicorn_and_takes_whole_statements() -> None:
    site = parse((DEPLOY / "pakta.conf").read_text())
    upstream = next(b for b in site if b.name == "upstream")
    assert [c.args for c in upstream.children if c.name == "server"] == [["127.0.0.1:8000"]]
    servers = [b for b in site if b.name == "server"]

    def named(name: str, directive: str) -> list[str]:
        server = next(s for s in servers if any(c.args == [name] for c in s.children))
        return [c.args[0] for c in server.children if c.name == directive]

    # web/__init__.py: MAX_CONTENT_LENGTH = 256 * 1024
    assert named("pakta.example.go.id", "client_max_body_size") == ["256k"]
    includes = named("mirror.pakta.example.go.id", "include")
    assert [i for i in includes if i.endswith("/pakta-mirror.conf")]
    for server in servers:
        listens = [c.args for c in server.children if c.name == "listen"]
        if any("443" in args[0] for args in listens):
            assert all("ssl" in args for args in listens)


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.integration
@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian: apt-get install nginx)")
def test_nginx_serves_the_mirror_with_these_headers_and_it_audits_clean(
    mirror: Path, tmp_path: Path
) -> None:
    assert NGINX is not None
    port = free_port()
    mime = Path("/etc/nginx/mime.types")
    (tmp_path / "logs").mkdir()
    # As root, nginx's workers would run as "nobody", who cannot read pytest's folders.
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(f"""
        {user}
        pid {tmp_path}/nginx.pid;
        error_log {tmp_path}/logs/error.log;
        events {{}}
        http {{
            {"include " + str(mime) + ";" if mime.exists() else ""}
            access_log off;
            client_body_temp_path {tmp_path}/body;
            proxy_temp_path {tmp_path}/proxy;
            fastcgi_temp_path {tmp_path}/fastcgi;
            uwsgi_temp_path {tmp_path}/uwsgi;
            scgi_temp_path {tmp_path}/scgi;
            server {{
                listen 127.0.0.1:{port};
                root {mirror};
                include {DEPLOY / "pakta-mirror.conf"};
            }}
        }}
    """)
    errors = str(tmp_path / "logs" / "error.log")
    config = ["-p", str(tmp_path), "-e", errors, "-c", str(tmp_path / "nginx.conf")]
    subprocess.run([NGINX, "-t", *config], check=True, capture_output=True, timeout=60)
    server = subprocess.Popen([NGINX, *config, "-g", "daemon off;"])
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/checkpoint", timeout=1).close()
                break
            except OSError:  # refused, reset or timed out: not up yet
                time.sleep(0.1)
        paths = sorted(p.relative_to(mirror).as_posix() for p in mirror.rglob("*") if p.is_file())
        for path in paths:
            with urllib.request.urlopen(f"{url}/{path}") as response:
                assert response.headers["Cache-Control"] == expected(path), path
                assert response.read() == (mirror / path).read_bytes()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url + "/")
        assert main(["audit", url]) == 0
    finally:
        server.terminate()
        server.wait(timeout=30)
