"""gunicorn settings for Pakta behind nginx: copy to /etc/pakta/gunicorn.conf.py.

Run by deploy/systemd/pakta.service as `gunicorn --config /etc/pakta/gunicorn.conf.py`, with
`PAKTA_INSTANCE` naming the instance folder (`pakta init` made it; on PostgreSQL its
`config.json` holds the database URL). Each worker opens the registry itself (no preloading):
its own database pool; `pakta writer`, started by the hooks at the end, holds the instance's
`run/writer.lock` and appends what every worker of this host is sent (registry/write/relay.py),
and several hosts share one PostgreSQL database, sequenced by its advisory lock. Check with
`gunicorn --check-config --config deploy/gunicorn.conf.py`.
"""

import os

wsgi_app = "web:create_app()"
# nginx on the same host proxies here (deploy/nginx/pakta.conf); never expose it directly.
bind = os.environ.get("PAKTA_BIND", "127.0.0.1:8000")
# One worker per core; each serves `threads` requests at once and has its own database pool
# (at most 2 x threads + 4 connections, 20 with 8 threads: deploy/postgresql/pakta.conf counts
# them).
workers = int(os.environ.get("PAKTA_WORKERS", os.cpu_count() or 1))
worker_class = "gthread"
threads = int(os.environ.get("PAKTA_THREADS", "8"))
preload_app = False
timeout = 60
graceful_timeout = 30
keepalive = 5
# nginx is the only client: trust its X-Forwarded-Proto (https) and nobody else's.
forwarded_allow_ips = "127.0.0.1,::1"
# The workers' heartbeat files: in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm"
# nginx keeps the access log; gunicorn writing one too costs ~9% of request CPU.
accesslog = os.environ.get("PAKTA_ACCESS_LOG") or None
errorlog = "-"
loglevel = "info"
proc_name = "pakta"
# systemctl manages the server (reload, stop), not gunicorn's control socket (25.1+), which
# would sit in the account's home: ProtectHome in deploy/systemd/pakta.service hides it.
control_socket_disable = True

# One process beside the workers that only appends (web/writer.py, `pakta writer`): the workers
# hand it their POSTs, so the append has a core of its own. Started with gunicorn, started again
# on `systemctl reload pakta` (so new code appends after an upgrade), stopped on exit; if it
# stops, a worker takes over.
from web import freeze_startup  # noqa: E402
from web.writer import WriterHooks  # noqa: E402

# A worker hides what it built at start-up from the cyclic collector (a full collection of it
# stopped every request thread for ~80 ms: web.freeze_startup).
post_worker_init = freeze_startup

_writer = WriterHooks()
on_starting = _writer.on_starting
on_reload = _writer.on_reload
on_exit = _writer.on_exit
