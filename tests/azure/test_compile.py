"""`invoke azure-compile`: kedro-azureml's job YAML, checked offline with the Azure ML SDK."""

import shlex
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
    config = configured / "conf/base/azureml.yml"
    config.write_text(
        config.read_text()
        .replace("enabled: true", "enabled: false")
        .replace("docker:", "  temporary_storage:\n    account_name: a\n    container: b\ndocker:")
    )
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
