"""The project's `kedro run`: good input gives outputs, bad input one clear message."""

import json
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner
from kedro.framework.startup import bootstrap_project

from kedro_azureml_starter.cli import run

RAW = Path("data/01_raw/iris.csv")


def kedro_run(project: Path, *args: str):
    bootstrap_project(project)
    return CliRunner().invoke(run, list(args))


def outputs(project: Path) -> dict[str, bytes]:
    """Every file a run wrote, with its content."""
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted((project / "data").rglob("*"))
        if path.is_file() and "01_raw" not in path.parts and path.name != ".gitkeep"
    }


def model_versions(project: Path) -> list[object]:
    return [
        pickle.loads(path.read_bytes())
        for path in sorted((project / "data/06_models/model.pkl").glob("*/model.pkl"))
    ]


@pytest.fixture
def ran_project(project, monkeypatch):
    """The project after one good run: a model version and metrics to keep safe."""
    monkeypatch.chdir(project)
    result = kedro_run(project)
    assert result.exit_code == 0, result.output
    return project


def test_a_run_writes_a_model_version_metrics_and_predictions(ran_project):
    metrics = json.loads((ran_project / "data/08_reporting/metrics.json").read_text())

    assert metrics == {"train_accuracy": 0.975, "test_accuracy": pytest.approx(29 / 30)}
    assert len(model_versions(ran_project)) == 1
    assert (ran_project / "data/07_model_output/predictions.csv").read_text().count("\n") == 31


def test_a_second_run_keeps_the_first_model(ran_project):
    result = kedro_run(ran_project, "--params", "model.C=0.5")

    assert result.exit_code == 0, result.output
    first, second = model_versions(ran_project)
    assert (first.C, second.C) == (1.0, 0.5)


def test_evaluate_model_alone_scores_the_latest_model_on_the_kept_split(ran_project):
    metrics = ran_project / "data/08_reporting/metrics.json"
    metrics.unlink()

    result = kedro_run(ran_project, "--from-nodes", "evaluate_model")

    assert result.exit_code == 0, result.output
    assert json.loads(metrics.read_text())["test_accuracy"] == pytest.approx(29 / 30)
    assert len(model_versions(ran_project)) == 1


def _rewrite(transform):
    def apply(project: Path) -> None:
        lines = (project / RAW).read_text().splitlines()
        (project / RAW).write_text("\n".join(transform(lines)) + "\n")

    return apply


def _without_column(lines, column):
    index = lines[0].split(",").index(column)
    return [",".join(v for i, v in enumerate(line.split(",")) if i != index) for line in lines]


def _set_cell(lines, row, value):
    cells = lines[row].split(",")
    cells[0] = value
    return [*lines[:row], ",".join(cells), *lines[row + 1 :]]


BAD_FILES = {
    "missing": (lambda p: (p / RAW).unlink(), ["data/01_raw/iris.csv", "does not exist"]),
    "empty": (lambda p: (p / RAW).write_text(""), ["data/01_raw/iris.csv", "is empty"]),
    "no species column": (
        _rewrite(lambda lines: _without_column(lines, "species")),
        ["data/01_raw/iris.csv", "column 'species'", "missing"],
    ),
    "non-numeric value": (
        _rewrite(lambda lines: _set_cell(lines, 5, "abc")),
        ["data/01_raw/iris.csv", "column 'sepal_length'", "not numbers", "abc"],
    ),
    "missing value": (
        _rewrite(lambda lines: _set_cell(lines, 5, "")),
        ["data/01_raw/iris.csv", "column 'sepal_length'", "missing values"],
    ),
    "single-row class": (
        _rewrite(lambda lines: lines[:102]),
        ["data/01_raw/iris.csv", "every species needs at least 2 rows"],
    ),
}

BAD_PARAMS = {
    "test_size above 1": ("iris_dataset.test_size=1.5", ["iris_dataset.test_size", "less than 1"]),
    "test_size zero": ("iris_dataset.test_size=0", ["iris_dataset.test_size", "greater than 0"]),
    "C zero": ("model.C=0", ["model.C", "greater than 0"]),
    "C negative": ("model.C=-1", ["model.C", "greater than 0"]),
    "unknown solver": ("model.solver=adam", ["model.solver", "'lbfgs'", "(got 'adam')"]),
    "unknown key": ("modle.C=0.5", ["Unknown parameter modle", "--params"]),
    "unknown field": ("model.c=0.5", ["model.c", "not permitted"]),
}


def assert_refused_and_nothing_lost(result, expected, project, before):
    assert result.exit_code != 0
    message = result.output
    for text in expected:
        assert text in message
    assert "Traceback" not in message
    assert outputs(project) == before
    assert [m.C for m in model_versions(project)] == [1.0]


@pytest.mark.parametrize(("breaks", "expected"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_raw_data_is_refused_with_nothing_lost(ran_project, breaks, expected):
    before = outputs(ran_project)
    breaks(ran_project)

    result = kedro_run(ran_project)

    assert_refused_and_nothing_lost(result, expected, ran_project, before)


@pytest.mark.parametrize(("params", "expected"), BAD_PARAMS.values(), ids=BAD_PARAMS.keys())
def test_bad_parameters_are_refused_with_nothing_lost(ran_project, params, expected):
    before = outputs(ran_project)

    result = kedro_run(ran_project, "--params", params)

    assert_refused_and_nothing_lost(result, expected, ran_project, before)


def test_verbose_shows_the_traceback(ran_project):
    result = kedro_run(ran_project, "--params", "model.C=0", "--verbose")

    assert result.exit_code != 0
    assert "ParameterValidationError" in repr(result.exception)


def test_an_environment_without_a_folder_is_refused_with_nothing_lost(ran_project):
    before = outputs(ran_project)

    result = kedro_run(ran_project, "--env", "staging")

    assert_refused_and_nothing_lost(result, ["conf/staging", "--env"], ran_project, before)
