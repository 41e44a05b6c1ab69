"""The devcontainer's lifecycle scripts, run for real on this machine (no Docker needed):
a fresh copy of the project, a temporary HOME standing in for /home/vscode, the
environment devcontainer.json sets. Warm caches (uv, pre-commit, npm) are shared so the
one full venv build this takes stays around half a minute."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workspace_tasks import devcontainer, doctor, venv

ROOT = Path(__file__).resolve().parent.parent
LIFECYCLE = ("onCreateCommand", "updateContentCommand", "postCreateCommand")


def real_cache(variable: str, default: Path) -> str:
    return os.environ.get(variable) or str(default)


def container_environment(config: dict, home: Path) -> dict[str, str]:
    """What a lifecycle command sees: containerEnv and remoteEnv, with HOME for /home/vscode."""
    user_home = f"/home/{config['remoteUser']}"
    container = {
        name: value.replace(user_home, str(home)) for name, value in config["containerEnv"].items()
    }
    # The machine's PATH without this test run's venv, and with the Python the venv came
    # from first (what the image's python3 is in the container).
    ours = str(Path(sys.prefix) / "bin")
    machine_path = os.pathsep.join(
        [
            str(Path(sys._base_executable).parent),
            *(folder for folder in os.environ["PATH"].split(os.pathsep) if folder != ours),
        ]
    )
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("VIRTUAL_ENV", venv.VENV_VARIABLE)
    }
    env |= container
    env |= {
        "HOME": str(home),
        "UV_CACHE_DIR": real_cache("UV_CACHE_DIR", Path.home() / ".cache" / "uv"),
        "PRE_COMMIT_HOME": real_cache("PRE_COMMIT_HOME", Path.home() / ".cache" / "pre-commit"),
        "npm_config_cache": real_cache("npm_config_cache", Path.home() / ".npm"),
    }
    installed = Path(os.environ.get("AZURITE_PREFIX") or doctor.DEFAULT_AZURITE_PREFIX)
    if (installed / "node_modules" / ".bin" / "azurite").exists():
        env["AZURITE_PREFIX"] = str(installed)  # as in a container created before
    env["PATH"] = re.sub(
        r"\$\{containerEnv:(\w+)\}",
        lambda match: machine_path if match[1] == "PATH" else env[match[1]],
        config["remoteEnv"]["PATH"],
    )
    return env


@pytest.fixture
def workspace(project: Path) -> Path:
    """A fresh clone, as Codespaces mounts it."""
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    return project


def create(workspace: Path, config: dict, env: dict[str, str]) -> dict[str, str]:
    """Run the lifecycle commands in order, as the container's creation does; their output."""
    printed = {}
    for command in LIFECYCLE:
        result = subprocess.run(
            [str(workspace / config[command])],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"{config[command]} failed:\n{result.stdout}{result.stderr}"
        printed[command] = result.stdout + result.stderr
    return printed


def symlinks(tree: Path) -> list[Path]:
    return [
        path
        for path in tree.rglob("*")
        if path.is_symlink() and ".git" not in path.relative_to(tree).parts
    ]


def test_the_lifecycle_scripts_build_the_venv_outside_the_workspace_once(
    workspace, tmp_path_factory
):
    config = devcontainer.load_config()
    home = tmp_path_factory.mktemp("home")  # beside the workspace (which is tmp_path)
    env = container_environment(config, home)
    built = Path(env[venv.VENV_VARIABLE])

    first = create(workspace, config, env)

    assert (built / "bin" / "python").exists(), first
    assert built.is_relative_to(home)
    assert not built.resolve().is_relative_to(workspace.resolve())
    assert symlinks(workspace) == []
    assert (workspace / ".git" / "hooks" / "pre-commit").exists()
    stamp = (built / venv.STAMP).stat().st_mtime_ns

    second = create(workspace, config, env)

    assert "up to date" in second["updateContentCommand"]
    assert (built / venv.STAMP).stat().st_mtime_ns == stamp
    assert symlinks(workspace) == []

    # What `invoke test` runs with, asked of the workspace's own task code.
    probe = subprocess.run(
        [
            "python3",
            "-c",
            "import json; from workspace_tasks import venv; print(json.dumps({"
            "'env': venv.environment(), 'current': venv.is_current(),"
            " 'pytest': str(venv.bin_path('pytest'))}))",
        ],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(probe.stdout)
    assert seen["current"] is True
    assert seen["env"]["VIRTUAL_ENV"] == str(built)
    assert seen["env"]["PATH"].startswith(f"{built / 'bin'}{os.pathsep}")
    assert Path(seen["pytest"]) == built / "bin" / "pytest"
    assert Path(seen["pytest"]).exists()
    package = subprocess.run(
        [built / "bin" / "python", "-c", "import kedro_azureml_starter as p; print(p.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(package.stdout.strip()).is_relative_to(workspace / "src"), package.stdout


@pytest.mark.parametrize(
    ("az", "warning"),
    [
        (None, "the Azure CLI (az) is not installed"),
        ("exit 1", "Fix: az extension add --name ml"),  # what `extension show` does without it
        ("exit 0", None),
    ],
)
def test_post_create_says_when_the_ml_extension_is_missing(tmp_path, az, warning):
    """The azure-cli feature skips a failed `ml` install silently; post-create does not."""
    shutil.copytree(ROOT / ".devcontainer", tmp_path / ".devcontainer")  # no .git: no hooks
    stand_ins = tmp_path / "bin"
    stand_ins.mkdir()
    if az:
        (stand_ins / "az").write_text(f"#!/usr/bin/env bash\n{az}\n")
        (stand_ins / "az").chmod(0o755)
    path = os.pathsep.join(
        [
            str(stand_ins),
            *(
                d
                for d in os.environ["PATH"].split(os.pathsep)
                if d and not (Path(d) / "az").exists()
            ),
        ]
    )

    result = subprocess.run(
        [str(tmp_path / ".devcontainer" / "post-create.sh")],
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    if warning:
        assert warning in result.stderr
    else:
        assert result.stderr == ""
    assert "invoke doctor" in result.stdout
