"""MLflow tracking of every run, from a Kedro hook, so the node functions stay pure.

Locally the runs go to `mlruns/` in the project. On Azure ML, which sets
MLFLOW_TRACKING_URI (and MLFLOW_RUN_ID for each step), the same calls log to the
workspace through azureml-mlflow. The logging itself happens in a process of its own
(`mlflow_writer`), started as the run begins, so MLflow's slow import overlaps the run.
"""

import atexit
import json
import logging
import os
import subprocess
import sys
import tempfile
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
        self._writer: subprocess.Popen | None = None
        # A process that exits without logging a run (bad input, say) takes its writer along.
        atexit.register(self._stop_writer)

    def start_writer(self) -> None:
        """Start the process that will log the next run, importing MLflow meanwhile.

        The hook calls it when a run starts; the project's `kedro run` calls it first
        thing, so the import also overlaps Kedro loading the pipeline, most of a run.
        """
        if self._writer is not None:
            return
        try:
            self._writer = subprocess.Popen(
                [sys.executable, "-m", "kedro_azureml_starter.mlflow_writer"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        except OSError as exc:
            logger.warning("MLflow tracking skipped: could not start its process (%s).", exc)

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline, catalog) -> None:
        self.start_writer()
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
        else:
            self._stop_writer()

    def _record(self, uri: str, status: str, figures: list[str]) -> dict[str, Any]:
        return {
            "uri": uri,
            "experiment": EXPERIMENT,
            # Read here, not by the writer: it may have started before the variables were set.
            "run_id": os.environ.get("MLFLOW_RUN_ID"),
            "run_name": self._tags["kedro.run_id"],
            "status": status,
            "params": {k: str(v) for k, v in self._params.items()},
            "metrics": self._metrics,
            "tags": self._tags,
            "figures": figures,
        }

    def _log(self, status: str) -> None:
        uri = tracking_uri(self._project)
        writer, self._writer = self._writer, None
        if writer is None:
            return  # it could not start, and said so
        with tempfile.TemporaryDirectory(prefix="kedro-mlflow-") as folder:
            figures = []
            for name, figure in self._outputs.items():
                figures.append(os.path.join(folder, self._figures[name]))
                figure.savefig(figures[-1])
            out, err = writer.communicate(json.dumps(self._record(uri, status, figures)))
        try:
            result = json.loads(out.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            # The writer died before answering (MLflow missing or broken, say).
            last = err.strip().splitlines()[-1] if err.strip() else f"exit code {writer.returncode}"
            result = {"error": last}
        if "error" in result:
            # Tracking must never cost the run its outputs, whatever went wrong.
            logger.warning(
                "MLflow tracking skipped: could not write to %s (%s). The run's outputs "
                "are saved as usual; fix the store or set MLFLOW_TRACKING_URI to log the "
                "next run.",
                uri,
                result["error"],
            )
        else:
            logger.info("MLflow run %s recorded in %s", result["run_id"], uri)

    def _stop_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None and writer.poll() is None:
            writer.kill()
            writer.communicate()
