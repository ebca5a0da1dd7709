"""The fuzz harness: a real HTTP server whose every answer is checked, and schemathesis
driving it from the served OpenAPI document.

`Observer` wraps the app's WSGI callable on the server side and checks each request as it
happens, whatever schemathesis itself checks: no status >= 500; every error under /api/ an
RFC 9457 problem (application/problem+json with type, title, status and detail, status equal
to the HTTP status); and a rejected request (status >= 400) leaves the log as it found it
(same size, same newest checkpoint). Requests pass one at a time, so "before" and "after"
belong to that request alone. `run_schemathesis` runs the schemathesis CLI (all its checks;
tests/api/schemathesis.toml) against the server's /api/v1/openapi.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
PROBLEM = "application/problem+json"


@dataclass
class Observer:
    """WSGI middleware that counts every request and records every broken promise."""

    app: Callable[..., Iterable[bytes]]
    registry: Any
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def log_state(self) -> tuple[int, str | None]:
        return self.registry.size(), self.registry.checkpoint()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)
            return start_response(status, headers, *rest)

        with self.lock:
            before = self.log_state()
            result = self.app(environ, capture)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            after = self.log_state()
            self.check(environ, seen["status"], seen["headers"], body, before, after)
        return [body]

    def check(
        self,
        environ: dict[str, Any],
        status: int,
        headers: dict[str, str],
        body: bytes,
        before: tuple[int, str | None],
        after: tuple[int, str | None],
    ) -> None:
        self.requests += 1
        self.statuses[status] += 1
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        what = f"{method} {path!r}?{environ.get('QUERY_STRING', '')[:200]!r} -> {status}"
        if status >= 500:
            self.violations.append(f"server error: {what}: {body[:300]!r}")
        if status >= 400 and before != after:
            self.violations.append(f"log changed by a rejected request: {what}: {before[0]}")
        if status >= 400 and path.startswith("/api/") and method != "HEAD":
            problem = problem_error(status, headers, body)
            if problem:
                self.violations.append(f"not RFC 9457 ({problem}): {what}: {body[:300]!r}")

    def summary(self) -> str:
        return f"{self.requests} requests, statuses {dict(sorted(self.statuses.items()))}"


def problem_error(status: int, headers: dict[str, str], body: bytes) -> str | None:
    """What is wrong with this error as an RFC 9457 problem, or None."""
    content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    if content_type.split(";")[0].strip() != PROBLEM:
        return f"content type {content_type!r}"
    try:
        found = json.loads(body)
    except ValueError:
        return "body is not JSON"
    if not isinstance(found, dict):
        return "body is not an object"
    for name, kind in (("type", str), ("title", str), ("status", int), ("detail", str)):
        if not isinstance(found.get(name), kind):
            return f"no {name}"
    return None if found["status"] == status else f"status {found['status']} != {status}"


def run_schemathesis(
    url: str, cwd: Path, *, examples: int, seed: int, workers: int = 1
) -> subprocess.CompletedProcess[str]:
    """The schemathesis CLI with every check against `url`/api/v1/openapi.json (its files,
    if any, go to `cwd`)."""
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--workers",
        str(workers),
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
    ]
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=cwd, timeout=6 * 3600, check=False
    )
