"""kedro-viz's server for this project.

`python -m workspace_tasks.in_venv.viz_server --host H --port P`. The same server as
`kedro viz run`, without what slows that down: loading every `kedro` CLI plugin, asking
PyPI for a newer kedro-viz, and starting the server in a second process. Not in lite
mode: that is for projects whose dependencies are missing, and it finds out by looking up
every import in the package, which imports MLflow (for a module that only a run's writer
process loads): a second, here, for nothing, since the venv has them all.
"""

import argparse
from pathlib import Path

from kedro_viz.server import run_server

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    run_server(
        host=args.host,
        port=args.port,
        project_path=str(ROOT),
        package_name="kedro_azureml_starter",
    )


if __name__ == "__main__":
    main()
