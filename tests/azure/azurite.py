"""Azurite, Microsoft's Azure Storage emulator, for the tests of the cloud catalog.

It runs on 127.0.0.1 and a free port, in memory; adlfs reaches it through
AZURE_STORAGE_CONNECTION_STRING, the variable it reads anyway, so the cloud environment
needs no code path of its own. Without Azurite a test skips, but under CI it fails.
"""

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from adlfs import AzureBlobFileSystem

from workspace_tasks import azurite
from workspace_tasks.azurite import ACCOUNT, KEY, PREFIX  # noqa: F401 (the tests' names)

CONTAINER = "starter-data"


def unavailable(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where everything must run."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


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
    program = azurite.program()
    if program is None:
        unavailable(f"Azurite is not installed (.ci/run installs it into {PREFIX})")
    with azurite.running(program) as (process, connection_string):
        server = Azurite(process, connection_string)
        try:
            monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", server.connection_string)
            # fsspec caches filesystems by their arguments, which do not include this variable.
            AzureBlobFileSystem.clear_instance_cache()
            server.filesystem().mkdir(CONTAINER)
            yield server
        finally:
            AzureBlobFileSystem.clear_instance_cache()
