"""Every run is recorded in MLflow by a hook: parameters, metrics, the confusion matrix."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from PIL import Image

from kedro_azureml_starter.pipelines.iris_pipeline.schemas import ModelParams
from kedro_azureml_starter.tracking import EXPERIMENT, flatten, tracking_uri
from tests.test_cli import kedro_run

PARAMS = {
    "iris_dataset.test_size": "0.2",
    "iris_dataset.random_state": "42",
    "model.solver": "lbfgs",
    "model.C": "1.0",
    "model.random_state": "42",
}


@pytest.fixture(autouse=True)
def file_store(monkeypatch):
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_RUN_ID", raising=False)


def runs(uri: str):
    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name(EXPERIMENT)
    return client, client.search_runs([experiment.experiment_id]) if experiment else []


def test_flatten_names_nested_parameters_with_dots():
    assert flatten({"model": {"C": 1.0, "solver": "lbfgs"}, "seed": 1}) == {
        "model.C": 1.0,
        "model.solver": "lbfgs",
        "seed": 1,
    }


def test_flatten_reads_the_groups_kedro_validated_into_pydantic_models():
    params = {"model": ModelParams(solver="sag", C=0.5, random_state=1)}

    assert flatten(params) == {"model.solver": "sag", "model.C": 0.5, "model.random_state": 1}


def test_the_store_is_the_projects_unless_mlflow_tracking_uri_says_otherwise(monkeypatch):
    assert tracking_uri(Path("/p")) == "file:///p/mlruns"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "azureml://somewhere")
    assert tracking_uri(Path("/p")) == "azureml://somewhere"


def test_a_run_is_recorded_with_params_metrics_tags_and_the_plot(project, monkeypatch, tmp_path):
    monkeypatch.chdir(project)

    result = kedro_run(project)

    assert result.exit_code == 0, result.output
    client, (run,) = runs((project / "mlruns").as_uri())
    metrics = json.loads((project / "data/08_reporting/metrics.json").read_text())
    assert run.info.status == "FINISHED"
    assert run.data.params == PARAMS
    assert run.data.metrics == {
        "training/accuracy": metrics["train_accuracy"],
        "test/accuracy": metrics["test_accuracy"],
    }
    (model_version,) = (project / "data/06_models/model.pkl").iterdir()
    assert run.data.tags["kedro.run_id"] == model_version.name == run.info.run_name
    assert run.data.tags["kedro.pipeline"] == "__default__"
    assert [a.path for a in client.list_artifacts(run.info.run_id)] == ["confusion_matrix.png"]
    image = client.download_artifacts(run.info.run_id, "confusion_matrix.png", str(tmp_path))
    with Image.open(image) as png:
        assert png.format == "PNG"
        assert png.size == (550, 450)  # the node's figure at the catalog's 100 dpi


def test_a_partial_run_records_what_its_nodes_read_and_made(project, monkeypatch):
    monkeypatch.chdir(project)
    assert kedro_run(project).exit_code == 0

    result = kedro_run(project, "--pipelines", "iris_pipeline", "--to-nodes", "train_model")

    assert result.exit_code == 0, result.output
    _, (partial, _) = runs((project / "mlruns").as_uri())
    assert partial.data.params == PARAMS
    assert partial.data.metrics == {}
    assert partial.data.tags["kedro.pipeline"] == "iris_pipeline"


def test_an_existing_run_is_logged_to_as_on_azure_ml(project, monkeypatch, tmp_path):
    """Azure ML sets MLFLOW_TRACKING_URI and MLFLOW_RUN_ID for each step: the same hook
    logs into that run, in that store, and none in the project's."""
    store = (tmp_path / "workspace-store").as_uri()
    client = MlflowClient(store)
    job = client.create_run(client.create_experiment("azureml-job")).info.run_id
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    monkeypatch.setenv("MLFLOW_RUN_ID", job)
    monkeypatch.chdir(project)

    result = kedro_run(project)

    assert result.exit_code == 0, result.output
    run = client.get_run(job)
    assert run.data.params == PARAMS
    assert set(run.data.metrics) == {"training/accuracy", "test/accuracy"}
    assert not (project / "mlruns").exists()


# Every record as "LEVEL logger: message", to count the warnings by where they come from.
PLAIN_LOGGING = """
version: 1
disable_existing_loggers: false
formatters: {plain: {format: "%(levelname)s %(name)s: %(message)s"}}
handlers: {out: {class: logging.StreamHandler, formatter: plain, stream: ext://sys.stdout}}
root: {level: INFO, handlers: [out]}
"""


TRACKING_PROBLEM = re.compile(
    r"\b(WARNING|ERROR|CRITICAL) (kedro_azureml_starter\.tracking|mlflow|azureml)[\w.]*:"
)


def test_an_unwritable_store_costs_one_warning_and_nothing_else(project):
    (project / "mlruns").write_text("not a folder: MLflow cannot write its store here")
    (project / "logging.yml").write_text(PLAIN_LOGGING)
    env = {
        **os.environ,
        "KEDRO_DISABLE_TELEMETRY": "true",
        "KEDRO_LOGGING_CONFIG": str(project / "logging.yml"),
    }

    result = subprocess.run(
        [sys.executable, "-m", "kedro_azureml_starter"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    # mlflow logs through handlers of its own, with a timestamp first: search anywhere.
    about_tracking = [line for line in lines if TRACKING_PROBLEM.search(line)]
    assert len(about_tracking) == 1, lines
    assert about_tracking[0].startswith(
        "WARNING kedro_azureml_starter.tracking: MLflow tracking skipped: could not write to "
        f"{(project / 'mlruns').as_uri()}"
    )
    assert not [line for line in lines if re.search(r"\b(ERROR|CRITICAL)\b|Traceback", line)]
    assert json.loads((project / "data/08_reporting/metrics.json").read_text())
    assert len(list((project / "data/06_models/model.pkl").iterdir())) == 1
    assert (project / "data/08_reporting/confusion_matrix.png").stat().st_size > 0
