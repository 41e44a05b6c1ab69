"""Project settings; see https://docs.kedro.org/en/stable/configure/configuration_basics/."""

import warnings

from kedro_azureml_starter.hooks import ReportMetrics, RuntimeParamsCheck

# Kedro 1.7 itself calls this deprecated OmegaConf API; the warning is noise in every run.
warnings.filterwarnings("ignore", "register_new_resolver", UserWarning)

HOOKS = (RuntimeParamsCheck(), ReportMetrics())

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
}
