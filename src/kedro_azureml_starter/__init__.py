"""Kedro pipelines that run locally and on Azure ML."""
