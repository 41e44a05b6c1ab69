"""`invoke doctor`, run for real: on this machine (no az, no Docker daemon), and with
stand-ins for `az` and `docker` that answer as a signed-in setup would."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_devcontainer import skip_or_fail
from workspace_tasks import doctor, venv

SUBSCRIPTION = "01234567-89ab-cdef-0123-456789abcdef"
# A filled-in azureml.yml, by key; any other placeholder gets FILLER.
FILLED = {
    "subscription_id": SUBSCRIPTION,
    "resource_group": "rg-starter",
    "workspace_name": "mlw-starter",
    "cluster_name": "cpu-cluster",
    "account_name": "ststarter",
    "container": "iris-data",
    "container_registry": "crstarter",
}
FILLER = "starter01"

AZ = f"""#!/usr/bin/env bash
case "$*" in
  "version --output json") echo '{{"azure-cli": "2.70.0"}}' ;;
  "extension show --name ml --output json") echo '{{"name": "ml", "version": "2.30.0"}}' ;;
  "account show --output json")
    echo '{{"id": "{SUBSCRIPTION}", "name": "Starter", "user": {{"name": "dev@example.com"}}}}' ;;
  *) echo "stand-in az: unexpected arguments: $*" >&2; exit 2 ;;
esac
"""
DOCKER = """#!/usr/bin/env bash
if [[ "$*" == "info --format {{.ServerVersion}}" ]]; then echo 27.5.1; exit 0; fi
echo "stand-in docker: unexpected arguments: $*" >&2; exit 2
"""


def path_without(*programs: str) -> str:
    """PATH minus the folders that hold any of `programs`."""
    folders = os.environ["PATH"].split(os.pathsep)
    return os.pathsep.join(
        folder for folder in folders if not any((Path(folder) / p).exists() for p in programs)
    )


def run_doctor(cwd: Path, path: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": path, "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    return subprocess.run(
        [sys.executable, "-m", "invoke", "doctor"], cwd=cwd, env=env, capture_output=True, text=True
    )


def outcomes(stdout: str) -> dict[str, str]:
    """{check name: 'PASS' or 'FAIL'} from the checklist."""
    return dict(
        (name, state) for state, name in re.findall(r"^(PASS|FAIL)  ([^:]+):", stdout, re.M)
    )


@pytest.fixture
def current_venv():
    if not venv.is_current():
        pytest.fail("The venv is older than uv.lock: run the tests with `invoke test`.")


@pytest.mark.usefixtures("current_venv")
def test_on_a_machine_without_azure_tools_it_lists_what_is_missing(project):
    (project / "src" / "shortcut").symlink_to(project / "conf")

    result = run_doctor(project, path_without("az"))

    found = outcomes(result.stdout)
    assert result.returncode == 1
    assert re.search(r"\d+ of \d+ checks failed", result.stderr)
    for name in (
        "Python version",
        "venv present",
        "venv matches uv.lock",
        "venv outside the repository",
    ):
        assert found.pop(name) == "PASS", result.stdout
    for name in (
        "no symlink in the Azure ML upload set",
        "az installed",
        "az ml extension",
        "signed in to Azure",
        "subscription selected",
        "Docker daemon reachable",
        "Azure config complete",
    ):
        assert found.pop(name) == "FAIL", result.stdout
    assert set(found) == {"Node.js for Azurite", "Azurite storage emulator"}
    assert "src/shortcut is a symlink" in result.stdout
    assert "install the Azure CLI" in result.stdout
    assert "invoke azure-env --remote" in result.stdout
    assert "invoke azure-configure" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_before_setup_it_says_to_run_setup(project, tmp_path_factory):
    nowhere = tmp_path_factory.mktemp("no-venv-yet") / "venv"
    env = {**os.environ, venv.VENV_VARIABLE: str(nowhere)}

    result = subprocess.run(
        [sys.executable, "-m", "invoke", "doctor"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )

    found = outcomes(result.stdout)
    assert result.returncode == 1
    assert found["venv present"] == found["venv matches uv.lock"] == "FAIL"
    assert found["Azure config complete"] == "FAIL"
    assert "run `invoke setup`" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture
def configured(project: Path) -> Path:
    config = project / "conf" / "base" / "azureml.yml"
    config.write_text(
        re.sub(
            r'^(\s*)(\w+): "<[^>]*>"',
            lambda match: f'{match[1]}{match[2]}: "{FILLED.get(match[2], FILLER)}"',
            config.read_text(),
            flags=re.M,
        )
    )
    return project


@pytest.fixture
def stand_ins(tmp_path: Path) -> str:
    """A PATH whose `az` and `docker` answer as on a signed-in machine with Docker."""
    folder = tmp_path / "stand-ins"
    folder.mkdir()
    for name, script in (("az", AZ), ("docker", DOCKER)):
        (folder / name).write_text(script)
        (folder / name).chmod(0o755)
    return f"{folder}{os.pathsep}{path_without('az', 'docker')}"


@pytest.mark.usefixtures("current_venv")
def test_with_a_signed_in_setup_every_check_passes(configured, stand_ins):
    if not doctor.azurite_program():
        skip_or_fail("Azurite is not installed (.ci/run installs it)")

    result = run_doctor(configured, stand_ins)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    assert f"Starter ({SUBSCRIPTION})" in result.stdout
    assert re.search(r"All \d+ checks passed", result.stdout)


@pytest.mark.parametrize(
    ("version", "specifier", "expected"),
    [
        ((3, 11, 7), ">=3.11,<3.12", True),
        ((3, 12, 1), ">=3.11,<3.12", False),
        ((3, 10, 14), ">=3.11,<3.12", False),
        ((3, 11, 0), "==3.11", True),
    ],
)
def test_the_python_version_is_checked_against_requires_python(version, specifier, expected):
    assert doctor.satisfies(version, specifier) is expected
