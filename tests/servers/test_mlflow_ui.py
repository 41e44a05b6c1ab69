"""`invoke mlflow-ui`: the MLflow server shows the runs the pipeline logged."""

import json
import urllib.request

from tests.servers.live import free_port, server
from workspace_tasks import servers


def test_the_ui_serves_the_run_of_the_pipeline(ran_project):
    port = free_port()
    command = servers.mlflow_ui_command("127.0.0.1", port, ran_project / servers.MLFLOW_STORE)
    api = f"http://127.0.0.1:{port}/api/2.0/mlflow"
    name = "kedro-azureml-starter"

    with server(command, f"{api}/experiments/get-by-name?experiment_name={name}", ran_project):
        with urllib.request.urlopen(f"{api}/experiments/get-by-name?experiment_name={name}") as r:
            experiment = json.load(r)["experiment"]
        search = urllib.request.Request(
            f"{api}/runs/search",
            data=json.dumps({"experiment_ids": [experiment["experiment_id"]]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(search) as r:
            (run,) = json.load(r)["runs"]

    metrics = json.loads((ran_project / "data/08_reporting/metrics.json").read_text())
    logged = {m["key"]: m["value"] for m in run["data"]["metrics"]}
    assert logged == {
        "training/accuracy": metrics["train_accuracy"],
        "test/accuracy": metrics["test_accuracy"],
    }
