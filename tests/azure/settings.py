"""Complete, valid Azure settings for a project copy."""

from pathlib import Path

from tests.azure.azurite import ACCOUNT, CONTAINER
from workspace_tasks.azure_config import CONFIG, render

SETTINGS = {
    "subscription_id": "01234567-89ab-cdef-0123-456789abcdef",
    "resource_group": "rg-starter",
    "workspace": "mlw-starter",
    "cluster": "cpu-cluster",
    "training_cluster": "gpu-cluster",
    "storage_account": ACCOUNT,
    "storage_container": CONTAINER,
    "registry": "starteracr",
    "environment": "kedro-azureml-starter",
    "experiment": "kedro-azureml-starter",
}


def configure(project: Path, **changes: str) -> None:
    (project / CONFIG).write_text(render({**SETTINGS, **changes}))
