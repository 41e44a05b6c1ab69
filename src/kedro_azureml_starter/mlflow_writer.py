"""The process that writes a run's record to MLflow: `python -m` this module.

`tracking.MlflowTracking` starts it as a run begins, so that `import mlflow` (well over a
second: MLflow's GenAI modules, its gateway's FastAPI, the azureml plugin) happens on
another core while Kedro loads and runs the pipeline. It then waits for one JSON record on
stdin, logs it, and prints one JSON line: {"run_id": ...} or {"error": ...}. Closing stdin
without a record (a run refused for bad input) ends it having logged nothing.
"""

import gc
import json
import os
import sys
import time
from typing import Any

from kedro_azureml_starter import GC_THRESHOLDS


def write(record: dict[str, Any]) -> str:
    """Log `record` (see `tracking.MlflowTracking._record`); return the MLflow run id."""
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.tracking import MlflowClient

    uri = record["uri"]
    if uri.startswith("file:") or "://" not in uri:
        # MLflow 3 keeps the file store in maintenance mode behind this switch; it needs no
        # database and keeps a run's params, metrics and artifacts in one folder that the
        # UI (`invoke mlflow-ui`) reads as it is.
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    # A client, not mlflow's module-level active run: nothing global, nothing leaks.
    client = MlflowClient(uri)
    # Inside an Azure ML step the run exists already, and Azure ML ends it.
    run_id = record["run_id"]
    created = not run_id
    if created:
        experiment = client.get_experiment_by_name(record["experiment"])
        experiment_id = (
            experiment.experiment_id
            if experiment
            else client.create_experiment(record["experiment"])
        )
        run_id = client.create_run(experiment_id, run_name=record["run_name"]).info.run_id
    now = int(time.time() * 1000)
    client.log_batch(
        run_id,
        metrics=[Metric(k, v, now, 0) for k, v in record["metrics"].items()],
        params=[Param(k, v) for k, v in record["params"].items()],
        tags=[RunTag(k, v) for k, v in record["tags"].items()],
    )
    for png in record["figures"]:
        client.log_artifact(run_id, png)
    if created:
        client.set_terminated(run_id, record["status"])
    return run_id


def main() -> int:
    # Imported before the record arrives (that is the point of this process), with the
    # garbage collector's thresholds of a run.
    gc.set_threshold(*GC_THRESHOLDS)
    import mlflow.tracking  # noqa: F401

    text = sys.stdin.read()
    if not text.strip():
        return 0  # the run ended before it had anything to record
    try:
        result = {"run_id": write(json.loads(text))}
    # Whatever went wrong is the parent's to tell, in one warning; the run goes on.
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        result = {"error": f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__}
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    code = main()
    gc.freeze()  # as at the end of a run (see __main__)
    sys.exit(code)
