"""The invoke tasks: their command lines, and the venv they keep outside the repository."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from invoke import Context, Exit, MockContext, Result

from workspace_tasks import devcontainer, local, venv

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def venv_at(monkeypatch, tmp_path):
    def point(path: Path) -> Path:
        monkeypatch.setenv(venv.VENV_VARIABLE, str(path))
        return path

    return point


def test_the_venv_defaults_to_the_home_folder(monkeypatch):
    monkeypatch.delenv(venv.VENV_VARIABLE, raising=False)

    assert venv.venv_path() == Path.home() / ".venvs" / "kedro-azureml-starter"


def test_the_venv_follows_uv_project_environment(venv_at, tmp_path):
    venv_at(tmp_path / "elsewhere")

    assert venv.venv_path() == tmp_path / "elsewhere"
    assert venv.environment()["PATH"].startswith(f"{tmp_path / 'elsewhere' / 'bin'}{os.pathsep}")


def test_a_venv_inside_the_repository_is_refused(venv_at):
    venv_at(venv.ROOT / ".venv")

    with pytest.raises(Exit, match=r"inside the repository.*UV_PROJECT_ENVIRONMENT") as error:
        venv.ensure(Context())
    assert error.value.code == 2


@pytest.fixture
def inside_repo_venv(venv_at):
    venv_at(venv.ROOT / ".venv")


@pytest.mark.usefixtures("inside_repo_venv")
def test_run_local_refuses_a_venv_inside_the_repository():
    with pytest.raises(Exit, match="inside the repository"):
        local.run_local(MockContext())


def test_the_uv_version_comes_from_pyproject():
    assert venv.uv_version().count(".") == 2


def test_sync_installs_exactly_the_lock():
    assert venv.sync_command("uv") == "uv sync --locked --compile-bytecode"


def test_setup_is_a_no_op_when_the_venv_matches_the_lock(venv_at, tmp_path):
    built = venv_at(tmp_path / "venv")
    (built / "bin").mkdir(parents=True)
    (built / "bin" / "python").touch()
    (built / venv.STAMP).write_text(venv.lock_digest())

    venv.ensure(MockContext())  # any command at all would fail: MockContext expects none


def test_setup_syncs_from_the_lock_when_it_changed(venv_at, tmp_path, monkeypatch):
    built = venv_at(tmp_path / "venv")
    (built / "bin").mkdir(parents=True)
    (built / venv.STAMP).write_text("an older lock")
    monkeypatch.setattr(venv, "uv_command", lambda c: "uv")
    c = MockContext(
        run={
            "uv sync --locked --compile-bytecode": Result(),
            f"{built / 'bin' / 'pre-commit'} install --install-hooks": Result(),
        }
    )

    venv.ensure(c)

    assert (built / venv.STAMP).read_text() == venv.lock_digest()


def test_uv_of_the_required_version_is_used_as_found(monkeypatch):
    monkeypatch.setattr(venv.shutil, "which", lambda name: "/usr/bin/uv")
    c = MockContext(run={"/usr/bin/uv --version": Result(f"uv {venv.uv_version()} (x)\n")})

    assert venv.uv_command(c) == "/usr/bin/uv"


@pytest.mark.parametrize("found", [None, "/usr/bin/uv"])
def test_a_missing_or_other_uv_is_installed_next_to_invoke(monkeypatch, found):
    monkeypatch.setattr(venv.shutil, "which", lambda name: found)
    c = MockContext(
        run={
            "/usr/bin/uv --version": Result("uv 0.1.0\n"),
            f"{sys.executable} -m pip install --quiet uv=={venv.uv_version()}": Result(),
        }
    )

    assert venv.uv_command(c) == f"{sys.executable} -m uv"


def test_a_failed_sync_says_what_to_do(venv_at, tmp_path, monkeypatch):
    venv_at(tmp_path / "venv")
    monkeypatch.setattr(venv, "uv_command", lambda c: "uv")
    c = MockContext(run={"uv sync --locked --compile-bytecode": Result(exited=2)})

    with pytest.raises(Exit, match="uv lock") as error:
        venv.ensure(c)
    assert error.value.code == 2


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, []),
        ({"pipeline": "iris_pipeline"}, ["--pipelines", "iris_pipeline"]),
        ({"params": "model.C=0.5,model.solver=sag"}, ["--params", "model.C=0.5,model.solver=sag"]),
        ({"env": "cloud"}, ["--env", "cloud"]),
        (
            {"from_nodes": "train_model", "to_nodes": "evaluate_model"},
            ["--from-nodes", "train_model", "--to-nodes", "evaluate_model"],
        ),
        ({"verbose": True}, ["--verbose"]),
    ],
)
def test_run_command_passes_options_to_kedro(options, expected):
    command = shlex.split(local.run_command(**options))

    assert command == [str(venv.bin_path("python")), "-m", "kedro_azureml_starter", *expected]


@pytest.fixture
def current_venv(monkeypatch):
    monkeypatch.setattr(venv, "ensure", lambda c: venv.venv_path())


@pytest.mark.usefixtures("current_venv")
def test_run_local_runs_kedro_in_the_venv():
    c = MockContext(run={local.run_command(params="model.C=2"): Result()})

    local.run_local(c, params="model.C=2")

    assert c.run.call_args.kwargs["env"]["KEDRO_DISABLE_TELEMETRY"] == "true"


@pytest.mark.usefixtures("current_venv")
def test_run_local_failure_exits_with_the_runs_code():
    c = MockContext(run={local.run_command(): Result(exited=1)})

    with pytest.raises(Exit, match="pipeline run failed") as error:
        local.run_local(c)
    assert error.value.code == 1


@pytest.mark.usefixtures("current_venv")
def test_lint_runs_pre_commit_on_all_files_without_fixing():
    command = f"{venv.bin_path('pre-commit')} run --all-files --show-diff-on-failure"
    c = MockContext(run={command: Result(), devcontainer.check_command(): Result()})

    local.lint(c)


@pytest.mark.usefixtures("current_venv")
def test_test_passes_pytest_arguments():
    c = MockContext(run={f"{venv.bin_path('pytest')} -k nodes": Result(exited=5)})

    with pytest.raises(Exit, match="Tests failed") as error:
        local.run_tests(c, args="-k nodes")
    assert error.value.code == 5  # pytest's "no tests ran" must not pass


# A fresh process: invoke hands each argument's help over once, when it first parses the
# task, so a task an earlier test ran in this process shows none.
_UNDOCUMENTED = """
import tasks
for task in tasks.namespace.tasks.values():
    if not task.__doc__:
        print(task.name)
    for argument in task.get_arguments():
        if not argument.help:
            print(f"{task.name} --{argument.name}")
"""


def test_every_task_has_a_docstring_and_help_for_each_argument():
    result = subprocess.run(
        [sys.executable, "-c", _UNDOCUMENTED], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert result.stdout == "", f"without a docstring or help: {result.stdout}"


def test_run_local_runs_the_shipped_project_end_to_end(project):
    """`invoke run-local` in a fresh copy: prints the accuracies, writes a model version."""
    if not venv.is_current():
        # A sync from the copy would point the venv's editable install at it.
        pytest.fail("The venv is older than uv.lock: run the tests with `invoke test`.")
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "run-local"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )

    assert result.returncode == 0, result.stderr
    metrics = json.loads((project / "data/08_reporting/metrics.json").read_text())
    assert metrics["test_accuracy"] >= 0.9
    assert metrics["test_accuracy"] == pytest.approx(29 / 30)  # what the seed's train.py prints
    versions = list((project / "data/06_models/model.pkl").iterdir())
    assert len(versions) == 1
    assert (versions[0] / "model.pkl").stat().st_size > 0
    assert "test_accuracy" in result.stdout + result.stderr
