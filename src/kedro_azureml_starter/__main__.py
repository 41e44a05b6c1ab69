"""Run the project as `python -m kedro_azureml_starter`, which is what `invoke run-local` does."""

import gc
import os
import sys
from pathlib import Path
from typing import Any

from kedro.framework.cli.utils import find_run_command
from kedro.framework.project import configure_project

from kedro_azureml_starter import GC_THRESHOLDS


def main(*args: Any, **kwargs: Any) -> Any:
    gc.set_threshold(*GC_THRESHOLDS)
    # Arrow's own allocator keeps what writing the Parquet split used, and the run's peak,
    # while training, comes after it: 60 MB more at a million rows. The system allocator
    # gives it back. Set before pyarrow is imported; a user's own choice stands.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    package_name = Path(__file__).parent.name
    configure_project(package_name)
    kwargs["standalone_mode"] = not hasattr(sys, "ps1")
    run = find_run_command(package_name)
    return run(*args, **kwargs)


if __name__ == "__main__":
    try:
        main()
    finally:
        # At exit Python collects over every object the run made or imported: half a second
        # or more, for a process about to end. Frozen objects are skipped; files, logs and
        # exit handlers still close.
        gc.freeze()
