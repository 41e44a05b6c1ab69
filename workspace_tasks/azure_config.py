"""The Azure settings in conf/base/azureml.yml: fill them in, check them, read them."""

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from invoke import Exit, task

from workspace_tasks import venv
from workspace_tasks.azure_cli import require_az

CONFIG = Path("conf") / "base" / "azureml.yml"
CONFIGURE = "invoke azure-configure"


@dataclass(frozen=True)
class Setting:
    question: str
    pattern: str
    rule: str


_NAME_RULE = "letters, digits, '-' and '_', starting with a letter or digit"
SETTINGS = {
    "subscription_id": Setting(
        "Azure subscription id",
        r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}",
        "a GUID such as 01234567-89ab-cdef-0123-456789abcdef (`az account show --query id`)",
    ),
    "resource_group": Setting(
        "Resource group",
        r"[-\w.()]{0,89}[-\w()]",
        "1-90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.'",
    ),
    "workspace": Setting(
        "Azure ML workspace", r"[a-zA-Z0-9][\w-]{2,32}", f"3-33 characters: {_NAME_RULE}"
    ),
    "cluster": Setting(
        "Compute cluster (every step)",
        r"[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]",
        "3-24 letters, digits and '-', starting with a letter",
    ),
    "training_cluster": Setting(
        "Compute cluster for the `training` tag (train_model)",
        r"[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]",
        "3-24 letters, digits and '-', starting with a letter",
    ),
    "storage_account": Setting(
        "Storage account", r"[a-z0-9]{3,24}", "3-24 lowercase letters and digits"
    ),
    "storage_container": Setting(
        "Blob container for the data",
        r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]",
        "3-63 lowercase letters, digits and single '-', starting and ending with a letter or digit",
    ),
    "registry": Setting(
        "Container registry (name, without .azurecr.io)",
        r"[a-zA-Z0-9]{5,50}",
        "5-50 letters and digits",
    ),
    "environment": Setting(
        "Azure ML environment name",
        r"[a-zA-Z0-9][\w.-]{0,254}",
        f"up to 255 characters: {_NAME_RULE} and '.'",
    ),
    "experiment": Setting(
        "Experiment name", r"[a-zA-Z0-9][\w-]{0,254}", f"up to 255 characters: {_NAME_RULE}"
    ),
}
DEFAULTS = {"environment": "kedro-azureml-starter", "experiment": "kedro-azureml-starter"}

TEMPLATE = """\
# Written by `invoke azure-configure`; edit it there or here. kedro-azureml reads `azure:`
# on every run; `storage:` and `container_registry` are this workspace's own settings
# (the cloud catalog and the environment image), which kedro-azureml ignores.
azure:
  subscription_id: "{subscription_id}"
  resource_group: "{resource_group}"
  workspace_name: "{workspace}"
  experiment_name: "{experiment}"
  compute:
    __default__:
      cluster_name: "{cluster}"
    # Nodes tagged `training` (train_model) run here; kedro-azureml routes by tag.
    training:
      cluster_name: "{training_cluster}"
  # Its version is derived from uv.lock by `invoke azure-env` and passed at submit time.
  environment_name: "{environment}"
  code_directory: "."
  working_directory: /home/kedro
  pipeline_data_passing:
    # Intermediate data moves between steps as Azure ML outputs, so no storage key is
    # asked for or written into a job (temporary-storage mode writes it in clear text).
    enabled: true
docker:
  image: null
storage:
  account_name: "{storage_account}"
  container: "{storage_container}"
container_registry: "{registry}"
"""


def is_placeholder(value: str | None) -> bool:
    return not value or (value.startswith("<") and value.endswith(">"))


def problem(name: str, value: str) -> str | None:
    """What is wrong with `value` for setting `name`, or None when it is fine."""
    if is_placeholder(value):
        return "not set"
    if not re.fullmatch(SETTINGS[name].pattern, value):
        return f"'{value}' is not valid: {SETTINGS[name].rule}"
    return None


def read_settings(root: Path | None = None) -> dict[str, str]:
    """The settings as azureml.yml holds them (YAML is read in the venv)."""
    root = root or venv.ROOT
    venv.check_outside_repo(venv.venv_path())
    if not venv.bin_path("python").exists():
        raise Exit(f"No virtual environment at {venv.venv_path()} yet: run `invoke setup`.", code=2)
    result = subprocess.run(
        [str(venv.bin_path("python")), "-m", "workspace_tasks.in_venv.azure_settings", str(root)],
        cwd=venv.ROOT,
        env={**os.environ, **venv.environment()},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise Exit(result.stderr.strip().splitlines()[-1] if result.stderr else "", code=2)
    return json.loads(result.stdout)


def missing_settings(settings: dict[str, str]) -> dict[str, str]:
    """Each setting that is a placeholder or malformed, with what is wrong with it."""
    found = {name: problem(name, settings.get(name, "")) for name in SETTINGS}
    return {name: text for name, text in found.items() if text}


def require_settings(root: Path | None = None) -> dict[str, str]:
    """The settings, or Exit naming each missing or malformed one and the fix.

    Every azure-* task calls this first; `invoke doctor` can too.
    """
    settings = read_settings(root)
    missing = missing_settings(settings)
    if missing:
        lines = [f"  {name}: {text}" for name, text in missing.items()]
        raise Exit(
            "\n".join(
                [
                    f"The Azure settings in {CONFIG} are incomplete:",
                    *lines,
                    f"Fill them in with `{CONFIGURE}` (it prompts for what is missing).",
                ]
            ),
            code=2,
        )
    return settings


def render(settings: dict[str, str]) -> str:
    return TEMPLATE.format(**settings)


def ask(name: str, current: str) -> str:
    default = "" if is_placeholder(current) else current
    while True:
        shown = f" [{default}]" if default else ""
        answer = input(f"{SETTINGS[name].question}{shown}: ").strip() or default
        if (text := problem(name, answer)) is None:
            return answer
        print(f"  {text}")


def subscription_from_az(c) -> str:
    result = c.run(f"{require_az()} account show --query id --output tsv", hide=True, warn=True)
    if result.failed:
        raise Exit("`az account show` failed: sign in first with `invoke azure-login`.", code=2)
    return result.stdout.strip()


@task(
    help={
        "subscription-id": "Azure subscription id (a GUID).",
        "from-az": "Take the subscription id from `az account show`.",
        "resource-group": "Resource group of the Azure ML workspace.",
        "workspace": "Azure ML workspace name.",
        "cluster": "Compute cluster every step runs on.",
        "training-cluster": "Compute cluster for train_model (tag `training`); default: cluster.",
        "storage-account": "Storage account the cloud catalog uses.",
        "storage-container": "Blob container in that account for the data.",
        "registry": "Azure Container Registry name for the environment image.",
        "environment": "Azure ML environment name (default kedro-azureml-starter).",
        "experiment": "Azure ML experiment name (default kedro-azureml-starter).",
        "no-input": "Never prompt: fail naming what is missing instead.",
    }
)
def azure_configure(
    c,
    subscription_id=None,
    from_az=False,
    resource_group=None,
    workspace=None,
    cluster=None,
    training_cluster=None,
    storage_account=None,
    storage_container=None,
    registry=None,
    environment=None,
    experiment=None,
    no_input=False,
):
    """Fill in the Azure settings (conf/base/azureml.yml) from options or prompts."""
    given = {
        "subscription_id": subscription_from_az(c) if from_az else subscription_id,
        "resource_group": resource_group,
        "workspace": workspace,
        "cluster": cluster,
        "training_cluster": training_cluster,
        "storage_account": storage_account,
        "storage_container": storage_container,
        "registry": registry,
        "environment": environment,
        "experiment": experiment,
    }
    current = read_settings()
    settings = {}
    for name in SETTINGS:
        value = given[name] or current.get(name, "")
        if is_placeholder(value):
            fallback = settings.get("cluster") if name == "training_cluster" else None
            value = DEFAULTS.get(name) or fallback or value
        if given[name] and (text := problem(name, value)):
            raise Exit(f"--{name.replace('_', '-')}: {text}", code=2)
        if problem(name, value) and not no_input:
            value = ask(name, value)
        settings[name] = value
    if missing := missing_settings(settings):
        lines = [f"  --{name.replace('_', '-')}: {text}" for name, text in missing.items()]
        raise Exit("\n".join(["Not written; these settings need a value:", *lines]), code=2)
    (venv.ROOT / CONFIG).write_text(render(settings))
    print(f"Wrote {CONFIG}.")
