import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent


def copy_project(target: Path) -> Path:
    """The files git tracks, copied as a fresh clone has them: data layers other than raw
    start empty, and `conf/local` holds nothing but its placeholder. A tracked file deleted
    in the working tree is left out, as the next commit will."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for name in filter(None, tracked.split("\0")):
        if (ROOT / name).exists():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


@pytest.fixture(autouse=True)
def _pythonpath_stays_as_it_was():
    """Kedro's bootstrap_project() puts the project's src on PYTHONPATH for good; without
    this, every later subprocess would import the package from an earlier test's copy."""
    before = os.environ.get("PYTHONPATH")
    yield
    if before is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = before


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project, as a fresh clone has it, to run and to break."""
    return copy_project(tmp_path)


@pytest.fixture(scope="session")
def ran_project(tmp_path_factory) -> Path:
    """A fresh copy of the project, with its notebooks, after one `kedro run`: shared by
    the tests that only read it (the servers', the docs')."""
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


@pytest.fixture
def iris() -> pd.DataFrame:
    """The shipped raw iris table."""
    return pd.read_csv(ROOT / "data" / "01_raw" / "iris.csv")
