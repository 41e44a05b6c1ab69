"""Starting the workspace's servers for real in tests, on free loopback ports."""

import io
import os
import shlex
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image

CHROMIUM = Path("/usr/bin/chromium")
# What Debian's chromium needs to start headless here: without the background-networking
# flags it waits on the closed network.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def unavailable(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where everything must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (.ci/run installs it)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(command: str, url: str, cwd: Path, timeout: float = 120) -> Iterator[str]:
    """Run `command` until `url` answers 200; yield the url; stop the server after."""
    log = cwd / f"server-{time.monotonic_ns()}.log"
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"}
    with log.open("w") as out:
        process = subprocess.Popen(
            shlex.split(command), cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                pytest.fail(f"{command} exited with {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{url} did not answer in {timeout} s:\n{log.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def check_screenshot(shot: bytes, keep_as: Path) -> None:
    """A page's screenshot is the expected size and not blank; with UPDATE_SCREENSHOTS set,
    it becomes the documentation's picture `keep_as`."""
    with Image.open(io.BytesIO(shot)) as image:
        assert image.size == (1400, 900)
        assert len(image.convert("RGB").getcolors(1 << 16) or range(1 << 16)) > 50  # not blank
    if os.environ.get("UPDATE_SCREENSHOTS"):
        keep_as.parent.mkdir(parents=True, exist_ok=True)
        keep_as.write_bytes(shot)
