"""Azurite, Microsoft's Azure Storage emulator, started on 127.0.0.1 and a free port.

Shared by `invoke azure-rehearse` and the tests. adlfs reads
AZURE_STORAGE_CONNECTION_STRING, so pointing that variable at the emulator is all the
cloud catalog needs. Standard library only: task code imports it before the venv exists.
"""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = Path(os.environ.get("AZURITE_PREFIX", "/opt/azurite"))  # where .ci/run installs it
ACCOUNT = "devstoreaccount1"
# Azurite's published development key, the same for every installation.
KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"  # pragma: allowlist secret
    "K1SZFPTOtr/KBHBeksoGMGw=="  # pragma: allowlist secret
)


def program() -> Path | None:
    """The azurite-blob executable, on PATH or where .ci/run installs it; None if neither."""
    found = shutil.which("azurite-blob") or PREFIX / "node_modules" / ".bin" / "azurite-blob"
    return Path(found) if Path(found).exists() else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def connection_string(port: int) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
        f"BlobEndpoint=http://127.0.0.1:{port}/{ACCOUNT};"
    )


def command(executable: Path, port: int) -> list[str]:
    return [
        *(str(executable), "--blobHost", "127.0.0.1", "--blobPort", str(port)),
        *("--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--loose"),
    ]


def wait_for(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Azurite exited: {process.stdout.read()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"Azurite did not listen on port {port} within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)
    process.stdout.close()


@contextmanager
def running(executable: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """Azurite in memory on a free port: (its process, its connection string); stopped after."""
    port = free_port()
    process = subprocess.Popen(
        command(executable, port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_for(port, process)
        yield process, connection_string(port)
    finally:
        stop(process)
