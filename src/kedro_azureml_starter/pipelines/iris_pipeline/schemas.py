"""What the pipeline accepts: the raw iris table and the two parameter groups."""

from typing import Literal

import pandera.pandas as pa
from pandera.typing import Series
from pydantic import BaseModel, ConfigDict, Field

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
TARGET = "species"


class RawIris(pa.DataFrameModel):
    """The iris CSV: four numeric measurements and a species label per row."""

    sepal_length: Series[float] = pa.Field(nullable=False, coerce=True)
    sepal_width: Series[float] = pa.Field(nullable=False, coerce=True)
    petal_length: Series[float] = pa.Field(nullable=False, coerce=True)
    petal_width: Series[float] = pa.Field(nullable=False, coerce=True)
    # Read as a category (see catalog.yml); a DataFrame from elsewhere is converted.
    species: Series[pa.Category] = pa.Field(nullable=False, coerce=True)

    @pa.dataframe_check(error="the file has no data rows")
    @classmethod
    def has_rows(cls, df) -> bool:
        return len(df) > 0

    # A stratified split puts every species in both halves, so each needs two rows.
    @pa.dataframe_check(error="every species needs at least 2 rows for a stratified split")
    @classmethod
    def two_rows_per_species(cls, df) -> bool:
        return TARGET not in df or bool((df[TARGET].value_counts() >= 2).all())

    class Config:
        strict = True


class SplitParams(BaseModel):
    """`iris_dataset` in parameters_iris_pipeline.yml: how to split train from test."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    test_size: float = Field(gt=0, lt=1, description="Share of rows held out for testing")
    random_state: int = 42


class ModelParams(BaseModel):
    """`model` in parameters_iris_pipeline.yml: scikit-learn LogisticRegression settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # The solvers that fit a three-class model (liblinear does not).
    solver: Literal["lbfgs", "newton-cg", "newton-cholesky", "sag", "saga"]
    C: float = Field(gt=0, description="Inverse regularisation strength")
    random_state: int = 42
