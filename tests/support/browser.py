"""Start a Streamlit app and Debian's Chromium for browser tests and benchmarks (no network needed).

Imported as ``tests.support.browser`` from the repository root: ``python -m pytest`` and
``python -m benchmarks`` both put it on the path.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Playwright

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "server.py"
# Without the background-networking flags Chromium keeps trying to reach Google on a closed network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
LOCAL_PREFIXES = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")
# Found by its source: the map sets the frame's title to the day it shows.
MAP_FRAME = 'iframe[src*="/component/streamlit_folium.st_folium/"]'


def chromium_path() -> str:
    """The system Chromium; Playwright's own browser download does not work offline."""
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        raise RuntimeError(
            "Chromium is not installed: run scripts/install-chromium.sh (make test does)."
        )
    return path


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless system Chromium with the flags this machine needs."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_app(
    script: Path = APP,
    *,
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> Iterator[str]:
    """Run ``streamlit run script`` on a free port; yield its base URL, and stop it afterwards.

    The server keeps its uploads in a temporary folder of its own, removed afterwards.
    """
    port = free_port()
    store = tempfile.TemporaryDirectory(prefix="kz-store-")
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", *(("--", *args) if args else ()),
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "KZ_STORE_DIR": store.name, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, timeout)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        store.cleanup()


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not become healthy within {timeout} s")
