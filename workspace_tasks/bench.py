"""`invoke bench`: the workspace's speed and memory next to the seed's train.py."""

from invoke import task

from workspace_tasks import local, venv


def bench_command(repeats: int, rows: str | None, smoke: bool, compile_: bool) -> str:
    args = [str(venv.bin_path("python")), "benchmarks/bench.py", "--repeats", str(repeats)]
    if rows:
        args += ["--rows", rows]
    if smoke:
        args.append("--smoke")
    if not compile_:
        args.append("--no-compile")
    return " ".join(args)


@task(
    help={
        "repeats": "Paired runs per measurement (default 5).",
        "rows": "Comma-separated data sizes for the scale curve (default 10k to 10M).",
        "smoke": "Run every measurement once at small size; write no report.",
        "compile": "Include `invoke azure-compile` (default: yes).",
    }
)
def bench(c, repeats=5, rows=None, smoke=False, compile=True):
    """Measure run-local, viz, compile and setup against train.py; write benchmarks/README.md."""
    venv.ensure(c)
    local.in_venv(c, bench_command(repeats, rows, smoke, compile), "The benchmark failed (above).")
