"""Azurite, Microsoft's Azure Storage emulator, for the tests of the cloud catalog.

It runs on 127.0.0.1 and a free port, in memory; adlfs reaches it through
AZURE_STORAGE_CONNECTION_STRING, the variable it reads anyway, so the cloud environment
needs no code path of its own. Without Azurite a test skips, but under CI it fails.
"""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from adlfs import AzureBlobFileSystem

PREFIX = Path(os.environ.get("AZURITE_PREFIX", "/opt/azurite"))  # where .ci/run installs it
ACCOUNT = "devstoreaccount1"
# Azurite's published development key, the same for every installation.
KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"  # pragma: allowlist secret
    "K1SZFPTOtr/KBHBeksoGMGw=="  # pragma: allowlist secret
)
CONTAINER = "starter-data"


def unavailable(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where everything must run."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Azurite exited: {process.stdout.read()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"Azurite did not listen on port {port} within {timeout} s")


@dataclass
class Azurite:
    process: subprocess.Popen
    connection_string: str

    def filesystem(self) -> AzureBlobFileSystem:
        return AzureBlobFileSystem(
            connection_string=self.connection_string, skip_instance_cache=True
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextmanager
def running_azurite(monkeypatch) -> Iterator[Azurite]:
    """A running Azurite with an empty container CONTAINER, and the env pointing at it."""
    program = shutil.which("azurite-blob") or PREFIX / "node_modules" / ".bin" / "azurite-blob"
    if not Path(program).exists():
        unavailable(f"Azurite is not installed (.ci/run installs it into {PREFIX})")
    port = _free_port()
    process = subprocess.Popen(
        [
            *(str(program), "--blobHost", "127.0.0.1", "--blobPort", str(port)),
            *("--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--loose"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Azurite(
        process,
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
        f"BlobEndpoint=http://127.0.0.1:{port}/{ACCOUNT};",
    )
    try:
        _wait_for(port, process)
        monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", server.connection_string)
        # fsspec caches filesystems by their arguments, which do not include this variable.
        AzureBlobFileSystem.clear_instance_cache()
        server.filesystem().mkdir(CONTAINER)
        yield server
    finally:
        server.stop()
        process.stdout.close()
        AzureBlobFileSystem.clear_instance_cache()
