"""Tasks for working on this machine: set up, run the pipeline, test, lint, format."""

import shlex
import time

from invoke import Context, Exit, task

from workspace_tasks import devcontainer, venv


def run_command(
    pipeline: str | None = None,
    params: str | None = None,
    env: str | None = None,
    from_nodes: str | None = None,
    to_nodes: str | None = None,
    verbose: bool = False,
) -> str:
    """`kedro run` through the project's own entry point, which loads no plugin commands."""
    args = [str(venv.bin_path("python")), "-m", "kedro_azureml_starter"]
    for option, value in (
        ("--pipelines", pipeline),
        ("--params", params),
        ("--env", env),
        ("--from-nodes", from_nodes),
        ("--to-nodes", to_nodes),
    ):
        if value:
            args += [option, value]
    if verbose:
        args.append("--verbose")
    return shlex.join(args)


def in_venv(c: Context, command: str, failure: str) -> None:
    """Run `command` with the venv active; on failure exit with `failure` and its code."""
    with c.cd(str(venv.ROOT)):
        result = c.run(command, env=venv.environment(), warn=True, pty=False)
    if result.failed:
        raise Exit(failure, code=result.exited or 1)


@task
def setup(c):
    """Create or update the project's virtual environment from uv.lock."""
    started = time.perf_counter()
    was_current = venv.is_current()
    path = venv.ensure(c)
    state = "up to date" if was_current else "built from uv.lock"
    print(f"{path} {state} ({time.perf_counter() - started:.1f} s)")


@task(
    help={
        "pipeline": "Pipeline to run (default: all of them).",
        "params": 'Override parameters, Kedro style: "model.C=0.5,iris_dataset.test_size=0.3".',
        "env": "Kedro configuration environment (default: local; e.g. cloud).",
        "from-nodes": "Start from these nodes (comma-separated).",
        "to-nodes": "Stop after these nodes (comma-separated).",
        "verbose": "Show the traceback of an error.",
    }
)
def run_local(
    c, pipeline=None, params=None, env=None, from_nodes=None, to_nodes=None, verbose=False
):
    """Run the pipeline on this machine."""
    venv.ensure(c)
    command = run_command(pipeline, params, env, from_nodes, to_nodes, verbose)
    in_venv(c, command, "The pipeline run failed (the reason is above).")


@task(name="test", help={"args": 'Extra pytest arguments, e.g. "-k nodes -x".'})
def run_tests(c, args=""):
    """Run the test suite."""
    venv.ensure(c)
    in_venv(c, f"{venv.bin_path('pytest')} {args}".strip(), "Tests failed (see above).")


@task
def lint(c):
    """Check everything pre-commit checks, and the devcontainer config; change nothing."""
    venv.ensure(c)
    in_venv(
        c,
        f"{venv.bin_path('pre-commit')} run --all-files --show-diff-on-failure",
        "Lint found problems (listed above); `invoke format` fixes the formatting ones.",
    )
    in_venv(
        c,
        devcontainer.check_command(),
        "The devcontainer config breaks the Dev Container schema (details above).",
    )


@task
def format(c):
    """Fix formatting and lint findings ruff can fix, and strip notebook outputs."""
    venv.ensure(c)
    bin_ = venv.bin_path
    in_venv(
        c,
        f"git ls-files -z -- '*.ipynb' | xargs -0 --no-run-if-empty {bin_('nbstripout')}",
        "nbstripout failed (above).",
    )
    in_venv(c, f"{bin_('ruff')} format --quiet .", "ruff format failed (above).")
    in_venv(
        c, f"{bin_('ruff')} check --fix --quiet .", "ruff fixed what it could; the rest is above."
    )
