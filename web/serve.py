"""`pakta serve`: the site and API of an instance on a local HTTP server."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from registry.cli import Extra, instance_path
from web import create_app


def add_serve(p: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)

    def serve(args: argparse.Namespace) -> int:
        app = create_app({"PAKTA_INSTANCE": str(instance_path(args))})
        app.run(host=args.host, port=args.port, threaded=True)
        return 0

    return serve


COMMANDS: tuple[Extra, ...] = (("serve", "serve the site and API", add_serve),)
