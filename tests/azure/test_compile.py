"""`invoke azure-compile`: kedro-azureml's job YAML, checked offline with the Azure ML SDK."""

import os
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from kedro.framework.startup import bootstrap_project
from kedro_azureml.cli import commands as kedro_azureml_commands

from tests.azure.settings import SETTINGS
from workspace_tasks import azure_image, azure_jobs, venv
from workspace_tasks.in_venv import compiled_job

FAKE_KEY = "ZmFrZS1zdG9yYWdlLWtleS1mb3ItdGhlLXRlc3Qtb25seQ=="  # pragma: allowlist secret


def compile_job(project: Path, env_ref: str) -> Path:
    """`kedro azureml -e cloud compile`, in this process (as the task runs it in the venv)."""
    output = project / azure_jobs.COMPILED
    output.parent.mkdir(parents=True, exist_ok=True)
    command = shlex.split(azure_jobs.compile_command(env_ref, str(output)))
    assert command[:4] == [str(venv.bin_path("kedro")), "azureml", "-e", "cloud"]
    result = CliRunner().invoke(
        kedro_azureml_commands, command[1:], obj=bootstrap_project(project), catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return output


def run_compiled_job(project: Path, env_ref: str, pipeline=None) -> subprocess.CompletedProcess:
    """The one process `invoke azure-compile` runs, as it runs it; with `-X importtime`, its
    stderr also lists every module it loads."""
    (project / azure_jobs.COMPILED).parent.mkdir(parents=True, exist_ok=True)
    command = azure_jobs.compile_and_check_command(env_ref, azure_jobs.COMPILED, pipeline)
    python, *args = shlex.split(command)
    return subprocess.run(
        [python, "-X", "importtime", *args],
        cwd=project,
        env={**os.environ, **venv.environment()},
        capture_output=True,
        text=True,
    )


def use_temporary_storage(project: Path) -> None:
    """kedro-azureml's temporary-storage mode, which writes the storage key into every step."""
    config = project / "conf/base/azureml.yml"
    config.write_text(
        config.read_text()
        .replace("enabled: true", "enabled: false")
        .replace("docker:", "  temporary_storage:\n    account_name: a\n    container: b\ndocker:")
    )


@pytest.fixture
def fake_key(monkeypatch):
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_KEY", FAKE_KEY)


@pytest.mark.usefixtures("fake_key")
def test_the_compiled_job_validates_and_runs_every_step_in_the_cloud_env(configured):
    env_ref = azure_image.environment_ref(SETTINGS)
    output = compile_job(configured, env_ref)

    assert compiled_job.problems(output, "cloud", env_ref) == []
    steps = yaml.safe_load(output.read_text())["jobs"]
    assert set(steps) == {"split_data", "train_model", "evaluate_model", "plot_confusion_matrix"}
    for name, step in steps.items():
        assert step["component"]["command"].startswith("kedro azureml -e cloud execute ")
        assert f"--node={name}" in step["component"]["command"]
        assert step["environment"] == f"azureml:{env_ref}"
    assert steps["train_model"]["compute"] == "azureml:gpu-cluster"  # the `training` tag
    assert steps["split_data"]["compute"] == "azureml:cpu-cluster"
    assert FAKE_KEY not in output.read_text()


def test_the_environment_version_is_a_short_hash_of_the_lock(configured):
    version = azure_image.environment_version()
    ref = azure_image.environment_ref(SETTINGS)

    assert ref == f"kedro-azureml-starter:{version}"
    assert len(version) == 12
    with (configured / "uv.lock").open("a") as lock:
        lock.write("\n# a changed dependency\n")
    assert azure_image.environment_version() != version


@pytest.mark.usefixtures("fake_key")
def test_the_check_refuses_a_job_with_the_storage_key_in_it(configured):
    """kedro-azureml's temporary-storage mode writes the key into every step: caught."""
    use_temporary_storage(configured)
    env_ref = azure_image.environment_ref(SETTINGS)
    output = compile_job(configured, env_ref)

    found = compiled_job.problems(output, "cloud", env_ref)

    assert "secret in the job: the value of AZURE_STORAGE_ACCOUNT_KEY" in found
    assert any("temporary-storage" in line for line in found)


def test_the_check_reports_a_step_on_another_environment(configured):
    env_ref = azure_image.environment_ref(SETTINGS)
    output = compile_job(configured, env_ref)

    found = compiled_job.problems(output, "cloud", "kedro-azureml-starter:0123456789ab")

    assert any("split_data uses environment" in line for line in found)


def test_the_task_and_the_check_agree_on_the_exit_code_of_a_failed_check():
    assert azure_jobs.CHECKS_FAILED == compiled_job.CHECKS_FAILED


@pytest.mark.usefixtures("fake_key")
def test_the_task_compiles_and_checks_in_one_process_without_the_iri_grammar(configured):
    env_ref = azure_image.environment_ref(SETTINGS)

    done = run_compiled_job(configured, env_ref)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == f"Compiled pipeline to {azure_jobs.COMPILED}"
    assert compiled_job.problems(configured / azure_jobs.COMPILED, "cloud", env_ref) == []
    # The program keeps rfc3987_syntax from building its grammars (see compiled_job).
    assert "rfc3987_syntax.syntax_helpers" not in done.stderr


@pytest.mark.usefixtures("fake_key")
def test_the_task_still_finds_the_problems_of_a_job(configured):
    """What the tests above find in this process, the task finds in its own, settings and all."""
    use_temporary_storage(configured)

    done = run_compiled_job(configured, azure_image.environment_ref(SETTINGS))

    assert done.returncode == compiled_job.CHECKS_FAILED, done.stdout + done.stderr
    found = done.stdout.splitlines()
    assert "secret in the job: the value of AZURE_STORAGE_ACCOUNT_KEY" in found
    assert any("temporary-storage" in line for line in found)


def test_a_failed_compile_exits_as_kedro_does_and_checks_nothing(configured):
    done = run_compiled_job(configured, azure_image.environment_ref(SETTINGS), "no_such_pipeline")

    assert done.returncode == 1
    assert "KeyError: 'no_such_pipeline'" in done.stderr
    assert not (configured / azure_jobs.COMPILED).exists()
