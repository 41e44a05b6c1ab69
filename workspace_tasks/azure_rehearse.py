"""Rehearse an Azure ML run here: the compiled steps, each in its own sandbox, no Azure needed."""

import shlex
import shutil
import tempfile
from pathlib import Path

from invoke import Context, Exit, task

from workspace_tasks import azurite, venv
from workspace_tasks.azure_config import require_settings
from workspace_tasks.azure_image import environment_ref
from workspace_tasks.azure_jobs import compile_command, in_venv

JOB = "pipeline.yaml"


def rehearsal_command(workdir: Path, emulator: bool) -> str:
    return shlex.join(
        [str(venv.bin_path("python")), "-m", "workspace_tasks.in_venv.rehearsal"]
        + [str(workdir / JOB), str(venv.ROOT), str(workdir)]
        + (["--create-container"] if emulator else [])
    )


def run_in_venv(c: Context, command: str, storage: str, failure: str) -> None:
    environment = {**venv.environment(), "AZURE_STORAGE_CONNECTION_STRING": storage}
    with c.cd(str(venv.ROOT)):
        result = c.run(command, env=environment, warn=True, pty=False)
    if result.failed:
        raise Exit(failure, code=result.exited or 1)


def rehearse(
    c: Context, settings: dict[str, str], pipeline=None, params=None, keep=False, storage=None
) -> None:
    """Compile as `azure-run` submits, then run every step in a sandbox; Exit on failure."""
    venv.ensure(c)
    executable = azurite.program()
    if storage is None and executable is None:
        raise Exit(
            f"Azurite, the storage emulator, is not installed: `npm install --prefix "
            f"{azurite.PREFIX} azurite@3.35.x` (as .ci/run does), or pass --storage.",
            code=2,
        )
    workdir = Path(tempfile.mkdtemp(prefix="azure-rehearsal-"))
    try:
        compiled = compile_command(environment_ref(settings), str(workdir / JOB), pipeline, params)
        in_venv(c, compiled, "Compiling the pipeline failed (above).")
        failure = "The rehearsal failed (above): fix it before `invoke azure-run`."
        if storage:
            run_in_venv(c, rehearsal_command(workdir, emulator=False), storage, failure)
        else:
            with azurite.running(executable) as (_, emulated):
                run_in_venv(c, rehearsal_command(workdir, emulator=True), emulated, failure)
    finally:
        if keep:
            print(f"Sandboxes kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


@task(
    help={
        "pipeline": "Pipeline to rehearse (default: all of them).",
        "params": 'Override parameters, Kedro style: "model.C=0.5".',
        "keep": "Keep the sandboxes (code, inputs, outputs, log of each step) to inspect.",
        "storage": "A storage connection string to use instead of starting Azurite.",
    }
)
def azure_rehearse(c, pipeline=None, params=None, keep=False, storage=None):
    """Run the compiled Azure ML pipeline here, each step in a fresh sandbox, before submitting."""
    rehearse(c, require_settings(), pipeline, params, keep, storage)
