"""`python -m registry.audit.worker IN OUT`: one audit worker process (`registry.audit.pool`),
reading tasks from file descriptor IN and writing results to OUT."""

from __future__ import annotations

import sys
from multiprocessing.connection import Connection

from registry.audit.pool import serve

if __name__ == "__main__":
    inbox, outbox = int(sys.argv[1]), int(sys.argv[2])
    serve(Connection(inbox, writable=False), Connection(outbox, readable=False))
