"""The cloud catalog against Azurite: raw data up, the pipeline with --env cloud, model back."""

import json
import pickle

import pandas as pd
import pytest

from tests.azure.azurite import CONTAINER
from tests.test_cli import kedro_run, model_versions, outputs
from workspace_tasks.in_venv import cloud_data

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def blobs(server) -> set[str]:
    fs = server.filesystem()
    return {path.removeprefix(f"{CONTAINER}/") for path in fs.find(CONTAINER)}


def test_raw_data_up_pipeline_in_the_cloud_and_the_model_back(configured, azurite, iris):
    assert cloud_data.upload_raw(configured) == ["iris"]
    assert blobs(azurite) == {"data/01_raw/iris.csv"}

    result = kedro_run(configured, "--env", "cloud")

    assert result.exit_code == 0, result.output
    written = blobs(azurite)
    assert {
        "data/07_model_output/predictions.csv",
        "data/08_reporting/metrics.json",
        "data/08_reporting/confusion_matrix.png",
    } <= written
    (cloud_model,) = [path for path in written if path.startswith("data/06_models/model.pkl/")]
    # Locally only the split, which Azure ML would pass between steps as pipeline data.
    assert set(outputs(configured)) == {
        "data/05_model_input/data_train.parquet",
        "data/05_model_input/data_test.parquet",
    }
    fs = azurite.filesystem()
    metrics = json.loads(fs.cat(f"{CONTAINER}/data/08_reporting/metrics.json"))
    assert metrics["test_accuracy"] == pytest.approx(29 / 30)

    cloud_data.fetch_model(configured)

    (local_model,) = model_versions(configured)
    in_container = pickle.loads(fs.cat(f"{CONTAINER}/{cloud_model}"))
    x = iris[FEATURES].to_numpy()
    assert (local_model.predict(x) == in_container.predict(x)).all()

    # The cloud model, scored here on the kept split (the tutorial's "rerun the last step").
    result = kedro_run(configured, "--from-nodes", "evaluate_model")
    assert result.exit_code == 0, result.output
    local_metrics = json.loads((configured / "data/08_reporting/metrics.json").read_text())
    assert local_metrics == metrics


@pytest.fixture
def ran_locally(configured):
    """A local run's model version and outputs, which a failed cloud task must not touch."""
    result = kedro_run(configured)
    assert result.exit_code == 0, result.output
    return configured


@pytest.mark.parametrize("action", ["upload-raw", "fetch-model"])
def test_unreachable_storage_is_one_clear_message_with_nothing_lost(
    ran_locally, azurite, capsys, action
):
    before = outputs(ran_locally)
    raw = (ran_locally / "data/01_raw/iris.csv").read_bytes()
    azurite.stop()

    code = cloud_data.main([action, str(ran_locally)])

    message = capsys.readouterr().err.strip()
    assert code == 1
    assert "Cannot reach the blob storage" in message
    assert "conf/base/azureml.yml" in message
    assert "Traceback" not in message
    assert len(message.splitlines()) == 1
    assert outputs(ran_locally) == before
    assert (ran_locally / "data/01_raw/iris.csv").read_bytes() == raw


def test_a_cloud_run_against_unreachable_storage_is_one_clear_message_with_nothing_lost(
    ran_locally, azurite
):
    before = outputs(ran_locally)
    versions = model_versions(ran_locally)
    azurite.stop()

    # Without the check first, the storage SDK would retry for over a minute.
    result = kedro_run(ran_locally, "--env", "cloud")

    assert result.exit_code == 1
    message = result.output.strip().splitlines()[-1]
    assert message.startswith("Error: Cannot reach the blob storage at 127.0.0.1:")
    assert "conf/base/azureml.yml" in message
    assert "Traceback" not in result.output
    assert outputs(ran_locally) == before
    assert len(model_versions(ran_locally)) == len(versions)


def test_a_cloud_run_before_the_upload_says_to_upload(configured, azurite):
    result = kedro_run(configured, "--env", "cloud")

    assert result.exit_code == 1
    message = result.output.strip().splitlines()[-1]
    assert "'iris'" in message
    assert "not in the blob storage" in message
    assert "invoke azure-data" in message
    assert "git checkout" not in message


def test_no_model_in_the_container_says_to_run_the_pipeline(ran_locally, azurite, capsys):
    before = outputs(ran_locally)

    code = cloud_data.main(["fetch-model", str(ran_locally)])

    message = capsys.readouterr().err
    assert code == 1
    assert "invoke azure-run" in message
    assert outputs(ran_locally) == before


def test_the_cloud_catalog_reads_a_storage_key_from_conf_local(configured):
    (configured / "conf/local/credentials.yml").write_text(
        "azure_storage:\n  account_key: a-key-only-this-machine-has\n"  # pragma: allowlist secret
    )
    entry = cloud_data.catalog(configured, "cloud")["iris"]

    assert entry._fs.account_key == "a-key-only-this-machine-has"  # pragma: allowlist secret
    assert pd.api.types.is_list_like([entry])
