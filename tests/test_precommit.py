"""pre-commit runs the tools uv.lock pins, and catches what it is there to catch."""

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def locked_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {package["name"]: package["version"] for package in lock["package"]}


def hook_pins() -> list[tuple[str, str]]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    return [
        tuple(requirement.split("=="))
        for repo in config["repos"]
        for hook in repo["hooks"]
        for requirement in hook.get("additional_dependencies", [])
    ]


@pytest.mark.parametrize(("name", "version"), hook_pins())
def test_each_hook_runs_the_version_the_lock_pins(name, version):
    assert locked_versions()[name] == version, f"update {name} in .pre-commit-config.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A scratch git repository with this project's hooks."""
    for name in (".pre-commit-config.yaml", ".secrets.baseline", "pyproject.toml"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def pre_commit(repo: Path, path: str, content: str) -> subprocess.CompletedProcess:
    (repo / path).write_text(content)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    return subprocess.run(
        ["pre-commit", "run", "--files", path], cwd=repo, capture_output=True, text=True
    )


def test_clean_code_passes(repo):
    result = pre_commit(repo, "clean.py", 'print("hello")\n')

    assert result.returncode == 0, result.stdout


def test_a_storage_key_is_caught(repo):
    key = "AccountKey=" + "q" * 20 + "Zm9vYmFyYmF6cXV4cXV1eA" + "8" * 44 + "=="

    result = pre_commit(repo, "settings.py", f'CONNECTION = "{key}"\n')

    assert result.returncode != 0
    assert re.search(r"no secrets\.+Failed", result.stdout)


def test_a_notebook_with_outputs_is_caught(repo):
    notebook = (
        '{"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["1"],'
        ' "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},'
        ' "data": {"text/plain": ["1"]}}]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )

    result = pre_commit(repo, "explore.ipynb", notebook)

    assert result.returncode != 0
    assert re.search(r"notebook outputs stripped\.+Failed", result.stdout)
