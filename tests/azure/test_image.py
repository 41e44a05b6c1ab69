"""The environment image: the Dockerfile's install gives the run-time group of the lock."""

import re
import shutil
import subprocess
from pathlib import Path

from workspace_tasks import venv

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_the_dockerfile_is_hadolint_clean():
    result = subprocess.run(
        [str(venv.bin_path("hadolint")), "Dockerfile"], cwd=ROOT, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_the_image_is_python_311_slim_run_as_a_non_root_user():
    assert re.search(r"^FROM python:3\.11-slim$", DOCKERFILE, re.MULTILINE)
    assert re.search(r"^USER 1000$", DOCKERFILE, re.MULTILINE)
    assert (ROOT / ".dockerignore").read_text().split("\n*\n")[1].split() == [
        "!pyproject.toml",
        "!uv.lock",
    ]


def _uv() -> str:
    uv = shutil.which("uv")  # `invoke setup` puts the required uv on the PATH
    assert uv, "uv is not on the PATH: run `invoke setup`"
    return uv


def _installed(python: Path) -> dict[str, str]:
    listing = subprocess.run(
        [_uv(), "pip", "list", "--format", "freeze", "--python", str(python)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.split("==", 1) for line in listing.splitlines() if "==" in line)


def test_the_dockerfiles_install_is_the_run_time_group_at_the_venvs_versions(tmp_path):
    """The Dockerfile's own `uv sync` line, run here into a fresh environment."""
    (command,) = re.findall(r"^RUN (uv sync [^\\\n]+)", DOCKERFILE, re.MULTILINE)
    for name in ("pyproject.toml", "uv.lock"):  # the whole build context (.dockerignore)
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    env = {**venv.environment(), "UV_PROJECT_ENVIRONMENT": str(tmp_path / "image")}
    subprocess.run(
        # The cache is the build's business, not what gets installed: use the local one.
        [_uv(), *(arg for arg in command.split()[1:] if arg != "--no-cache"), "--quiet"],
        cwd=tmp_path,
        env=env,
        check=True,
    )

    image = _installed(tmp_path / "image" / "bin" / "python")
    local = _installed(venv.bin_path("python"))
    assert {"kedro", "kedro-azureml", "adlfs", "azure-ai-ml", "scikit-learn"} <= set(image)
    assert not {"pytest", "ruff", "jupyterlab", "pre-commit", "kedro-viz", "invoke"} & set(image)
    assert all(local[name] == version for name, version in image.items())


def test_the_image_uses_the_uv_version_pyproject_requires():
    (tag,) = re.findall(r"ghcr\.io/astral-sh/uv:(\S+) ", DOCKERFILE)

    assert tag == venv.uv_version()
