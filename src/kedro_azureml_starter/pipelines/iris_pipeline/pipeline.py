"""Wiring of the iris pipeline."""

from kedro.pipeline import Pipeline, node, pipeline

from .nodes import evaluate_model, plot_confusion_matrix, split_data, train_model


def create_pipeline(**kwargs) -> Pipeline:
    return pipeline(
        [
            node(
                split_data,
                inputs=["iris", "params:iris_dataset"],
                outputs=["data_train", "data_test"],
                name="split_data",
            ),
            node(
                train_model,
                inputs=["data_train", "params:model"],
                outputs="model",
                name="train_model",
                tags=["training"],
            ),
            node(
                evaluate_model,
                inputs=["model", "data_train", "data_test"],
                outputs=["predictions", "metrics"],
                name="evaluate_model",
            ),
            node(
                plot_confusion_matrix,
                inputs="predictions",
                outputs="confusion_matrix",
                name="plot_confusion_matrix",
            ),
        ]
    )
