"""Compile the Azure ML pipeline job with kedro-azureml and check it offline: the SDK's own
schema and validation, every step a `kedro azureml execute` with the expected environment,
and no secret in it.

`python -m workspace_tasks.in_venv.compiled_job JOB.yaml KEDRO_ENV AML_ENVIRONMENT KEDRO_ARGS...`
runs `kedro KEDRO_ARGS...` (`azureml -e KEDRO_ENV compile ... --output JOB.yaml`) in this
process, then prints the job's problems, one a line. A failed compile exits as `kedro` would
(1, or 2 for bad arguments); a job with problems exits with CHECKS_FAILED. Compiling here
rather than with the `kedro` command saves a second process importing kedro-azureml and the
Azure ML SDK, seconds each.
"""

import gc
import logging
import os
import re
import sys
from pathlib import Path

if __name__ == "__main__":
    # Two process-wide settings for the `invoke azure-compile` run, not for the tests that
    # import this module. They must come before the imports below, most of the run time.
    #
    # The imports create a few hundred thousand objects that live until exit (the SDK's
    # schemas, kedro, pandas, scikit-learn), which the cyclic garbage collector scans over
    # and over to free next to nothing: about 1.4 s of CPU. A run lasts seconds, so the
    # little cyclic garbage it makes can wait for the exit.
    gc.disable()
    # The SDK imports jsonschema, which imports every optional format-checker package it
    # finds, and rfc3987_syntax builds its Lark parsers on import: about 2 s. The SDK uses
    # jsonschema only for MLTable files, without a format checker, so those parsers would
    # never run here. The package is in the workspace venv only because jupyter-events
    # requires jsonschema[format-nongpl]; the run-time image does not have it. None in
    # sys.modules makes the import fail, which jsonschema takes as "not installed".
    # tests/azure/test_compile.py runs this program: it still finds the problems, and never
    # loads rfc3987_syntax.
    sys.modules.setdefault("rfc3987_syntax", None)

from azure.ai.ml import load_job
from detect_secrets import SecretsCollection
from detect_secrets.settings import default_settings
from kedro.framework.startup import bootstrap_project
from kedro_azureml.cli import commands as kedro_azureml_commands

# The SDK warns that some of its own schema classes are experimental whenever it loads
# them: news about the SDK, not about the job, and six lines of it on every compile.
logging.getLogger("azure.ai.ml._utils._experimental").setLevel(logging.ERROR)

# The exit code for a job that fails its checks (workspace_tasks.azure_jobs has it too).
CHECKS_FAILED = 3

# Environment variables whose values must never reach a job definition.
SECRET_NAME = re.compile(r"KEY|SECRET|PASSWORD|TOKEN|CONNECTION_STRING|SAS", re.IGNORECASE)


def _secret_values() -> dict[str, str]:
    values = {}
    for name, value in os.environ.items():
        if SECRET_NAME.search(name) and len(value) >= 8:
            values[name] = value
            # A connection string's parts (AccountKey=...) are secrets on their own.
            for part in value.split(";"):
                key, _, secret = part.partition("=")
                if SECRET_NAME.search(key) and len(secret) >= 8:
                    values[f"{name} ({key})"] = secret
    return values


def secrets_in(path: Path) -> list[str]:
    """The secrets found in the file: environment values, and what detect-secrets flags."""
    text = path.read_text()
    found = [f"the value of {name}" for name, value in _secret_values().items() if value in text]
    collection = SecretsCollection()
    with default_settings():
        collection.scan_file(str(path))
    found += [f"line {s.line_number}: {s.type}" for _, s in collection]
    return found


def problems(path: Path, kedro_env: str, environment: str) -> list[str]:
    """What is wrong with the compiled job at `path`; empty when it is fine."""
    job = load_job(path)
    result = job._validate()  # the SDK's client-side validation, as `az ml job create` runs it
    found = [f"Azure ML validation: {where}: {msg}" for where, msg in result.error_messages.items()]
    execute = f"kedro azureml -e {kedro_env} execute "
    for name, step in job.jobs.items():
        command = step.component.command
        if not command.startswith(execute):
            found.append(f"step {name} does not run `{execute.strip()}`: {command}")
        if str(step.environment) != environment:
            found.append(f"step {name} uses environment {step.environment}, not {environment}")
        if (step.environment_variables or {}).get("KEDRO_AZURE_RUNNER_CONFIG"):
            found.append(f"step {name} carries temporary-storage settings (a storage key)")
    found += [f"secret in the job: {what}" for what in secrets_in(path)]
    return found


def compile_job(kedro_args: list[str]) -> None:
    """`kedro KEDRO_ARGS` for the project in the current directory, as the `kedro` command
    runs it (same output, same exit code on failure), without loading the commands of kedro
    and its other plugins."""
    metadata = bootstrap_project(Path.cwd())
    try:
        kedro_azureml_commands.main(kedro_args, prog_name="kedro", obj=metadata)
    except SystemExit as done:  # click's standalone mode ends with one, even on success
        if done.code:
            raise


def main(job: Path, kedro_env: str, environment: str, kedro_args: list[str]) -> int:
    compile_job(kedro_args)
    found = problems(job, kedro_env, environment)
    for line in found:
        print(line)
    return CHECKS_FAILED if found else 0


if __name__ == "__main__":
    job, kedro_env, environment, *kedro_args = sys.argv[1:]
    code = main(Path(job), kedro_env, environment, kedro_args)
    # At exit the interpreter still collects over every object (over a second): frozen ones
    # are skipped, and their memory goes back with the process.
    gc.freeze()
    sys.exit(code)
