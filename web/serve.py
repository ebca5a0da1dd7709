"""`pakta serve`: the site and API on gunicorn, the ecosystem's standard WSGI server.

By default it runs `--workers` processes (the CPU count) of gunicorn's threaded worker, each
opening the registry itself (no preloading: every worker has its own database pool), bound to
`--bind`, and `pakta writer` beside them appends every worker's POSTs (`web.writer`). `--dev` runs
Werkzeug's development server instead, with its reloader and debugger; that is the only way to
debug mode: nothing in the environment switches it on. The same app runs under any WSGI server:
`gunicorn 'web:create_app()'` with `PAKTA_INSTANCE` set.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from registry.cli import Extra, instance_path
from registry.write.instance import load_instance
from web import create_app, freeze_startup
from web.writer import COMMANDS as writer_commands
from web.writer import WriterHooks, add_batch_options


class Server(BaseApplication):  # type: ignore[misc]
    """gunicorn with its settings from `pakta serve`, building the app in each worker."""

    def __init__(self, config: dict[str, Any], options: dict[str, Any]) -> None:
        self.app_config = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(self.app_config)


def add_serve(p: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    p.add_argument("--bind", default="127.0.0.1:8000", help="address:port (default 127.0.0.1:8000)")
    p.add_argument("--port", type=int, help="shorthand for --bind 127.0.0.1:PORT")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="default: CPUs")
    p.add_argument("--threads", type=int, default=8, help="requests each worker serves at once")
    add_batch_options(p)
    p.add_argument(
        "--writer-process",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="start `pakta writer` beside the workers to append for them (default: yes)",
    )
    p.add_argument("--access-log", action="store_true", help="log every request to standard output")
    p.add_argument(
        "--dev",
        action="store_true",
        help="development only: Werkzeug's interactive debugger and reloader (never public)",
    )

    def serve(args: argparse.Namespace) -> int:
        bind = f"127.0.0.1:{args.port}" if args.port else args.bind
        config = {
            "PAKTA_INSTANCE": str(instance_path(args)),
            "BATCH_WINDOW_MS": args.batch_window_ms,
            "BATCH_MAX": args.batch_max,
            "THREADS": args.threads,
        }
        # Refuse a bad instance (files others can read, say) in one line, before listening.
        load_instance(instance_path(args)).check_private_files()
        if args.dev:
            host, _, port = bind.rpartition(":")
            # debug= is explicit, so FLASK_DEBUG (which app.run reads) cannot switch the
            # debugger on elsewhere; load_dotenv=False keeps a stray .env out of it.
            app = create_app(config)
            app.run(host=host, port=int(port), debug=True, threaded=True, load_dotenv=False)
            return 0
        options = {
            "bind": bind,
            "workers": args.workers,
            "worker_class": "gthread",
            "threads": args.threads,
            "timeout": 60,
            "graceful_timeout": 30,
            "accesslog": "-" if args.access_log else None,
            "post_worker_init": freeze_startup,
            # Not gunicorn's control socket (25.1+): one path per account, ~/.gunicorn, that a
            # second server on the host would take from the first.
            "control_socket_disable": True,
        }
        if args.writer_process:
            hooks = WriterHooks(instance_path(args), args.batch_window_ms, args.batch_max)
            options.update(hooks.options())
        Server(config, options).run()
        return 0

    return serve


COMMANDS: tuple[Extra, ...] = (
    ("serve", "serve the site and API (gunicorn)", add_serve),
    *writer_commands,
)
