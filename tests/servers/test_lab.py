"""`invoke lab`: JupyterLab on the Kedro kernel, and the exploration notebook run headless."""

import json
import sys
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.servers.live import free_port, server
from workspace_tasks import servers

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "01-iris-exploration.ipynb"


@pytest.fixture
def kernel(tmp_path, monkeypatch) -> Path:
    """The kernel `invoke lab` installs, in a Jupyter folder of the test's own."""
    folder = servers.install_kernel(tmp_path / "jupyter" / "kernels", Path(sys.executable))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return folder


def test_the_kernel_loads_kedros_ipython_extension(kernel):
    spec = json.loads((kernel / "kernel.json").read_text())

    assert spec["argv"][:3] == [sys.executable, "-m", "ipykernel_launcher"]
    assert spec["argv"][-2:] == ["--ext", "kedro.ipython"]


def test_the_notebook_is_committed_without_outputs_and_reads_only_the_catalog():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]

    assert notebook.metadata.kernelspec.name == servers.KERNEL
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    source = "\n".join(cell.source for cell in code)
    for path_like in ("data/", ".csv", ".pkl", ".json", ".png", "open(", "read_csv"):
        assert path_like not in source
    assert 'catalog.load("iris")' in source


@pytest.mark.usefixtures("kernel")
def test_the_exploration_notebook_runs_after_a_pipeline_run(ran_project):
    notebook = nbformat.read(ran_project / "notebooks" / NOTEBOOK.name, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name=servers.KERNEL,
        timeout=180,
        resources={"metadata": {"path": str(ran_project / "notebooks")}},
    )

    client.execute()  # raises CellExecutionError on the first cell that fails

    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.output_type == "error"]
    text = "\n".join(
        output.get("text", "") + output.get("data", {}).get("text/plain", "") for output in outputs
    )
    assert "Kedro session" in text  # `session` and `context` are there
    assert "LogisticRegression" in text  # the model, loaded from the catalog
    assert "test_accuracy" in text
    images = [output for output in outputs if "image/png" in output.get("data", {})]
    assert len(images) == 2  # the scatter plots and the confusion matrix


def test_jupyterlab_serves_the_kedro_kernel_by_default(kernel, ran_project, monkeypatch):
    monkeypatch.setenv("JUPYTER_TOKEN", "test-token")  # pragma: allowlist secret
    port = free_port()
    command = servers.lab_command("127.0.0.1", port)
    url = f"http://127.0.0.1:{port}/api/kernelspecs?token=test-token"

    with server(command, url, ran_project) as api, urllib.request.urlopen(api) as response:
        specs = json.load(response)

    assert specs["default"] == servers.KERNEL
    assert specs["kernelspecs"][servers.KERNEL]["spec"]["argv"][-1] == "kedro.ipython"
