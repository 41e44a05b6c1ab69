"""The seed's `train.py` as a pipeline: split the iris data, train, evaluate."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
