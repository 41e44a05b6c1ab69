import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_project


@pytest.fixture(scope="session")
def ran_project(tmp_path_factory) -> Path:
    """A fresh copy of the project, with its notebooks, after one `kedro run`: shared by
    the servers' tests, which only read it."""
    project = copy_project(tmp_path_factory.mktemp("ran-project"))
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "true", "MLFLOW_ALLOW_FILE_STORE": "true"}
    env.pop("MLFLOW_TRACKING_URI", None)
    run = subprocess.run(
        [sys.executable, "-m", "kedro_azureml_starter"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return project
