"""Check a compiled Azure ML pipeline offline: the SDK's own schema and validation, every
step a `kedro azureml execute` with the expected environment, and no secret in it.

`python -m workspace_tasks.in_venv.compiled_job JOB.yaml KEDRO_ENV AML_ENVIRONMENT` prints
one problem a line and exits 1 if there are any.
"""

import os
import re
import sys
from pathlib import Path

from azure.ai.ml import load_job
from detect_secrets import SecretsCollection
from detect_secrets.settings import default_settings

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


if __name__ == "__main__":
    job_path, kedro_env, environment = sys.argv[1:4]
    found = problems(Path(job_path), kedro_env, environment)
    for line in found:
        print(line)
    sys.exit(1 if found else 0)
