"""Project settings; see https://docs.kedro.org/en/stable/configure/configuration_basics/."""

import warnings

from kedro_azureml_starter.azureml_hook import LazyAzureMLLocalRunHook
from kedro_azureml_starter.hooks import ReportMetrics, RuntimeParamsCheck
from kedro_azureml_starter.local_credentials import local_credential
from kedro_azureml_starter.storage import StorageCheck
from kedro_azureml_starter.tracking import MlflowTracking

# Kedro 1.7 itself calls this deprecated OmegaConf API; the warning is noise in every run.
warnings.filterwarnings("ignore", "register_new_resolver", UserWarning)

# Kedro calls hooks last-registered first: the parameters are checked, then the storage,
# and MLflow's hook starts only after them. MLflow's is named: the project's `kedro run`
# starts its writer before Kedro loads anything.
MLFLOW_TRACKING = MlflowTracking()
HOOKS = (
    MLFLOW_TRACKING,
    StorageCheck(),
    RuntimeParamsCheck(),
    ReportMetrics(),
    LazyAzureMLLocalRunHook(),
)

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    # kedro-azureml's commands read conf/*/azureml.yml through this pattern.
    "config_patterns": {
        "azureml": ["azureml*", "azureml*/**", "**/azureml*"],
        # The cloud catalog reads its storage account and container (`storage:`) from
        # azureml.yml, so `invoke azure-configure` writes one file.
        "globals": ["globals.yml", "azureml.yml"],
    },
    "custom_resolvers": {"local_credential": local_credential},
}
