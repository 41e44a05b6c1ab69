import subprocess
import sys

from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from kedro_azureml_starter.pipelines.iris_pipeline import create_pipeline
from kedro_azureml_starter.pipelines.iris_pipeline.schemas import ModelParams, SplitParams


def test_pipeline_turns_raw_iris_into_metrics_and_a_confusion_matrix(iris):
    catalog = DataCatalog(
        {
            "iris": MemoryDataset(iris),
            "params:iris_dataset": MemoryDataset(SplitParams(test_size=0.2, random_state=42)),
            "params:model": MemoryDataset(ModelParams(solver="lbfgs", C=1.0, random_state=42)),
        }
    )

    outputs = SequentialRunner().run(create_pipeline(), catalog)

    metrics = outputs["metrics"].load()
    matrix = outputs["confusion_matrix"].load().axes[0].images[0].get_array()
    assert matrix.shape == (3, 3)
    assert matrix.sum() == 30  # the test rows
    assert metrics["test_accuracy"] == matrix.trace() / matrix.sum()
    assert metrics["test_accuracy"] >= 0.9


def test_pipeline_has_the_seed_steps_in_order():
    names = [node.name for node in create_pipeline().nodes]

    assert names == ["split_data", "train_model", "evaluate_model", "plot_confusion_matrix"]


def test_building_the_pipeline_leaves_scikit_learn_to_the_nodes_that_use_it():
    # kedro-viz, `invoke azure-compile` and each Azure ML step build the pipeline; the
    # parameter types must still be found, or Kedro would stop validating them.
    code = (
        "import sys\n"
        "from kedro.validation import TypeExtractor\n"
        "from kedro_azureml_starter.pipelines.iris_pipeline import create_pipeline\n"
        "types = TypeExtractor({'p': create_pipeline()}).extract_types_from_pipelines()\n"
        "print(sorted(types), 'sklearn' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert done.stdout.split("\n")[0] == "['iris_dataset', 'model'] False"
