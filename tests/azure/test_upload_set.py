"""The code upload: what Azure ML would send, by the SDK's own ignore rules."""

import os
from pathlib import Path

import pytest
from invoke import Exit, MockContext

from workspace_tasks import azure_upload
from workspace_tasks.in_venv import upload_set

NEEDED = [
    "pyproject.toml",
    "src/kedro_azureml_starter/settings.py",
    "src/kedro_azureml_starter/pipelines/iris_pipeline/nodes.py",
    "conf/base/azureml.yml",
    "conf/base/catalog.yml",
    "conf/base/parameters_iris_pipeline.yml",
    "conf/cloud/catalog.yml",
]
NEVER = [
    "conf/local/credentials.yml",
    "data/01_raw/iris.csv",
    "data/06_models/model.pkl/2026-01-01T00.00.00.000Z/model.pkl",
    "data/08_reporting/metrics.json",
    "notebooks/explore.ipynb",
    "notebooks/.ipynb_checkpoints/explore-checkpoint.ipynb",
    "mlruns/0/meta.yaml",
    ".venv/bin/python",
    ".venv/lib/python3.11/site-packages/x.py",
    "src/kedro_azureml_starter/__pycache__/settings.cpython-311.pyc",
    ".pytest_cache/v/cache/lastfailed",
    ".ruff_cache/0.1/x",
    "build/azureml/pipeline.yaml",
    ".git/config",
    ".secrets.baseline",
    ".env",
    "tests/test_cli.py",
]


def plant(root: Path, paths: list[str]) -> None:
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        if not (root / path).exists():
            (root / path).write_text("x\n")


def test_the_upload_holds_what_a_step_needs_and_nothing_else(configured):
    plant(configured, [*NEVER, "conf/cloud/credentials.yml"])

    found = upload_set.compute(configured)  # what `azure_upload.upload_set()` runs in the venv

    assert set(NEEDED) <= set(found["files"])
    assert not set(NEVER) & set(found["files"])
    assert all(
        path.startswith(("src/", "conf/base/", "conf/cloud/", "pyproject"))
        for path in found["files"]
    )
    assert found["total"] == sum(found["files"].values()) > 0
    assert found["problems"] == []


@pytest.mark.parametrize(
    "secret",
    [
        "src/kedro_azureml_starter/client_secret.json",
        "conf/cloud/.env.production",
        "conf/base/id_rsa",
    ],
)
def test_a_secret_looking_file_in_the_upload_is_refused(configured, secret):
    plant(configured, [secret])

    (problem,) = upload_set.compute(configured)["problems"]

    assert problem.startswith(f"{secret} looks like a secret")


@pytest.fixture
def symlink(configured) -> str:
    link = "src/kedro_azureml_starter/linked_nodes.py"
    os.symlink("pipelines/iris_pipeline/nodes.py", configured / link)
    return link


def test_a_symlink_fails_the_upload_set_with_its_path(symlink, capsys):
    with pytest.raises(Exit, match=rf"{symlink} is a symlink") as error:
        azure_upload.azure_upload_set(MockContext())
    assert error.value.code == 2
    assert "total" in capsys.readouterr().out


def test_an_ignored_symlink_is_no_problem(configured):
    (configured / "data").mkdir(exist_ok=True)
    os.symlink("01_raw", configured / "data" / "raw")

    assert upload_set.compute(configured)["problems"] == []
