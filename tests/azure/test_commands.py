"""What must reach Azure, checked as exact command lines with invoke's MockContext."""

import json
import os
import shlex

import pytest
from invoke import Exit, MockContext, Result

from tests.azure.settings import SETTINGS
from workspace_tasks import azure_cli, azure_image, azure_jobs, venv

SUB = SETTINGS["subscription_id"]
WS = f"--subscription {SUB} --resource-group rg-starter --workspace-name mlw-starter"
LOGGED_IN = f"az account show --subscription {SUB} --output none"


@pytest.fixture
def az(monkeypatch, configured):
    """`az` and `docker` on the PATH, and a current venv (nothing is run for real)."""
    monkeypatch.setattr(azure_cli.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(azure_image.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(venv, "ensure", lambda c: venv.venv_path())
    return configured


def version() -> str:
    return azure_image.environment_version()


def registered(yes: bool) -> dict[str, Result]:
    show = (
        f"az ml environment show --name kedro-azureml-starter --version {version()} {WS}"
        " --output none"
    )
    return {LOGGED_IN: Result(), show: Result(exited=0 if yes else 1)}


def commands(c: MockContext) -> list[str]:
    return [call.args[0] for call in c.run.call_args_list]


@pytest.mark.usefixtures("az")
@pytest.mark.parametrize("device_code", [True, False])
def test_login_signs_in_selects_the_subscription_and_the_registry(monkeypatch, device_code):
    monkeypatch.setattr(azure_jobs, "no_browser", lambda: False)
    expected = [
        "az login --use-device-code" if device_code else "az login",
        f"az account set --subscription {SUB}",
        "az extension add --name ml --upgrade --yes --only-show-errors",
        "az acr login --name starteracr",
    ]
    c = MockContext(run=dict.fromkeys(expected, Result()))

    azure_jobs.azure_login(c, device_code=device_code)

    assert commands(c) == expected


def test_login_uses_a_device_code_where_no_browser_can_open(monkeypatch):
    monkeypatch.setenv("CODESPACES", "true")

    assert azure_jobs.no_browser()


@pytest.mark.usefixtures("az")
def test_env_builds_nothing_when_the_version_is_registered(capsys):
    c = MockContext(run=registered(True))

    azure_image.azure_env(c)

    assert len(commands(c)) == 2
    assert f"kedro-azureml-starter:{version()} is registered already" in capsys.readouterr().out


@pytest.mark.usefixtures("az")
def test_env_builds_pushes_and_registers_a_new_version():
    image = f"starteracr.azurecr.io/kedro-azureml-starter:{version()}"
    build = [
        "docker info",
        "az acr login --name starteracr",
        f"docker build --platform linux/amd64 --tag {image} .",
        f"docker push {image}",
        f"az ml environment create --name kedro-azureml-starter --version {version()} "
        f"--image {image} {WS}",
    ]
    c = MockContext(run={**registered(False), **dict.fromkeys(build, Result())})

    azure_image.azure_env(c)

    assert commands(c)[2:] == build


@pytest.mark.usefixtures("az")
def test_env_remote_builds_in_the_registry():
    image = f"starteracr.azurecr.io/kedro-azureml-starter:{version()}"
    build = [
        f"az acr build --registry starteracr --image kedro-azureml-starter:{version()} "
        "--platform linux/amd64 .",
        f"az ml environment create --name kedro-azureml-starter --version {version()} "
        f"--image {image} {WS}",
    ]
    c = MockContext(run={**registered(False), **dict.fromkeys(build, Result())})

    azure_image.azure_env(c, remote=True)

    assert commands(c)[2:] == build


@pytest.mark.usefixtures("az")
def test_env_without_docker_points_at_the_remote_build():
    c = MockContext(run={**registered(False), "docker info": Result(exited=1)})

    with pytest.raises(Exit, match="invoke azure-env --remote"):
        azure_image.azure_env(c)


@pytest.mark.usefixtures("az")
def test_run_submits_with_the_cloud_env_and_the_locks_environment():
    kedro = str(venv.bin_path("kedro"))
    submit = shlex.join(
        [
            *(kedro, "azureml", "-e", "cloud", "run", "--subscription-id", SUB),
            *("--aml-env", f"kedro-azureml-starter:{version()}", "--pipeline", "iris_pipeline"),
            *("--params", '{"model":{"C":0.5,"solver":"sag"}}', "--wait-for-completion"),
        ]
    )
    c = MockContext(run={**registered(True), submit: Result()})

    azure_jobs.azure_run(
        c, pipeline="iris_pipeline", params="model.C=0.5,model.solver=sag", wait=True
    )

    assert commands(c)[-1] == submit
    assert c.run.call_args.kwargs["env"]["KEDRO_DISABLE_TELEMETRY"] == "true"


@pytest.mark.usefixtures("az")
def test_run_refuses_an_unregistered_environment():
    c = MockContext(run=registered(False))

    with pytest.raises(Exit, match=f"kedro-azureml-starter:{version()}.*invoke azure-env"):
        azure_jobs.azure_run(c)


def test_run_refuses_a_tree_with_a_symlink_with_its_path(az):
    os.symlink("settings.py", az / "src/kedro_azureml_starter/linked.py")
    c = MockContext(run=registered(True))

    with pytest.raises(Exit, match=r"src/kedro_azureml_starter/linked\.py is a symlink"):
        azure_jobs.azure_run(c)
    assert len(commands(c)) == 2  # nothing submitted


@pytest.mark.usefixtures("az")
def test_run_when_not_signed_in_says_to_sign_in():
    c = MockContext(run={LOGGED_IN: Result(exited=1)})

    with pytest.raises(Exit, match=f"Not signed in.*{SUB}.*invoke azure-login") as error:
        azure_jobs.azure_run(c)
    assert error.value.code == 2


@pytest.mark.usefixtures("configured")
@pytest.mark.parametrize(
    "task", [azure_jobs.azure_run, azure_jobs.azure_login, azure_image.azure_env]
)
def test_without_az_the_tasks_say_how_to_get_it(monkeypatch, task):
    monkeypatch.setattr(azure_cli.shutil, "which", lambda name: None)

    with pytest.raises(Exit, match=r"devcontainer.*install-azure-cli") as error:
        task(MockContext())
    assert error.value.code == 2


@pytest.mark.usefixtures("az")
def test_data_compile_and_model_run_their_helpers_in_the_venv():
    python = str(venv.bin_path("python"))
    ref = f"kedro-azureml-starter:{version()}"
    out = azure_jobs.COMPILED
    expected = {
        "azure_data": [f"{python} -m workspace_tasks.in_venv.cloud_data upload-raw {venv.ROOT}"],
        "azure_model": [f"{python} -m workspace_tasks.in_venv.cloud_data fetch-model {venv.ROOT}"],
        "azure_compile": [
            f"{python} -m workspace_tasks.in_venv.compiled_job {out} cloud {ref}"
            f" azureml -e cloud compile --aml-env {ref} --output {out}",
        ],
    }
    for name, lines in expected.items():
        c = MockContext(run=dict.fromkeys(lines, Result()))
        getattr(azure_jobs, name)(c)
        assert commands(c) == lines


@pytest.mark.usefixtures("az")
@pytest.mark.parametrize(
    ("exited", "message", "code"),
    [
        (azure_jobs.CHECKS_FAILED, r"failed its checks \(listed above\); it must not be", 1),
        (1, r"Compiling failed \(above\)", 1),
        (2, r"Compiling failed \(above\)", 2),
    ],
)
def test_compile_tells_a_failed_check_from_a_failed_compile(exited, message, code):
    ref = f"kedro-azureml-starter:{version()}"
    command = azure_jobs.compile_and_check_command(ref, azure_jobs.COMPILED)
    c = MockContext(run={command: Result(exited=exited)})

    with pytest.raises(Exit, match=message) as error:
        azure_jobs.azure_compile(c)
    assert error.value.code == code


def test_compile_hands_the_pipeline_and_params_to_kedro_azureml():
    command = azure_jobs.compile_and_check_command("env:1", "job.yaml", "iris", "model.C=0.5")

    assert command.endswith(
        " -m workspace_tasks.in_venv.compiled_job job.yaml cloud env:1 azureml -e cloud compile"
        """ --aml-env env:1 --output job.yaml --pipeline iris --params '{"model":{"C":0.5}}'"""
    )


def test_params_become_the_json_kedro_azureml_takes():
    assert json.loads(azure_jobs.params_json("model.C=0.5,iris_dataset.test_size=0.3,x=a")) == {
        "model": {"C": 0.5},
        "iris_dataset": {"test_size": 0.3},
        "x": "a",
    }
    with pytest.raises(Exit, match="not key=value"):
        azure_jobs.params_json("model.C")
