"""Project hooks."""

import logging
from typing import Any

from kedro.config import OmegaConfigLoader
from kedro.framework.hooks import hook_impl

logger = logging.getLogger(__name__)


class UnknownParameterError(ValueError):
    """A `--params` key names no parameter in the project's configuration."""


def _dotted_keys(params: dict[str, Any], prefix: str = "") -> set[str]:
    keys = set()
    for key, value in params.items():
        keys.add(prefix + key)
        if isinstance(value, dict):
            keys |= _dotted_keys(value, f"{prefix}{key}.")
    return keys


class RuntimeParamsCheck:
    """Refuse `--params` keys the parameter files don't define.

    Kedro adds an unknown runtime parameter silently, so a typo such as
    `model.c=0.5` would run with the default `C` and look like it worked.
    """

    @hook_impl
    def after_context_created(self, context) -> None:
        self._loader = context.config_loader

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any]) -> None:
        given = _dotted_keys(run_params.get("runtime_params") or {})
        if not given:
            return  # most runs: no second read of the parameter files
        known = self._file_parameters()
        # Name only the outermost unknown key: `foo.bar=1` is reported as `foo`.
        unknown = sorted(key for key in given - known if key.rpartition(".")[0] in known | {""})
        if unknown:
            raise UnknownParameterError(
                f"Unknown parameter {', '.join(unknown)} in --params: no conf/*/parameters*.yml "
                "defines it. Check the spelling; the parameters are: "
                f"{', '.join(sorted(known))}."
            )

    def _file_parameters(self) -> set[str]:
        # The context's loader already holds the runtime params; read the files alone.
        loader = self._loader
        files_only = OmegaConfigLoader(
            conf_source=loader.conf_source,
            env=loader.env,
            base_env=loader.base_env,
            default_run_env=loader.default_run_env,
            config_patterns=loader.config_patterns,
        )
        return _dotted_keys(files_only["parameters"])


class ReportMetrics:
    """Log the metrics a run produces, as the seed's `train.py` printed its accuracies."""

    @hook_impl
    def after_node_run(self, outputs: dict[str, Any]) -> None:
        for name, value in outputs.items():
            if name == "metrics" and isinstance(value, dict):
                for metric, number in value.items():
                    logger.info("%s: %s", metric, number)
