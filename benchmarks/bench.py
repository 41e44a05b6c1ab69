"""Time and memory of the workspace's commands, as ratios to the seed's train.py.

Each measurement pairs a command with the seed tutorial's `train.py` (`docs/train.py`) on
the same data, in the same run, on this machine; the table reports medians, min-max and
the ratio of the medians.
`invoke bench` runs it; `--smoke` runs every row once at small size without writing.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SEED_TRAIN = ROOT / "docs" / "train.py"
RAW = Path("data/01_raw/iris.csv")
EXAMPLE_SETTINGS = (
    "--subscription-id=01234567-89ab-cdef-0123-456789abcdef",
    "--resource-group=rg-bench",
    "--workspace=mlw-bench",
    "--cluster=cpu-cluster",
    "--training-cluster=cpu-cluster",
    "--storage-account=stbench",
    "--storage-container=bench",
    "--registry=acrbench",
    "--environment=kedro-azureml-starter",
    "--experiment=kedro-azureml-starter",
)

# A child that runs a command and reports its wall time and two peaks of memory: the RSS of
# its largest process (RUSAGE_CHILDREN covers every descendant waited for, as /usr/bin/time
# reports it), and the sum over all its processes at once, sampled every 0.2 s as PSS, so
# that libraries mapped by several of them count once.
_MEASURE = """
import json, os, resource, subprocess, sys, threading, time

def descendants(root):
    children = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found

def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0

peak_all = [0]
def sample(process):
    while process.poll() is None:
        peak_all[0] = max(peak_all[0], sum(map(pss_kb, descendants(process.pid))))
        time.sleep(0.2)

started = time.perf_counter()
process = subprocess.Popen(
    sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
)
sampler = threading.Thread(target=sample, args=(process,))
sampler.start()
log = process.stderr.read()
code = process.wait()
seconds = time.perf_counter() - started
sampler.join()
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "seconds": seconds, "peak_mb": peak_kb / 1024,
                  "all_mb": peak_all[0] / 1024, "log": log[-3000:]}))
"""


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)  # the largest process's RSS
    all_mb: list[float] = field(default_factory=list)  # all its processes together (PSS)


def measure(command: Sequence[str], cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """Wall seconds and the two memory peaks (MB) of one run of `command`; fail loudly if
    it fails."""
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)
    if report["code"] != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{report['log']}")
    return report


def iris_shaped(rows: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic rows with the shipped iris's columns and per-species means and spreads."""
    iris = pd.read_csv(ROOT / RAW)
    by_species = iris.groupby("species")
    means, spreads = by_species.mean(), by_species.std()
    rng = np.random.default_rng(seed)
    species = rng.choice(means.index.to_numpy(), size=rows)
    values = rng.normal(means.loc[species].to_numpy(), spreads.loc[species].to_numpy())
    data = pd.DataFrame(np.round(np.clip(values, 0.1, None), 1), columns=means.columns)
    data["species"] = species
    return data


def project_copy(workdir: Path, rows: int | None) -> Path:
    """The tracked files, as a fresh clone has them, with `rows` rows of raw data."""
    project = workdir / f"project-{rows or 'shipped'}"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).exists():  # not deleted in the working tree
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, project / name)
    if rows is not None:
        iris_shaped(rows).to_csv(project / RAW, index=False)
    return project


def invoke(*args: str) -> list[str]:
    return [sys.executable, "-m", "invoke", *args]


def seed_folder(project: Path) -> Path:
    """A folder holding the project's raw data as `iris.csv`, where the seed's train.py
    reads it: a link, not a copy, as the largest files are gigabytes."""
    folder = project.with_name(f"{project.name}-train-py")
    if not folder.exists():  # each pairing on the same project shares it
        folder.mkdir()
        (folder / "iris.csv").symlink_to(project / RAW)
    return folder


def paired(
    repeats: int, project: Path, env: dict[str, str], command: list[str]
) -> tuple[Sample, Sample]:
    """Alternate the seed's train.py and `command`, so both see the same machine."""
    baseline = ([sys.executable, str(SEED_TRAIN)], seed_folder(project))
    seed, ours = Sample(), Sample()
    for _ in range(repeats):
        for sample, (cmd, cwd) in ((seed, baseline), (ours, (command, project))):
            report = measure(cmd, cwd, env)
            for name in ("seconds", "peak_mb", "all_mb"):
                getattr(sample, name).append(report[name])
    return seed, ours


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def viz_until_api(project: Path, env: dict[str, str], timeout: float = 180) -> float:
    """Seconds from `invoke viz` to kedro-viz's API answering."""
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        invoke("viz", "--port", str(port)),
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while time.perf_counter() - started < timeout:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/main", timeout=2):
                    return time.perf_counter() - started
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("invoke viz exited before its API answered") from None
                time.sleep(0.1)
        raise SystemExit(f"kedro-viz did not answer within {timeout} s")
    finally:
        os.killpg(server.pid, 15)
        server.wait()


def folder_mb(path: Path) -> float:
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_symlink()) / 2**20


def runtime_venv_mb(workdir: Path, env: dict[str, str]) -> float:
    """Size of a venv holding only the run-time group: the Azure ML image's payload."""
    target = workdir / "runtime-venv"
    subprocess.run(
        ["uv", "sync", "--frozen", "--no-dev", "--no-install-project", "--compile-bytecode"],
        cwd=ROOT,
        env={**env, "UV_PROJECT_ENVIRONMENT": str(target)},
        check=True,
        capture_output=True,
    )
    return folder_mb(target)


@dataclass
class Row:
    what: str
    target: str
    value: float
    ratio_limit: float | None = None  # a ratio target, or None for an absolute one
    absolute_limit: float | None = None
    detail: str = ""

    @property
    def met(self) -> bool:
        limit = self.ratio_limit if self.ratio_limit is not None else self.absolute_limit
        return self.value <= limit


def spread(values: list[float], unit: str) -> str:
    return (
        f"{statistics.median(values):.2f} {unit} ({min(values):.2f}-{max(values):.2f})"
        if len(values) > 1
        else f"{values[0]:.2f} {unit}"
    )


def ratio_rows(label: str, seed: Sample, ours: Sample, time_limit: float, mem_limit: float):
    def row(kind: str, attribute: str, unit: str, limit: float, note: str = "") -> Row:
        a, b = getattr(ours, attribute), getattr(seed, attribute)
        return Row(
            f"{label}: {kind}",
            f"≤ {limit}x",
            statistics.median(a) / statistics.median(b),
            ratio_limit=limit,
            detail=f"{spread(a, unit)} vs train.py {spread(b, unit)}{note}",
        )

    # The target is on all the command's processes together: run-local's MLflow writer is a
    # process of its own, and memory moved there is still memory the machine must have.
    largest = statistics.median(ours.peak_mb) / statistics.median(seed.peak_mb)
    return [
        row("wall time", "seconds", "s", time_limit),
        row(
            "peak memory (all processes, PSS)",
            "all_mb",
            "MB",
            mem_limit,
            f"; largest process's RSS: {statistics.median(ours.peak_mb):.0f} MB vs "
            f"{statistics.median(seed.peak_mb):.0f} MB ({largest:.2f}x)",
        ),
    ]


# Processes that only import, to show what part of a command no change to this project can
# remove: what a run of the pipeline imports (what the seed's train.py imports, and Kedro,
# its datasets, matplotlib for the plot, pandera and pyarrow) and what the MLflow writer
# does. The last two import with the garbage collector's settings of the processes they
# stand for.
_AS_A_RUN = (
    "import gc; from kedro_azureml_starter import GC_THRESHOLDS as T; gc.set_threshold(*T); "
)
FLOORS = [
    (
        "train.py's imports, nothing else",
        [sys.executable, "-c", "import pandas, sklearn.linear_model, sklearn.model_selection"],
    ),
    (
        "a run's imports, nothing else",
        [
            sys.executable,
            "-c",
            _AS_A_RUN + "import kedro.framework.cli, kedro.framework.session, "
            "kedro_datasets.pandas, kedro_datasets.pickle, kedro_datasets.json, "
            "kedro_datasets.matplotlib, sklearn.linear_model, sklearn.model_selection, "
            "sklearn.metrics, matplotlib.backends.backend_agg, pandera.pandas, pyarrow.parquet",
        ],
    ),
    (
        "MLflow's import, as the writer does it",
        [sys.executable, "-c", _AS_A_RUN + "import mlflow.tracking"],
    ),
]


def floor_table(floors: list[tuple[str, Sample, Sample]]) -> str:
    lines = [
        "| process | wall time | ratio to train.py | memory (PSS) | ratio to train.py |",
        "|---|---|---|---|---|",
    ]
    median = statistics.median
    for what, seed, ours in floors:
        lines.append(
            f"| {what} | {spread(ours.seconds, 's')} "
            f"| {median(ours.seconds) / median(seed.seconds):.2f}x "
            f"| {median(ours.all_mb):.0f} MB | {median(ours.all_mb) / median(seed.all_mb):.2f}x |"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> list[Row]:
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"}
    repeats = 1 if args.smoke else args.repeats
    rows: list[Row] = []
    curve: list[tuple[int, Sample, Sample]] = []
    # Bring the venv up to date from this checkout first: a task in a copy would rebuild it
    # inside the timing, and install the project from the copy, soon deleted.
    subprocess.run(invoke("setup"), cwd=ROOT, env=env, check=True, capture_output=True)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        shipped = project_copy(workdir, None)
        seed, ours = paired(repeats, shipped, env, invoke("run-local"))
        rows += ratio_rows("`invoke run-local`, shipped data", seed, ours, 1.4, 1.3)
        curve.append((150, seed, ours))

        viz = [viz_until_api(shipped, env) for _ in range(repeats)]
        rows.append(
            Row(
                "`invoke viz` until the API answers",
                "≤ 2.5x",
                statistics.median(viz) / statistics.median(seed.seconds),
                ratio_limit=2.5,
                detail=f"{spread(viz, 's')} vs train.py {spread(seed.seconds, 's')}",
            )
        )
        if args.compile:
            # Compiling needs filled-in settings, not a workspace: any valid names do.
            measure(invoke("azure-configure", "--no-input", *EXAMPLE_SETTINGS), shipped, env)
            compiled = Sample()
            for _ in range(repeats):
                compiled.seconds.append(measure(invoke("azure-compile"), shipped, env)["seconds"])
            rows.append(
                Row(
                    "`invoke azure-compile`",
                    "≤ 2.0x",
                    statistics.median(compiled.seconds) / statistics.median(seed.seconds),
                    ratio_limit=2.0,
                    detail=f"{spread(compiled.seconds, 's')} vs train.py "
                    f"{spread(seed.seconds, 's')}",
                )
            )
        floors = [(what, *paired(repeats, shipped, env, command)) for what, command in FLOORS]
        noop = [measure(invoke("setup"), shipped, env)["seconds"] for _ in range(max(repeats, 3))]
        rows.append(
            Row(
                "`invoke setup` with nothing to do",
                "≤ 1.5 s",
                statistics.median(noop),
                absolute_limit=1.5,
                detail=spread(noop, "s"),
            )
        )
        for size in args.rows:
            project = project_copy(workdir, size)
            seed, ours = paired(repeats, project, env, invoke("run-local"))
            curve.append((size, seed, ours))
            if size >= 1_000_000:
                rows += ratio_rows(f"{size:,} rows", seed, ours, 1.15, 1.5)
            shutil.rmtree(project)

        runtime = runtime_venv_mb(workdir, env)
        full = folder_mb(Path(env.get("UV_PROJECT_ENVIRONMENT", "")))
        rows.append(
            Row(
                "run-time group installed (the image's payload)",
                "≤ 60% of the workspace venv",
                runtime / full,
                ratio_limit=0.6,
                detail=f"{runtime:.0f} MB of {full:.0f} MB",
            )
        )
    if not args.smoke:
        write_report(rows, curve, floors)
    print(floor_table(floors))
    return rows


def table(rows: list[Row]) -> str:
    lines = ["| what | target | measured | ratio | met |", "|---|---|---|---|---|"]
    for row in rows:
        value = f"{row.value:.2f} s" if row.absolute_limit is not None else f"{row.value:.2f}x"
        if row.what.startswith("run-time group"):
            value = f"{row.value:.0%}"
        lines.append(
            f"| {row.what} | {row.target} | {row.detail} | {value} | {'yes' if row.met else 'NO'} |"
        )
    return "\n".join(lines)


def plot(curve: list[tuple[int, Sample, Sample]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import ticker

    sizes = [size for size, _, _ in curve]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    # One colour per command, one line style per measure, the same in both panels.
    measures = {
        "seconds": ("o-", ""),
        "all_mb": ("o-", ", all processes (PSS)"),
        "peak_mb": ("s:", ", largest process (RSS)"),
    }
    for axis, attributes, label in (
        (left, ["seconds"], "wall time (s)"),
        (right, ["all_mb", "peak_mb"], "peak memory (MB)"),
    ):
        for index, name, colour in ((1, "train.py", "C0"), (2, "invoke run-local", "C1")):
            for attribute in attributes:
                style, suffix = measures[attribute]
                axis.plot(
                    sizes,
                    [statistics.median(getattr(c[index], attribute)) for c in curve],
                    style,
                    color=colour,
                    label=name + suffix,
                )
        axis.set(xscale="log", yscale="log", xlabel="rows", ylabel=label)
        # Plain numbers on the value axis (2, 5, 500), not powers of ten.
        axis.yaxis.set_major_formatter(ticker.ScalarFormatter())
        axis.yaxis.set_minor_formatter(ticker.ScalarFormatter())
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def write_report(
    rows: list[Row],
    curve: list[tuple[int, Sample, Sample]],
    floors: list[tuple[str, Sample, Sample]],
) -> None:
    plot(curve, ROOT / "benchmarks" / "scale.png")
    curve_lines = [
        "| rows | train.py | invoke run-local | train.py memory | run-local memory, all processes "
        "| run-local, largest process |",
        "|---|---|---|---|---|---|",
    ]
    for size, seed, ours in curve:
        median = statistics.median
        curve_lines.append(
            f"| {size:,} | {median(seed.seconds):.1f} s | {median(ours.seconds):.1f} s "
            f"| {median(seed.all_mb):.0f} MB | {median(ours.all_mb):.0f} MB "
            f"| {median(ours.peak_mb):.0f} MB |"
        )
    (ROOT / "benchmarks" / "README.md").write_text(
        REPORT.format(
            machine=f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
            date=time.strftime("%Y-%m-%d"),
            table=table(rows),
            curve="\n".join(curve_lines),
            floors=floor_table(floors),
        )
    )


REPORT = """# Benchmarks

Written by `invoke bench` on {date} ({machine}); do not edit by hand.

Every figure pairs a command with the seed tutorial's `train.py` (`docs/train.py`,
verbatim: it reads `iris.csv` from a folder where that links to the data), run
alternately on the same data in the same run. Medians, with min-max in brackets; ratios
are median over median. Peak memory is the most that all of a command's processes hold at
once, as PSS (so libraries mapped by several count once), sampled every 0.2 s for both
sides: `invoke run-local` has three processes (invoke, the Kedro run, and its MLflow
writer, which imports MLflow while the pipeline runs). The RSS of the largest process, as
`/usr/bin/time` reports it, is given beside it.

{table}

## Floors

What part of a command no change to this project can remove: processes that import what
a command needs and do nothing else, each paired with train.py like the rows above. A
target below a floor's ratio cannot be met without dropping what that floor imports (the
run's plot, its validation, Kedro itself, or MLflow tracking).

{floors}

## Scale curve

Iris-shaped synthetic data (same columns and per-species distributions, seeded).

{curve}

![time and memory against rows](scale.png)
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="Paired runs per row.")
    parser.add_argument(
        "--rows",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[10_000, 100_000, 1_000_000, 10_000_000],
        help="Comma-separated sizes for the scale curve.",
    )
    parser.add_argument("--smoke", action="store_true", help="Once each, small, no report.")
    parser.add_argument(
        "--no-compile", dest="compile", action="store_false", help="Skip azure-compile."
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.rows = [1000]
    rows = run(args)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
