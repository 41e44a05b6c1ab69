"""Kedro pipelines that run locally and on Azure ML."""

# For the project's short-lived processes, a run and its MLflow writer: they import a few
# hundred thousand objects that live until exit (Kedro, pandas, scikit-learn, matplotlib,
# MLflow), which the cyclic garbage collector's default thresholds have it scan again and
# again during the imports, for next to nothing: 0.3 s of a run. Collections stay on, just
# rarer (mypy does the same).
GC_THRESHOLDS = (200_000, 30, 30)
