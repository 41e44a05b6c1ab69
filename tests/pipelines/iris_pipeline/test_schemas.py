import pandera.errors
import pytest
from pydantic import ValidationError

from kedro_azureml_starter.pipelines.iris_pipeline.schemas import ModelParams, RawIris, SplitParams


def test_raw_iris_accepts_the_shipped_file(iris):
    assert len(RawIris.validate(iris)) == 150


@pytest.mark.parametrize(
    ("break_it", "problem"),
    [
        (lambda df: df.drop(columns="species"), "species"),
        (lambda df: df.assign(sepal_width="wide"), "sepal_width"),
        (lambda df: df.head(0), "no data rows"),
        (lambda df: df.iloc[:101], "at least 2 rows"),
    ],
)
def test_raw_iris_rejects_broken_tables(iris, break_it, problem):
    with pytest.raises(pandera.errors.SchemaErrors, match=problem):
        RawIris.validate(break_it(iris), lazy=True)


@pytest.mark.parametrize("test_size", [0, 1, 1.5, -0.1])
def test_split_params_need_a_test_size_between_0_and_1(test_size):
    with pytest.raises(ValidationError, match="test_size"):
        SplitParams(test_size=test_size)


@pytest.mark.parametrize(
    ("field", "value"), [("C", 0), ("C", -1), ("solver", "adam"), ("penalty", "l1")]
)
def test_model_params_reject_bad_values(field, value):
    with pytest.raises(ValidationError, match=field):
        ModelParams(**{"solver": "lbfgs", "C": 1.0, field: value})
