"""`pakta`: the registry's command line plus the commands that need the web layer (`serve`).

`registry.cli` owns every command but these; it never imports `web`, so this entry point
hands it the extra ones.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from registry.cli import main as registry_main
from web.serve import COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    return registry_main(argv, extra=COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
