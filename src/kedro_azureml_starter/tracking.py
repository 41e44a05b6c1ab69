"""MLflow tracking of every run, from a Kedro hook, so the node functions stay pure.

Locally the runs go to `mlruns/` in the project. On Azure ML, which sets
MLFLOW_TRACKING_URI (and MLFLOW_RUN_ID for each step), the same calls log to the
workspace through azureml-mlflow.
"""

import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kedro.framework.hooks import hook_impl

logger = logging.getLogger(__name__)

LOCAL_STORE = "mlruns"
EXPERIMENT = "kedro-azureml-starter"
# metrics.json keys under the names the seed tutorial logs them with.
METRIC_NAMES = {"train_accuracy": "training/accuracy", "test_accuracy": "test/accuracy"}


def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested parameters as MLflow params: {"model": {"C": 1.0}} -> {"model.C": 1.0}."""
    flat: dict[str, Any] = {}
    for key, value in params.items():
        if hasattr(value, "model_dump"):  # a group Kedro validated into its pydantic model
            value = value.model_dump()
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def tracking_uri(project_path: Path) -> str:
    """Azure ML's (or anyone's) MLFLOW_TRACKING_URI if set, else the project's own store."""
    return os.environ.get("MLFLOW_TRACKING_URI") or (project_path / LOCAL_STORE).as_uri()


class MlflowTracking:
    """Record each run in MLflow: the parameters its nodes read, the metrics and the figures.

    Everything is gathered while the nodes run and logged in one go at the end, so a
    run refused for bad input records nothing. Tracking never fails a run: if the store
    can't be written, one warning says so and the outputs are saved as usual.
    """

    def __init__(
        self,
        metrics_dataset: str = "metrics",
        figures: Mapping[str, str] | None = None,
    ) -> None:
        self._metrics_dataset = metrics_dataset
        self._figures = dict(figures or {"confusion_matrix": "confusion_matrix.png"})

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline, catalog) -> None:
        read = {name.removeprefix("params:") for name in pipeline.inputs() if "params:" in name}
        parameters = catalog.load("parameters") if "parameters" in catalog else {}
        self._params = flatten({k: v for k, v in parameters.items() if k in read})
        self._tags = {
            "kedro.pipeline": ",".join(run_params.get("pipeline_names") or ["__default__"]),
            "kedro.run_id": run_params["run_id"],
        }
        self._project = Path(run_params.get("project_path") or Path.cwd())
        self._metrics: dict[str, float] = {}
        self._outputs: dict[str, Any] = {}

    @hook_impl
    def after_node_run(self, outputs: dict[str, Any]) -> None:
        for name, value in outputs.items():
            if name == self._metrics_dataset and isinstance(value, Mapping):
                self._metrics |= {
                    METRIC_NAMES.get(k, k): float(v)
                    for k, v in value.items()
                    if isinstance(v, int | float) and not isinstance(v, bool)
                }
            elif name in self._figures:
                self._outputs[name] = value

    @hook_impl
    def after_pipeline_run(self) -> None:
        self._log("FINISHED")

    @hook_impl
    def on_pipeline_error(self) -> None:
        if self._metrics or self._outputs:
            self._log("FAILED")

    def _log(self, status: str) -> None:
        uri = tracking_uri(self._project)
        try:
            # Imported here, not at the top: `import mlflow` takes a second or more, which
            # only a run that logs should pay (not kedro-viz, not a notebook's start).
            from mlflow.entities import Metric, Param, RunTag
            from mlflow.tracking import MlflowClient

            if uri.startswith("file:") or "://" not in uri:
                # MLflow 3 keeps the file store in maintenance mode behind this switch; it
                # needs no database and keeps a run's params, metrics and artifacts in one
                # folder that the UI (`invoke mlflow-ui`) reads as it is.
                os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
            # A client, not mlflow's module-level active run: nothing leaks into a notebook.
            client = MlflowClient(uri)
            # Inside an Azure ML step the run exists already, and Azure ML ends it.
            run_id = os.environ.get("MLFLOW_RUN_ID")
            if not run_id:
                experiment = client.get_experiment_by_name(EXPERIMENT)
                experiment_id = (
                    experiment.experiment_id if experiment else client.create_experiment(EXPERIMENT)
                )
                run_id = client.create_run(
                    experiment_id, run_name=self._tags["kedro.run_id"]
                ).info.run_id
                created = True
            else:
                created = False
            now = int(time.time() * 1000)
            client.log_batch(
                run_id,
                metrics=[Metric(k, v, now, 0) for k, v in self._metrics.items()],
                params=[Param(k, str(v)) for k, v in self._params.items()],
                tags=[RunTag(k, v) for k, v in self._tags.items()],
            )
            for name, figure in self._outputs.items():
                client.log_figure(run_id, figure, self._figures[name])
            if created:
                client.set_terminated(run_id, status)
            logger.info("MLflow run %s recorded in %s", run_id, uri)
        # Tracking must never cost the run its outputs, whatever went wrong.
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            logger.warning(
                "MLflow tracking skipped: could not write to %s (%s: %s). The run's outputs "
                "are saved as usual; fix the store or set MLFLOW_TRACKING_URI to log the "
                "next run.",
                uri,
                type(exc).__name__,
                reason,
            )
