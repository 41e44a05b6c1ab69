"""Fixtures of the Azure tests: Azurite, and a configured project copy to work on."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.azure.azurite import Azurite, running_azurite
from tests.azure.settings import configure
from workspace_tasks import venv


@pytest.fixture
def azurite(tmp_path_factory, monkeypatch) -> Iterator[Azurite]:
    """A running Azurite with an empty container, and the environment pointing at it."""
    with running_azurite(monkeypatch) as server:
        yield server


@pytest.fixture
def configured(project: Path, monkeypatch) -> Path:
    """The project copy, configured, as the root every task works on."""
    configure(project)
    monkeypatch.setattr(venv, "ROOT", project)
    monkeypatch.chdir(project)
    return project
