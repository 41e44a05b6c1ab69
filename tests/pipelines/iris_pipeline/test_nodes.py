import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from kedro_azureml_starter.pipelines.iris_pipeline.nodes import (
    evaluate_model,
    plot_confusion_matrix,
    split_data,
    train_model,
)
from kedro_azureml_starter.pipelines.iris_pipeline.schemas import ModelParams, SplitParams

SPLIT = SplitParams(test_size=0.2, random_state=42)
MODEL = ModelParams(solver="lbfgs", C=1.0, random_state=42)


def test_split_data_keeps_every_row_and_stratifies(iris):
    data_train, data_test = split_data(iris, SPLIT)

    assert len(data_train) == 120
    assert len(data_test) == 30
    assert set(data_train.index).isdisjoint(data_test.index)
    assert data_test["species"].value_counts().to_dict() == {
        "setosa": 10,
        "versicolor": 10,
        "virginica": 10,
    }


def test_split_data_is_reproducible(iris):
    first_train, _ = split_data(iris, SPLIT)
    second_train, _ = split_data(iris, SPLIT)

    pd.testing.assert_frame_equal(first_train, second_train)


def test_split_data_fails_on_a_single_row_class(iris):
    lonely = iris.drop(iris.index[(iris["species"] == "virginica")][1:])

    with pytest.raises(ValueError, match="least populated class"):
        split_data(lonely, SPLIT)


def test_train_model_fits_the_given_parameters(iris):
    data_train, _ = split_data(iris, SPLIT)

    model = train_model(data_train, ModelParams(solver="newton-cg", C=0.5, random_state=1))

    assert isinstance(model, LogisticRegression)
    assert (model.solver, model.C, model.random_state) == ("newton-cg", 0.5, 1)
    assert list(model.classes_) == ["setosa", "versicolor", "virginica"]


def test_train_model_fails_on_missing_values(iris):
    data_train, _ = split_data(iris, SPLIT)
    data_train.iloc[0, 0] = float("nan")

    with pytest.raises(ValueError, match="NaN"):
        train_model(data_train, MODEL)


def test_evaluate_model_matches_the_seed_script(iris):
    data_train, data_test = split_data(iris, SPLIT)
    model = train_model(data_train, MODEL)

    predictions, metrics = evaluate_model(model, data_train, data_test)

    # The seed's train.py prints these two numbers for the same split.
    assert metrics == {"train_accuracy": 0.975, "test_accuracy": pytest.approx(29 / 30)}
    assert list(predictions.columns) == ["predictions", "y_true"]
    assert predictions.index.equals(data_test.index)
    assert (predictions["predictions"] == predictions["y_true"]).mean() == metrics["test_accuracy"]


def test_evaluate_model_fails_on_an_unfitted_model(iris):
    data_train, data_test = split_data(iris, SPLIT)

    with pytest.raises(ValueError, match="not fitted"):
        evaluate_model(LogisticRegression(), data_train, data_test)


def test_plot_confusion_matrix_draws_the_three_classes(iris):
    data_train, data_test = split_data(iris, SPLIT)
    predictions, _ = evaluate_model(train_model(data_train, MODEL), data_train, data_test)

    figure = plot_confusion_matrix(predictions)

    (axes,) = figure.axes
    matrix = axes.images[0].get_array()
    assert matrix.shape == (3, 3)
    assert matrix.sum() == len(predictions) == 30
    assert matrix.trace() == (predictions["predictions"] == predictions["y_true"]).sum()
    assert [label.get_text() for label in axes.get_xticklabels()] == [
        "setosa",
        "versicolor",
        "virginica",
    ]
