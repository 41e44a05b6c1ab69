"""kedro-azureml's hook: out of the way of plain runs, at work for Azure ML data assets."""

import subprocess
import sys

from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

ASSET = """
iris_asset:
  type: kedro_azureml.datasets.AzureMLAssetDataset
  azureml_dataset: iris
  root_dir: data/01_raw
  dataset:
    type: pandas.CSVDataset
    filepath: iris.csv
"""


def test_a_plain_run_never_imports_the_azure_ml_sdk(project):
    script = (
        "import sys\n"
        "from kedro.framework.startup import bootstrap_project\n"
        "from kedro.framework.session import KedroSession\n"
        f"bootstrap_project({str(project)!r})\n"
        f"with KedroSession.create({str(project)!r}) as session:\n"
        "    session.run()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('azure.ai.ml', 'kedro_azureml.'))))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=project, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_an_azure_ml_data_asset_gets_the_workspace_settings(project, monkeypatch):
    monkeypatch.chdir(project)
    with (project / "conf/base/catalog.yml").open("a") as catalog_file:
        catalog_file.write(ASSET)
    bootstrap_project(project)

    with KedroSession.create(project) as session:
        catalog = session.load_context().catalog

    assert catalog["iris_asset"].azure_config.experiment_name == "kedro-azureml-starter"
