from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from kedro_azureml_starter.pipelines.iris_pipeline import create_pipeline
from kedro_azureml_starter.pipelines.iris_pipeline.schemas import ModelParams, SplitParams


def test_pipeline_turns_raw_iris_into_predictions_and_metrics(iris):
    catalog = DataCatalog(
        {
            "iris": MemoryDataset(iris),
            "params:iris_dataset": MemoryDataset(SplitParams(test_size=0.2, random_state=42)),
            "params:model": MemoryDataset(ModelParams(solver="lbfgs", C=1.0, random_state=42)),
        }
    )

    outputs = SequentialRunner().run(create_pipeline(), catalog)

    predictions = outputs["predictions"].load()
    metrics = outputs["metrics"].load()
    assert len(predictions) == 30
    assert metrics["test_accuracy"] == (predictions["predictions"] == predictions["y_true"]).mean()
    assert metrics["test_accuracy"] >= 0.9


def test_pipeline_has_the_seed_steps_in_order():
    names = [node.name for node in create_pipeline().nodes]

    assert names == ["split_data", "train_model", "evaluate_model"]
