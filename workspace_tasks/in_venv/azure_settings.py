"""Print the Azure settings of conf/base/azureml.yml as flat JSON (see azure_config.SETTINGS)."""

import json
import sys
from pathlib import Path

import yaml

CONFIG = Path("conf") / "base" / "azureml.yml"

# Where each setting lives in the YAML.
PATHS = {
    "subscription_id": ("azure", "subscription_id"),
    "resource_group": ("azure", "resource_group"),
    "workspace": ("azure", "workspace_name"),
    "cluster": ("azure", "compute", "__default__", "cluster_name"),
    "training_cluster": ("azure", "compute", "training", "cluster_name"),
    "environment": ("azure", "environment_name"),
    "experiment": ("azure", "experiment_name"),
    "storage_account": ("storage", "account_name"),
    "storage_container": ("storage", "container"),
    "registry": ("container_registry",),
}


def _get(data: object, path: tuple[str, ...]) -> str:
    for key in path:
        if not isinstance(data, dict):
            return ""
        data = data.get(key)
    return "" if data is None else str(data)


def read(root: Path) -> dict[str, str]:
    """The flat settings; a missing key reads as ''."""
    path = root / CONFIG
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SystemExit(
            f"Cannot read {CONFIG}: {error}. Rewrite it with `invoke azure-configure`."
        ) from None
    return {name: _get(data, keys) for name, keys in PATHS.items()}


if __name__ == "__main__":
    print(json.dumps(read(Path(sys.argv[1]))))
