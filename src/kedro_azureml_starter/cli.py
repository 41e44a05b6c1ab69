"""The project's `kedro run`: Kedro's own command, with bad input told as one clear message."""

from pathlib import Path

import click
from kedro.config import MissingConfigException, OmegaConfigLoader
from kedro.framework.cli.project import run as kedro_run
from kedro.framework.project import settings

from kedro_azureml_starter.errors import describe
from kedro_azureml_starter.settings import MLFLOW_TRACKING


@click.group(name="kedro-azureml-starter")
def cli() -> None:
    """Project commands."""


@cli.command(
    params=[
        *kedro_run.params,
        click.Option(["--verbose"], is_flag=True, help="Show the traceback of an error."),
    ],
)
@click.pass_context
def run(ctx: click.Context, verbose: bool, **kwargs) -> None:
    """Run the pipeline."""
    # MLflow's import, in the writer's own process, now overlaps Kedro loading the pipeline.
    MLFLOW_TRACKING.start_writer()
    try:
        ctx.invoke(kedro_run, **kwargs)
    except Exception as exc:
        if verbose:
            raise
        message = describe(exc, _filepaths(kwargs["env"], kwargs["conf_source"]))
        if message is None:
            message = f"{type(exc).__name__}: {exc}\n(run again with --verbose for the traceback)"
        raise click.ClickException(message) from None


def _filepaths(env: str | None, conf_source: str | None) -> dict[str, str]:
    """Each catalog dataset's file, as the catalog configuration writes it."""
    loader = OmegaConfigLoader(
        conf_source=conf_source or str(Path.cwd() / settings.CONF_SOURCE),
        env=env,
        **settings.CONFIG_LOADER_ARGS,
    )
    try:
        catalog = loader["catalog"]
    except MissingConfigException:  # the error being explained may be this very one
        return {}
    return {
        name: entry["filepath"]
        for name, entry in catalog.items()
        if isinstance(entry, dict) and "filepath" in entry
    }
