"""Start the dashboard with its hardening, from any working folder: ``python -m dashboard [--data DIR]``.

Streamlit reads ``.streamlit/config.toml`` from the working folder only; these flags do not depend on
where the command is run. Any other ``streamlit run`` flag may follow (e.g. ``--server.port 8080``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.web import cli

import geodata

SERVER = Path(__file__).with_name("server.py")
# Every option here is also enforced by the server or the page itself; the flags make the first
# line of defence independent of the working folder.
HARDENED_FLAGS = (
    "--server.headless=true",
    f"--server.maxUploadSize={geodata.MAX_ARCHIVE_BYTES // 2**20}",
    "--client.showErrorDetails=none",
    "--client.toolbarMode=minimal",
    "--browser.gatherUsageStats=false",
)

# Unchanged elements are sent as a hash once the browser holds them, and no full garbage collection
# runs after every step (see .streamlit/config.toml).
PERFORMANCE_FLAGS = ("--global.minCachedMessageSize=100", "--runner.postScriptGC=false")


def main(argv: list[str] | None = None) -> None:
    """Run ``streamlit run dashboard/server.py`` with the hardened flags; ``--data DIR`` picks a record."""
    args = list(sys.argv[1:] if argv is None else argv)
    script_args: list[str] = []
    if "--data" in args:
        at = args.index("--data")
        script_args = args[at : at + 2]
        del args[at : at + 2]
    sys.argv = ["streamlit", "run", str(SERVER), *HARDENED_FLAGS, *PERFORMANCE_FLAGS, *args]
    if script_args:
        sys.argv += ["--", *script_args]
    cli.main()


if __name__ == "__main__":
    main()
