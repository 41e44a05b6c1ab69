"""`invoke mlflow-ui`: the MLflow server shows the runs the pipeline logged."""

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.servers.live import check_screenshot, free_port, server
from workspace_tasks import servers

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "images" / "mlflow-run.png"
CODESPACE = "codespace-5000.app.github.dev"  # a URL as Codespaces forwards port 5000
EXPERIMENT = "kedro-azureml-starter"
# A first visit opens the GenAI view and the MLflow Assistant's panel over the run.
MODEL_TRAINING_VIEW = """
localStorage.setItem('mlflow.workflowType_v1', '"machine_learning"');
localStorage.setItem('mlflow.assistant.panelOpen_v1', 'false');
localStorage.setItem('mlflow.assistant.fab.autoOpenedOnFirstLoad_v1', 'true');
"""


@pytest.fixture(scope="module")
def mlflow_ui(ran_project):
    port = free_port()
    store = ran_project / servers.MLFLOW_STORE
    command = servers.mlflow_ui_command("127.0.0.1", port, store, "app.github.dev")
    ui = f"http://127.0.0.1:{port}/"
    experiment = f"{ui}api/2.0/mlflow/experiments/get-by-name?experiment_name={EXPERIMENT}"
    with server(command, experiment, ran_project):
        yield ui


def search_runs(api: str, experiment_id: str, **headers: str) -> list[dict]:
    request = urllib.request.Request(
        f"{api}/runs/search",
        data=json.dumps({"experiment_ids": [experiment_id]}).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["runs"]


def reported_metrics(project: Path) -> dict[str, float]:
    return json.loads((project / "data/08_reporting/metrics.json").read_text())


def test_the_ui_serves_the_run_of_the_pipeline(mlflow_ui, ran_project):
    api = f"{mlflow_ui}api/2.0/mlflow"
    with urllib.request.urlopen(f"{api}/experiments/get-by-name?experiment_name={EXPERIMENT}") as r:
        experiment_id = json.load(r)["experiment"]["experiment_id"]

    (run,) = search_runs(api, experiment_id)
    # Through Codespaces' forwarding, as from the browser on this machine.
    assert search_runs(api, experiment_id, Host=CODESPACE, Origin=f"https://{CODESPACE}")
    # MLflow's guard against DNS rebinding stays on for any other host.
    with pytest.raises(urllib.error.HTTPError, match="403"):
        search_runs(api, experiment_id, Host="rebound.example.com")

    metrics = reported_metrics(ran_project)
    logged = {m["key"]: m["value"] for m in run["data"]["metrics"]}
    assert logged == {
        "training/accuracy": metrics["train_accuracy"],
        "test/accuracy": metrics["test_accuracy"],
    }


def two_column_rows(page) -> dict[str, str]:
    """The page's table rows of a name and a value (metrics, parameters)."""
    rows = (row.get_by_role("cell").all_inner_texts() for row in page.get_by_role("row").all())
    return {cells[0].strip(): cells[1].strip() for cells in rows if len(cells) == 2}


def test_chromium_shows_the_runs_metrics_and_parameters(mlflow_ui, ran_project, browser, tmp_path):
    # The run is named after the Kedro session, as is the model version it saved.
    (version,) = [p.name for p in (ran_project / "data/06_models/model.pkl").iterdir()]
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.add_init_script(MODEL_TRAINING_VIEW)

    page.goto(mlflow_ui)
    page.get_by_role("link", name=EXPERIMENT, exact=True).first.click()
    page.get_by_role("link", name=version, exact=True).click()
    page.get_by_role("heading", name=version).wait_for()
    page.get_by_role("row", name="test/accuracy").wait_for()
    page.get_by_role("row", name="model.C").wait_for()

    shown = two_column_rows(page)
    metrics = reported_metrics(ran_project)
    # The UI prints a metric in full, as Python's repr does.
    assert shown["training/accuracy"] == repr(metrics["train_accuracy"])
    assert shown["test/accuracy"] == repr(metrics["test_accuracy"])
    parameters = yaml.safe_load(
        (ran_project / "conf/base/parameters_iris_pipeline.yml").read_text()
    )
    assert shown["model.C"] == str(parameters["model"]["C"])
    assert {"model.solver", "model.random_state", "iris_dataset.test_size"} <= shown.keys()

    page.mouse.move(0, 0)  # off the search box, where the run's link was clicked
    shot = page.screenshot(path=tmp_path / "mlflow-run.png")
    check_screenshot(shot, SCREENSHOT)
