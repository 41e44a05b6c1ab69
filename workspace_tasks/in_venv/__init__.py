"""Helpers the tasks run with the venv's python: unlike the task modules, they import the
project's libraries (yaml, kedro, azure.ai.ml). Each is `python -m workspace_tasks.in_venv.X`."""
