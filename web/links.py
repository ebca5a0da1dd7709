"""Absolute links the site hands out to be kept (Atom feeds, the QR code, CSV and JSON Lines
rows, document look-ups): never built from the request's Host header.

A shared cache or a feed reader keeps these links, so a forged `Host:` (or one a proxy passes
on unchecked) must not end up in them. The base is the instance's `public_url` (`pakta init
--public-url`, or `public_url` in config.json), else the address the server is bound to, as
the WSGI server reports it in SERVER_NAME and SERVER_PORT (Werkzeug and gunicorn take both
from the listening socket, not from the request).
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from web.context import service


def base_url() -> str:
    """The site's public root without a trailing slash (scheme, host, port and any prefix)."""
    configured = service().instance.public_url
    if configured:
        return configured.rstrip("/")
    environ = request.environ
    scheme = environ.get("wsgi.url_scheme", "http")
    host = str(environ.get("SERVER_NAME") or "127.0.0.1")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 bind address (RFC 3986 §3.2.2)
    port = str(environ.get("SERVER_PORT") or "")
    default = {"http": "80", "https": "443"}.get(scheme)
    netloc = host if not port or port == default else f"{host}:{port}"
    return f"{scheme}://{netloc}{request.script_root}"


def site_path(endpoint: str, **values: Any) -> str:
    """`url_for(endpoint, **values)` below the site's root (without the mount prefix)."""
    path = url_for(endpoint, **values)
    root = request.script_root
    return path[len(root) :] if root and path.startswith(root) else path


def public_url_for(endpoint: str, **values: Any) -> str:
    """`url_for(endpoint, **values)` as an absolute link under `base_url()`."""
    return base_url() + site_path(endpoint, **values)
