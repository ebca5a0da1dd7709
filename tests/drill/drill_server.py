"""The server the crash drill kills: `python drill_server.py INSTANCE PORT` serves the site and
API of INSTANCE (`web.create_app`) on 127.0.0.1:PORT with Werkzeug's threaded server, as
`pakta serve` does today, until it is killed. Run as its own process so `kill -9` hits a real
server mid-request; independent of how `pakta serve` launches its server."""

from __future__ import annotations

import sys

from werkzeug.serving import make_server

from web import create_app


def main(instance: str, port: int) -> None:
    app = create_app({"PAKTA_INSTANCE": instance})
    server = make_server("127.0.0.1", port, app, threaded=True)
    print(f"serving {instance} on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
