"""`python -m registry.audit.worker IN OUT [IN OUT ...]`: the audit's worker processes
(`registry.audit.pool`), each reading tasks from file descriptor IN and writing results to
OUT. This process imports the audit once and forks a worker for each pair but the last,
which it serves itself; it exits when they all have (so their CPU time counts as its own).
"""

from __future__ import annotations

import gc
import os
import sys
from multiprocessing.connection import Connection

from registry.audit.pool import serve


def main(fds: list[int]) -> None:
    pairs = list(zip(fds[::2], fds[1::2], strict=True))
    # The imported modules are frozen (no collection walks them again, nor copies their pages
    # into a fork). A bundle's values all go when it is sent back, so the young generation
    # may hold a whole bundle (~5,000 containers) before it is collected: 2-4 % of a
    # worker's CPU went to collections that found nothing.
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
    children = []
    for i, (inbox, outbox) in enumerate(pairs[:-1]):
        pid = os.fork()  # no thread runs here yet: a fork copies only the imported audit
        if pid == 0:
            for j, pair in enumerate(pairs):
                if j != i:
                    for fd in pair:
                        os.close(fd)
            try:
                serve(Connection(inbox, writable=False), Connection(outbox, readable=False))
            finally:
                os._exit(0)
        children.append(pid)
    for pair in pairs[:-1]:
        for fd in pair:
            os.close(fd)
    inbox, outbox = pairs[-1]
    serve(Connection(inbox, writable=False), Connection(outbox, readable=False))
    for pid in children:
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]])
