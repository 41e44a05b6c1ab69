"""The devcontainer config: the official schema, offline, and this project's own rules."""

import os
import tomllib
from pathlib import Path, PurePosixPath

import pytest

from workspace_tasks import devcontainer, venv

ROOT = Path(__file__).resolve().parent.parent
PORTS = {4141: "kedro-viz", 8888: "JupyterLab", 5000: "MLflow"}
LIFECYCLE = ("onCreateCommand", "updateContentCommand", "postCreateCommand")


def skip_or_fail(reason: str) -> None:
    """Outside CI a missing prerequisite skips; under CI=true it fails."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def config() -> dict:
    return devcontainer.load_config()


@pytest.fixture
def schema() -> Path:
    path = devcontainer.schema_path()
    if not path.exists():
        skip_or_fail(f"the Dev Container schema is not at {path} (shared/schemas beside the clone)")
    return path


def test_the_config_matches_the_dev_container_schema(config, schema):
    assert devcontainer.schema_errors(config, schema) == []


def test_the_schema_check_catches_a_broken_config(config, schema):
    broken = {**config, "forwardPorts": ["kedro-viz"], "hostRequirements": {"cpus": "four"}}

    errors = devcontainer.schema_errors(broken, schema)

    assert any(error.startswith("forwardPorts/0") for error in errors), errors
    assert any(error.startswith("hostRequirements/cpus") for error in errors), errors


@pytest.mark.parametrize("ci", ["true", ""])
def test_a_missing_schema_fails_under_ci_and_skips_elsewhere(monkeypatch, tmp_path, capsys, ci):
    monkeypatch.setattr(devcontainer, "schema_path", lambda: tmp_path / "nowhere.json")
    monkeypatch.setenv("CI", ci)

    assert devcontainer.main() == (1 if ci else 0)
    printed = capsys.readouterr()
    assert "nowhere.json not found" in printed.out + printed.err


def test_the_base_image_is_python_311_on_bookworm(config):
    assert config["image"] == "mcr.microsoft.com/devcontainers/python:3-3.11-bookworm"


def test_the_features_bring_az_ml_docker_node_and_the_locked_uv(config):
    features = config["features"]

    assert features["ghcr.io/devcontainers/features/azure-cli:1"]["extensions"] == "ml"
    assert "ghcr.io/devcontainers/features/docker-in-docker:2" in features
    assert features["ghcr.io/devcontainers/features/node:1"]["version"] == "20"  # Azurite 3.35
    assert features["ghcr.io/va-h/devcontainers-features/uv:1"]["version"] == venv.uv_version()


def test_the_venv_is_outside_the_workspace_and_on_path(config):
    path = PurePosixPath(config["containerEnv"][venv.VENV_VARIABLE])
    settings = config["customizations"]["vscode"]["settings"]

    assert path.is_absolute()
    assert path.is_relative_to(f"/home/{config['remoteUser']}")
    assert not path.is_relative_to("/workspaces")  # where Codespaces and VS Code mount the clone
    assert path.name == venv.DEFAULT_VENV.name
    assert config["remoteEnv"]["PATH"].startswith(f"${{containerEnv:{venv.VENV_VARIABLE}}}/bin:")
    assert settings["python.defaultInterpreterPath"] == str(path / "bin" / "python")


def test_the_three_ports_are_forwarded_with_labels(config):
    assert sorted(config["forwardPorts"]) == sorted(PORTS)
    for port, label in PORTS.items():
        assert label in config["portsAttributes"][str(port)]["label"]


@pytest.mark.parametrize("command", LIFECYCLE)
def test_each_lifecycle_script_exists_and_is_executable(config, command):
    script = ROOT / config[command]

    assert script.is_file()
    assert os.access(script, os.X_OK), f"chmod +x {config[command]}"
    lines = script.read_text().splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines


def test_the_extensions_cover_python_jupyter_ruff_containers_azure_ml_and_kedro(config):
    assert set(config["customizations"]["vscode"]["extensions"]) >= {
        "ms-python.python",
        "ms-toolsai.jupyter",
        "charliermarsh.ruff",
        "ms-azuretools.vscode-containers",
        "ms-toolsai.vscode-ai",
        "kedro.Kedro",
    }


def test_the_editor_formats_like_the_ruff_config(config):
    ruff = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    python = config["customizations"]["vscode"]["settings"]["[python]"]

    assert python["editor.defaultFormatter"] == "charliermarsh.ruff"
    assert python["editor.formatOnSave"] is True
    assert python["editor.rulers"] == [ruff["line-length"]]


def test_the_host_is_sized_for_docker_builds_next_to_jupyterlab(config):
    assert config["hostRequirements"]["cpus"] >= 4
    assert int(config["hostRequirements"]["memory"].removesuffix("gb")) >= 8


def test_azurite_is_installed_where_the_tests_look_and_is_on_path(config):
    prefix = PurePosixPath(config["containerEnv"]["AZURITE_PREFIX"])

    assert prefix.is_relative_to(f"/home/{config['remoteUser']}")  # no sudo needed
    assert "${containerEnv:AZURITE_PREFIX}/node_modules/.bin:" in config["remoteEnv"]["PATH"]
    assert '"${prefix}/node_modules/.bin/azurite"' in (ROOT / config["onCreateCommand"]).read_text()
