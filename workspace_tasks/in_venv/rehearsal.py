"""Run a compiled Azure ML pipeline here, each step as Azure ML would: in its own sandbox.

`python -m workspace_tasks.in_venv.rehearsal JOB.yaml ROOT WORKDIR [--create-container]`
stages the raw data into the cloud catalog's storage (AZURE_STORAGE_CONNECTION_STRING),
then runs the steps in dependency order. Each gets a fresh copy of the upload set, a fresh
process, only its declared environment variables plus the storage connection, and
per-step input and output folders wired producer to consumer. Prints a table; on failure
the step, its command, the tail of its log and what is at fault; exits 1.
"""

import graphlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from workspace_tasks.in_venv import azure_settings, cloud_data, upload_set

PRODUCER = re.compile(r"\$\{\{parent\.jobs\.([\w-]+)\.outputs\.(\w+)\}\}")
PLACEHOLDER = re.compile(r"\$\{\{(inputs|outputs)\.(\w+)\}\}")
TAIL = 25


class RehearsalError(Exception):
    """The rehearsal cannot start: the message says why."""


@dataclass
class Step:
    name: str
    command: str
    environment: dict[str, str]
    inputs: dict[str, tuple[str, str]]  # input -> (producing step, its output)
    outputs: list[str]
    status: str = "not run"
    seconds: float = 0.0
    written: dict[str, int] = field(default_factory=dict)


def read_steps(job: Path) -> list[Step]:
    """The job's command steps in dependency order."""
    jobs = yaml.safe_load(job.read_text())["jobs"]
    steps = {}
    for name, spec in jobs.items():
        inputs = {}
        for key, binding in (spec.get("inputs") or {}).items():
            path = binding.get("path") if isinstance(binding, dict) else binding
            if isinstance(path, str) and (match := PRODUCER.fullmatch(path.strip())):
                inputs[key] = (match[1], match[2])
        component = spec["component"]
        declared = {
            **component.get("environment_variables", {}),
            **spec.get("environment_variables", {}),
        }
        steps[name] = Step(
            name=name,
            command=component["command"],
            environment={key: str(value) for key, value in declared.items()},
            inputs=inputs,
            outputs=list(component.get("outputs") or {}),
        )
    graph = {
        name: {producer for producer, _ in step.inputs.values()} for name, step in steps.items()
    }
    return [steps[name] for name in graphlib.TopologicalSorter(graph).static_order()]


def command_line(step: Step, folders: dict[tuple[str, str], Path]) -> str:
    """The step's command with each ${{inputs.x}} and ${{outputs.y}} replaced by its folder."""

    def folder(match: re.Match) -> str:
        if (match[1], match[2]) not in folders:
            raise RehearsalError(f"step {step.name}: nothing provides {match[0]} in its command")
        return shlex.quote(str(folders[match[1], match[2]]))

    return PLACEHOLDER.sub(folder, step.command)


def step_environment(step: Step, home: Path) -> dict[str, str]:
    """What the step's process sees: its declared variables, storage, and a bare minimum."""
    return {
        "PATH": os.pathsep.join(
            [str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        "HOME": str(home),
        "TMPDIR": str(home / "tmp"),  # not the shared /tmp, another way for steps to meet
        "LANG": "C.UTF-8",
        # The workspace's own setting, not the laptop's: keeps Kedro from asking for consent.
        "KEDRO_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "1",
        **step.environment,
        "AZURE_STORAGE_CONNECTION_STRING": os.environ.get("AZURE_STORAGE_CONNECTION_STRING", ""),
    }


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def run_step(step: Step, root: Path, files: list[str], workdir: Path) -> Path:
    """Run one step in a fresh sandbox under `workdir`; return its log."""
    sandbox = workdir / step.name
    code, home = sandbox / "code", sandbox / "home"
    for relative in files:
        (code / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, code / relative)
    (home / "tmp").mkdir(parents=True)
    folders = {}
    for name, (producer, output) in step.inputs.items():
        # A copy, as a consumer must not change what its producer wrote.
        folders["inputs", name] = sandbox / "inputs" / name
        shutil.copytree(workdir / producer / "outputs" / output, folders["inputs", name])
    for name in step.outputs:
        folders["outputs", name] = sandbox / "outputs" / name
        folders["outputs", name].mkdir(parents=True)
    step.command = command_line(step, folders)
    log = sandbox / "log.txt"
    started = time.monotonic()
    with log.open("w") as out:
        result = subprocess.run(
            ["/bin/sh", "-c", step.command],
            cwd=code,
            env=step_environment(step, home),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    step.seconds = time.monotonic() - started
    step.status = "ok" if result.returncode == 0 else f"failed ({result.returncode})"
    step.written = {name: folder_bytes(folders["outputs", name]) for name in step.outputs}
    return log


def stage_raw_data(root: Path, create_container: bool) -> dict[str, str]:
    """Stage the raw data into the cloud storage as `invoke azure-data` does.

    Returns the cloud catalog's datasets that still point at a local path: a raw dataset
    among them is left alone (staging would write over the local file).
    """
    local, cloud = cloud_data.catalog(root, "local"), cloud_data.catalog(root, "cloud")
    on_disk = {}
    for name in cloud:
        if getattr(cloud[name], "_protocol", None) == "file":
            path = Path(str(cloud[name]._describe()["filepath"]))
            on_disk[name] = str(path.relative_to(root) if path.is_relative_to(root) else path)
    raw = [name for name in cloud_data.raw_datasets(local) if name not in on_disk]
    if create_container and raw:
        container = azure_settings.read(root)["storage_container"]
        cloud_data.probe_storage(cloud, raw[0])
        cloud[raw[0]]._fs.mkdir(container, exist_ok=True)
    for name in raw:
        cloud_data.probe_storage(cloud, name)
        cloud.save(name, local.load(name))
        print(f"staged {name} into the cloud catalog's storage")
    return on_disk


def at_fault(log_text: str, root: Path, on_disk: dict[str, str], files: list[str]) -> list[str]:
    """What the log points at: a cloud dataset on a local path, or a laptop-only variable."""
    found = []
    unwrapped = re.sub(r"\s+", "", log_text)  # the log wraps long paths across lines
    for name, path in on_disk.items():
        if path in unwrapped:
            left_out = path not in files and (root / path).exists()
            uploaded = "; it is on this machine, but .amlignore leaves it out of the upload"
            uploaded = uploaded if left_out else ""
            found.append(
                f"dataset `{name}` is a local path in the cloud catalog ({path}): on Azure ML "
                "each step starts from a fresh copy of the upload, so what one step writes there "
                f"no other step sees{uploaded}. Point it at abfs:// in conf/cloud/catalog.yml."
            )
    for variable in set(re.findall(r"KeyError: '(\w+)'", log_text)) & set(os.environ):
        found.append(
            f"environment variable {variable} is set on this machine, but a step on Azure ML has "
            "only the variables its job declares: read the value from conf/cloud instead."
        )
    return found


def table(steps: list[Step]) -> str:
    rows = [("step", "status", "seconds", "bytes per output")]
    for step in steps:
        written = ", ".join(f"{name} {size}" for name, size in step.written.items())
        seconds = f"{step.seconds:.1f}" if step.status != "not run" else ""
        rows.append((step.name, step.status, seconds, written))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}".rstrip()
        for row in rows
    )


def rehearse(job: Path, root: Path, workdir: Path, create_container: bool = False) -> int:
    """Stage, run every step in its sandbox, report; 0 when all steps pass."""
    found = upload_set.compute(root)
    if found["problems"]:
        raise RehearsalError("\n".join(["The code upload is not safe:", *found["problems"]]))
    files = list(found["files"])
    try:
        on_disk = stage_raw_data(root, create_container)
    except Exception as error:  # one clear line instead of a traceback
        explained = cloud_data.explain(error, root)
        raise RehearsalError(f"Staging the raw data failed: {explained}") from None
    steps = read_steps(job)
    for step in steps:
        log = run_step(step, root, files, workdir)
        if step.status != "ok":
            break
    print(table(steps))
    failed = next((step for step in steps if step.status.startswith("failed")), None)
    if any(size == 0 for step in steps if step.status == "ok" for size in step.written.values()):
        print("(0 bytes: the step saved that dataset through the cloud catalog; its output")
        print(" folder only orders the steps, as on Azure ML.)")
    if failed is None:
        print(f"All {len(steps)} steps passed, each in its own sandbox.")
        return 0
    text = log.read_text()
    print(f"\nStep {failed.name} failed. Its command, in {workdir / failed.name / 'code'}:")
    print(f"  {failed.command}")
    print(f"The last lines of its log ({log}):")
    print("\n".join(f"  {line}" for line in text.rstrip().splitlines()[-TAIL:]))
    for cause in at_fault(text, root, on_disk, files):
        print(f"Step {failed.name}: {cause}")
    return 1


def main(argv: list[str]) -> int:
    job, root, workdir = (Path(arg).resolve() for arg in argv[:3])
    try:
        return rehearse(job, root, workdir, create_container="--create-container" in argv)
    except RehearsalError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
