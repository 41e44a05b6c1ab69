"""Where the project's virtual environment lives, and keeping it in step with the lock."""

import hashlib
import os
import shutil
import sys
import tomllib
from pathlib import Path

from invoke import Context, Exit

ROOT = Path(__file__).resolve().parent.parent
VENV_VARIABLE = "UV_PROJECT_ENVIRONMENT"  # uv's own setting, so plain `uv` commands agree
DEFAULT_VENV = Path.home() / ".venvs" / "kedro-azureml-starter"
# What the environment is built from: a change to any of these means a rebuild.
LOCK_INPUTS = ("pyproject.toml", "uv.lock", ".pre-commit-config.yaml")
STAMP = ".workspace-stamp"


def venv_path() -> Path:
    """The venv's directory: $UV_PROJECT_ENVIRONMENT, or ~/.venvs/kedro-azureml-starter."""
    path = Path(os.environ.get(VENV_VARIABLE) or DEFAULT_VENV).expanduser()
    return path if path.is_absolute() else ROOT / path


def check_outside_repo(venv: Path) -> None:
    # The Azure ML SDK's code upload fails on the symlinks inside a venv (the seed's FAQ).
    if venv.resolve().is_relative_to(ROOT.resolve()):
        raise Exit(
            f"The virtual environment {venv} is inside the repository, where the Azure ML "
            f"code upload breaks on its symlinks. Set {VENV_VARIABLE} to a path outside "
            f"{ROOT}, e.g. {DEFAULT_VENV}.",
            code=2,
        )


def bin_path(name: str) -> Path:
    return venv_path() / "bin" / name


def environment() -> dict[str, str]:
    """Variables for every command run in the venv."""
    venv = venv_path()
    return {
        VENV_VARIABLE: str(venv),
        "VIRTUAL_ENV": str(venv),
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        # Kedro's telemetry never asks and never sends, here or in CI.
        "KEDRO_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "1",
    }


def uv_version() -> str:
    """The uv version pyproject.toml asks for, e.g. '0.13.8'."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        required = tomllib.load(file)["tool"]["uv"]["required-version"]
    return required.removeprefix("==")


def lock_digest() -> str:
    # The sync command counts too: a venv built with other flags is rebuilt.
    digest = hashlib.sha256(f"{uv_version()} {sync_command('uv')}".encode())
    for name in LOCK_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def is_current() -> bool:
    """True when the venv exists and was built from the current lock."""
    stamp = venv_path() / STAMP
    return bin_path("python").exists() and stamp.exists() and stamp.read_text() == lock_digest()


def uv_command(c: Context) -> str:
    """A uv of the required version, installed next to invoke if missing."""
    wanted = uv_version()
    uv = shutil.which("uv")
    if uv:
        found = c.run(f"{uv} --version", hide=True, warn=True).stdout.split()
        if found[1:2] == [wanted]:
            return uv
    c.run(f"{sys.executable} -m pip install --quiet uv=={wanted}")
    return f"{sys.executable} -m uv"


def sync_command(uv: str) -> str:
    """Install exactly what uv.lock holds; fail if pyproject.toml and the lock disagree."""
    # Compiled once here, because a process that may not write bytecode (as under
    # PYTHONDONTWRITEBYTECODE) would otherwise compile every module it imports, every run.
    return f"{uv} sync --locked --compile-bytecode"


def ensure(c: Context) -> Path:
    """Create or update the venv from the lock unless it is current; return its path."""
    venv = venv_path()
    check_outside_repo(venv)
    if is_current():
        return venv
    uv = uv_command(c)
    with c.cd(str(ROOT)):
        result = c.run(sync_command(uv), env=environment(), warn=True)
        if result.failed:
            raise Exit(
                f"`uv sync` could not build {venv} from uv.lock (output above). If you "
                "changed dependencies in pyproject.toml, run `uv lock` and commit uv.lock.",
                code=result.exited,
            )
        if (ROOT / ".git").exists():
            c.run(
                f"{bin_path('pre-commit')} install --install-hooks", env=environment(), hide="out"
            )
    (venv / STAMP).write_text(lock_digest())
    return venv
