"""The steps of the seed's `train.py`, as pure functions.

scikit-learn is imported inside the nodes that use it, not here: Kedro imports this module
whenever it builds the pipeline, for kedro-viz, `invoke azure-compile` and every Azure ML
step, and scikit-learn's import (with SciPy's) is most of a second of each.
"""

from typing import Protocol

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .schemas import FEATURES, TARGET, ModelParams, SplitParams


class Classifier(Protocol):
    """A fitted scikit-learn classifier, as `evaluate_model` uses it."""

    def predict(self, features: np.ndarray) -> np.ndarray: ...


def split_data(data: pd.DataFrame, params: SplitParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the rows into train and test sets, stratified by species."""
    from sklearn.model_selection import train_test_split

    data_train, data_test = train_test_split(
        data,
        test_size=params.test_size,
        stratify=data[TARGET],
        random_state=params.random_state,
    )
    return data_train, data_test


def train_model(data_train: pd.DataFrame, params: ModelParams) -> Classifier:
    """Fit a logistic regression of species on the four measurements."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(solver=params.solver, C=params.C, random_state=params.random_state)
    # Row by row in memory, as the solver works: given pandas' column-wise array it would
    # make this copy itself and hold both (25 MB more at a million rows, and slower).
    features = np.ascontiguousarray(data_train[FEATURES].to_numpy())
    model.fit(features, data_train[TARGET])
    return model


def evaluate_model(
    model: Classifier, data_train: pd.DataFrame, data_test: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Predict the test rows and score the model on both sets."""
    predicted = model.predict(data_test[FEATURES].to_numpy())
    predictions = pd.DataFrame(
        {"predictions": predicted, "y_true": data_test[TARGET].to_numpy()},
        index=data_test.index,
    )
    metrics = {
        "train_accuracy": _accuracy(
            model.predict(data_train[FEATURES].to_numpy()), data_train[TARGET]
        ),
        "test_accuracy": _accuracy(predicted, data_test[TARGET]),
    }
    return predictions, metrics


def _accuracy(predicted: np.ndarray, actual: pd.Series) -> float:
    # The share of rows predicted right, as `model.score` has it, without the checks of
    # `accuracy_score`, which sort every label: seconds at millions of rows.
    return float(np.mean(predicted == actual.to_numpy()))


def plot_confusion_matrix(predictions: pd.DataFrame) -> Figure:
    """Draw how the test rows of each true species (rows) were predicted (columns)."""
    from sklearn.metrics import ConfusionMatrixDisplay

    # Counted by pandas, which hashes the labels; scikit-learn's `confusion_matrix` looks
    # each one up in a Python loop, seconds at millions of rows.
    counts = pd.crosstab(predictions["y_true"], predictions["predictions"])
    labels = counts.index.union(counts.columns)  # sorted, as scikit-learn orders them
    counts = counts.reindex(index=labels, columns=labels, fill_value=0)
    # A Figure of its own, not pyplot's global state: nothing lingers after the call.
    figure = Figure(figsize=(5.5, 4.5), layout="constrained")
    ConfusionMatrixDisplay(counts.to_numpy(), display_labels=labels.to_list()).plot(
        ax=figure.subplots(), cmap="Blues", colorbar=False
    )
    figure.axes[0].set_title("Test set: true vs predicted species")
    return figure
