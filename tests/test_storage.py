import socket

import pytest
from kedro.io import DataCatalog
from kedro.pipeline import Pipeline, node
from kedro_datasets.pandas import CSVDataset

from kedro_azureml_starter.storage import (
    StorageCheck,
    StorageUnreachableError,
    blob_endpoints,
    probe,
)
from workspace_tasks import azurite

# Azurite's development account, at a port nothing listens at.
CONNECTION_STRING = azurite.connection_string(10999)


@pytest.fixture
def listening():
    """A port on 127.0.0.1 that accepts connections."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens at: a connection is refused."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        return server.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_blob_endpoints_are_those_of_the_abfs_datasets_only():
    cloud = CSVDataset(
        filepath="abfs://container/data/iris.csv",
        credentials={"connection_string": CONNECTION_STRING},
    )
    local = CSVDataset(filepath="data/01_raw/iris.csv")

    (endpoint,) = blob_endpoints([cloud, local])
    assert endpoint.startswith("http://127.0.0.1:10999/devstoreaccount1")


def test_an_endpoint_that_answers_passes(listening):
    probe(f"http://127.0.0.1:{listening}/devstoreaccount1")


def test_an_endpoint_that_does_not_answer_is_named_with_the_fix(closed_port):
    with pytest.raises(StorageUnreachableError) as error:
        probe(f"http://127.0.0.1:{closed_port}/devstoreaccount1", timeout=2)

    assert str(error.value).startswith(f"Cannot reach the blob storage at 127.0.0.1:{closed_port}")
    assert "conf/base/azureml.yml" in str(error.value)


def test_behind_a_proxy_the_proxy_is_checked_as_the_sdk_would_go(monkeypatch, listening):
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{listening}")

    # The account's own name would not even resolve here (no internet); the proxy answers.
    probe("https://someaccount.blob.core.windows.net")


def test_a_host_the_proxy_is_bypassed_for_is_checked_directly(monkeypatch, listening, closed_port):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{listening}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    with pytest.raises(StorageUnreachableError, match=f"127.0.0.1:{closed_port}"):
        probe(f"http://127.0.0.1:{closed_port}/devstoreaccount1", timeout=2)


def _identity(x):
    return x


def test_a_run_checks_the_storage_of_the_datasets_it_uses(closed_port):
    catalog = DataCatalog.from_config(
        {
            "raw": {
                "type": "pandas.CSVDataset",
                "filepath": "abfs://container/raw.csv",
                "credentials": {"connection_string": azurite.connection_string(closed_port)},
            }
        }
    )
    pipeline = Pipeline([node(_identity, "raw", "copied")])

    with pytest.raises(StorageUnreachableError, match=f"127.0.0.1:{closed_port}"):
        StorageCheck().before_pipeline_run(pipeline, catalog)


def test_the_check_leaves_datasets_a_pattern_would_make_to_the_runner():
    # kedro-azureml's runner puts pipeline data where the catalog has no dataset yet.
    catalog = DataCatalog.from_config({"{default}": {"type": "MemoryDataset"}})
    pipeline = Pipeline([node(_identity, "passed_in", "passed_on")])

    StorageCheck().before_pipeline_run(pipeline, catalog)

    assert catalog.keys() == []
