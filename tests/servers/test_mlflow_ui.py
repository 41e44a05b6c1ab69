"""`invoke mlflow-ui`: the MLflow server shows the runs the pipeline logged."""

import json
import urllib.error
import urllib.request

import pytest

from tests.servers.live import free_port, server
from workspace_tasks import servers

CODESPACE = "codespace-5000.app.github.dev"  # a URL as Codespaces forwards port 5000


def search_runs(api: str, experiment_id: str, **headers: str) -> list[dict]:
    request = urllib.request.Request(
        f"{api}/runs/search",
        data=json.dumps({"experiment_ids": [experiment_id]}).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["runs"]


def test_the_ui_serves_the_run_of_the_pipeline(ran_project):
    port = free_port()
    store = ran_project / servers.MLFLOW_STORE
    command = servers.mlflow_ui_command("127.0.0.1", port, store, "app.github.dev")
    api = f"http://127.0.0.1:{port}/api/2.0/mlflow"
    experiment = f"{api}/experiments/get-by-name?experiment_name=kedro-azureml-starter"

    with server(command, experiment, ran_project), urllib.request.urlopen(experiment) as r:
        experiment_id = json.load(r)["experiment"]["experiment_id"]
        (run,) = search_runs(api, experiment_id)
        # Through Codespaces' forwarding, as from the browser on this machine.
        assert search_runs(api, experiment_id, Host=CODESPACE, Origin=f"https://{CODESPACE}")
        # MLflow's guard against DNS rebinding stays on for any other host.
        with pytest.raises(urllib.error.HTTPError, match="403"):
            search_runs(api, experiment_id, Host="rebound.example.com")

    metrics = json.loads((ran_project / "data/08_reporting/metrics.json").read_text())
    logged = {m["key"]: m["value"] for m in run["data"]["metrics"]}
    assert logged == {
        "training/accuracy": metrics["train_accuracy"],
        "test/accuracy": metrics["test_accuracy"],
    }
