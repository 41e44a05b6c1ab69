"""What Azure ML uploads as each step's code, computed by the Azure ML SDK's ignore rules."""

import json
import os
import subprocess
from pathlib import Path

from invoke import Exit, task

from workspace_tasks import venv
from workspace_tasks.azure_config import require_settings


def upload_set(root: Path | None = None) -> dict:
    """{"files": {path: bytes}, "total": bytes, "problems": [text]} for the tree at `root`.

    Runs the SDK's own .amlignore logic in the venv; `problems` names each symlink and each
    secret-looking file that would be uploaded. `invoke doctor` and rehearsals can reuse it.
    """
    root = root or venv.ROOT
    result = subprocess.run(
        [str(venv.bin_path("python")), "-m", "workspace_tasks.in_venv.upload_set", str(root)],
        cwd=venv.ROOT,
        env={**os.environ, **venv.environment()},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise Exit(f"Could not compute the upload set:\n{result.stderr.strip()}", code=1)
    return json.loads(result.stdout)


def require_clean_upload(root: Path | None = None) -> dict:
    """The upload set, or Exit naming each symlink or secret-looking file in it."""
    found = upload_set(root)
    if found["problems"]:
        raise Exit(
            "\n".join(["The code upload is not safe to send to Azure ML:", *found["problems"]]),
            code=2,
        )
    return found


def human(size: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


@task
def azure_upload_set(c):
    """List the files Azure ML would upload as the steps' code, with the total size."""
    require_settings()
    found = upload_set()
    for path, size in found["files"].items():
        print(f"{human(size):>10}  {path}")
    print(f"{human(found['total']):>10}  total, {len(found['files'])} files (.amlignore rules)")
    if found["problems"]:
        raise Exit("\n".join(["Not safe to upload:", *found["problems"]]), code=2)
