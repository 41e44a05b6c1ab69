"""Sign in, move data, compile, submit, and bring the model back: the Azure ML round trip."""

import json
import os
import shlex
import sys

from invoke import Context, Exit, task

from workspace_tasks import local, venv
from workspace_tasks.azure_cli import require_az, require_login
from workspace_tasks.azure_config import require_settings
from workspace_tasks.azure_image import environment_ref, is_registered
from workspace_tasks.azure_upload import require_clean_upload

CLOUD_ENV = "cloud"
COMPILED = "build/azureml/pipeline.yaml"
# in_venv/compiled_job's exit code when the job was written but fails its checks (its own
# CHECKS_FAILED; a test keeps the two equal). Any other failure is the compile's.
CHECKS_FAILED = 3


def params_json(params: str | None) -> str | None:
    """Kedro-style `a.b=1,c=x` as the JSON object kedro-azureml takes."""
    if not params:
        return None
    nested: dict = {}
    for item in params.split(","):
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise Exit(f'--params: "{item}" is not key=value (e.g. "model.C=0.5").', code=2)
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        *parents, last = key.strip().split(".")
        target = nested
        for parent in parents:
            target = target.setdefault(parent, {})
        target[last] = value
    return json.dumps(nested, separators=(",", ":"))


def in_venv_module(name: str) -> list[str]:
    return [str(venv.bin_path("python")), "-m", f"workspace_tasks.in_venv.{name}"]


def kedro_azureml_args(action: str, *args: str) -> list[str]:
    return ["azureml", "-e", CLOUD_ENV, action, *args]


def kedro_azureml(action: str, *args: str) -> str:
    return shlex.join([str(venv.bin_path("kedro")), *kedro_azureml_args(action, *args)])


def pipeline_args(pipeline: str | None, params: str | None) -> list[str]:
    args = ["--pipeline", pipeline] if pipeline else []
    if (as_json := params_json(params)) is not None:
        args += ["--params", as_json]
    return args


def compile_args(env_ref: str, output: str, pipeline=None, params=None) -> list[str]:
    """The `kedro` arguments that write the job, on the environment `env_ref`, to `output`."""
    args = ["--aml-env", env_ref, "--output", output, *pipeline_args(pipeline, params)]
    return kedro_azureml_args("compile", *args)


def compile_command(env_ref: str, output: str, pipeline=None, params=None) -> str:
    """`kedro azureml compile` on its own, as the rehearsal runs it."""
    return shlex.join(
        [str(venv.bin_path("kedro")), *compile_args(env_ref, output, pipeline, params)]
    )


def compile_and_check_command(env_ref: str, output: str, pipeline=None, params=None) -> str:
    # One process for both: each would otherwise import kedro-azureml and the Azure ML SDK,
    # seconds apiece.
    kedro_args = compile_args(env_ref, output, pipeline, params)
    return shlex.join([*in_venv_module("compiled_job"), output, CLOUD_ENV, env_ref, *kedro_args])


def run_command(settings, env_ref: str, pipeline=None, params=None, wait=False) -> str:
    args = ["--subscription-id", settings["subscription_id"], "--aml-env", env_ref]
    args += pipeline_args(pipeline, params)
    return kedro_azureml("run", *args, *(["--wait-for-completion"] if wait else []))


def cloud_data_command(action: str) -> str:
    return shlex.join([*in_venv_module("cloud_data"), action, str(venv.ROOT)])


def login_commands(settings: dict[str, str], device_code: bool) -> list[str]:
    return [
        "az login" + (" --use-device-code" if device_code else ""),
        f"az account set --subscription {settings['subscription_id']}",
        "az extension add --name ml --upgrade --yes --only-show-errors",
        f"az acr login --name {settings['registry']}",
    ]


def no_browser() -> bool:
    """True where `az login` cannot open a browser here (Codespaces, SSH, no display)."""
    if os.environ.get("CODESPACES") or os.environ.get("SSH_CONNECTION"):
        return True
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    return sys.platform.startswith("linux") and not has_display and not os.environ.get("BROWSER")


def in_venv(c: Context, command: str, failure: str) -> None:
    venv.ensure(c)
    local.in_venv(c, command, failure)


@task(help={"device-code": "Sign in with a code on another device (default where no browser)."})
def azure_login(c, device_code=False):
    """Sign in to Azure, select the subscription, and log in to the container registry."""
    settings = require_settings()
    require_az()
    for command in login_commands(settings, device_code or no_browser()):
        result = c.run(command, warn=True)
        if result.failed:
            raise Exit(f"`{command}` failed (output above).", code=result.exited or 1)


@task
def azure_data(c):
    """Copy the raw datasets from the local catalog to the cloud catalog's blob storage."""
    require_settings()
    in_venv(c, cloud_data_command("upload-raw"), "The raw data was not uploaded (reason above).")


@task(
    help={
        "pipeline": "Pipeline to compile (default: all of them).",
        "params": 'Override parameters, Kedro style: "model.C=0.5".',
        "output": f"Where to write the job YAML (default {COMPILED}).",
    }
)
def azure_compile(c, pipeline=None, params=None, output=COMPILED):
    """Compile the pipeline to an Azure ML job YAML and check it offline with the SDK."""
    settings = require_settings()
    env_ref = environment_ref(settings)
    (venv.ROOT / output).parent.mkdir(parents=True, exist_ok=True)
    venv.ensure(c)
    with c.cd(str(venv.ROOT)):
        result = c.run(
            compile_and_check_command(env_ref, output, pipeline, params),
            env=venv.environment(),
            warn=True,
            pty=False,
        )
    if result.exited == CHECKS_FAILED:
        raise Exit(f"{output} failed its checks (listed above); it must not be submitted.", code=1)
    if result.failed:
        raise Exit("Compiling failed (above).", code=result.exited or 1)
    print(f"{output}: valid for Azure ML, environment {env_ref}, no secrets.")


def preflight(c: Context, settings: dict[str, str]) -> str:
    """Check all a submit needs; return the environment reference to run with."""
    require_az()
    require_login(c, settings)
    env_ref = environment_ref(settings)
    if not is_registered(c, settings):
        raise Exit(
            f"Environment {env_ref} (for the current uv.lock) is not registered in workspace "
            f"{settings['workspace']}: run `invoke azure-env` first.",
            code=2,
        )
    require_clean_upload()
    return env_ref


@task(
    help={
        "pipeline": "Pipeline to run (default: all of them).",
        "params": 'Override parameters, Kedro style: "model.C=0.5".',
        "wait": "Wait until the job finishes and exit with its result.",
        "rehearse": "First rehearse the steps here in sandboxes (`invoke azure-rehearse`).",
    }
)
def azure_run(c, pipeline=None, params=None, wait=False, rehearse=False):
    """Submit the pipeline to Azure ML with the cloud env and the lock's environment."""
    settings = require_settings()
    env_ref = preflight(c, settings)
    if rehearse:
        # Imported here: azure_rehearse builds on this module's compile command.
        from workspace_tasks.azure_rehearse import rehearse as rehearse_here

        rehearse_here(c, settings, pipeline, params)
    in_venv(
        c,
        run_command(settings, env_ref, pipeline, params, wait),
        "Submitting to Azure ML failed (reason above).",
    )


@task
def azure_model(c):
    """Save the cloud catalog's latest model as a new local model version."""
    require_settings()
    in_venv(c, cloud_data_command("fetch-model"), "No model was brought back (reason above).")
