import shutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a fresh clone holds that a run reads; data layers other than raw start empty.
PROJECT_FILES = (
    *("pyproject.toml", "uv.lock", ".pre-commit-config.yaml", ".telemetry", "tasks.py"),
    *(".amlignore", ".dockerignore", ".gitignore", "Dockerfile"),
)
PROJECT_DIRS = ("conf/base", "conf/cloud", "data/01_raw", "src", "workspace_tasks")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project, as a fresh clone has it, to run and to break."""
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, tmp_path / name)
    for name in PROJECT_DIRS:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "conf" / "local").mkdir()
    return tmp_path


@pytest.fixture
def iris() -> pd.DataFrame:
    """The shipped raw iris table."""
    return pd.read_csv(ROOT / "data" / "01_raw" / "iris.csv")
