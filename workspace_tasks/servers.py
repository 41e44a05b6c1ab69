"""Tasks that serve a view of the project: JupyterLab, kedro-viz and the MLflow UI."""

import json
import os
import shlex
import socket
from pathlib import Path

from invoke import Exit, task

from workspace_tasks import local, venv

PACKAGE = "kedro_azureml_starter"
KERNEL = PACKAGE  # the Jupyter kernel that loads Kedro's IPython extension
LAB_PORT, VIZ_PORT, MLFLOW_PORT = 8888, 4141, 5000
MLFLOW_STORE = "mlruns"  # where the project's runs are logged: see src/.../tracking.py


DOCKERENV = Path("/.dockerenv")


def in_container() -> bool:
    return DOCKERENV.exists() or any(
        os.environ.get(name) for name in ("REMOTE_CONTAINERS", "CODESPACES", "DEVCONTAINER")
    )


def default_host() -> str:
    """All interfaces inside a container, so its port forwarding reaches the server;
    only this machine's loopback elsewhere, so the servers are not open to the network."""
    return "0.0.0.0" if in_container() else "127.0.0.1"


def check_port_free(host: str, port: int, task_name: str) -> None:
    """Exit with one clear message if something already listens on `port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers do, so a socket of a just-stopped server does not count as busy.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise Exit(
                f"Port {port} is already in use ({error.strerror}), perhaps by an earlier "
                f"`invoke {task_name}`. Stop that server, or choose another port: "
                f"`invoke {task_name} --port {port + 1}`.",
                code=1,
            ) from None


def kernel_spec(python: Path) -> dict:
    """A Jupyter kernel running Kedro's IPython extension: `catalog`, `context`,
    `session` and `pipelines` exist in every notebook."""
    return {
        "argv": [
            *(str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"),
            *("--ext", "kedro.ipython"),
        ],
        "display_name": "Kedro (kedro-azureml-starter)",
        "language": "python",
        "metadata": {"debugger": True},
    }


def install_kernel(kernels: Path, python: Path) -> Path:
    """Write the kernel spec into the `kernels` folder; return its own folder."""
    folder = kernels / KERNEL
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(kernel_spec(python), indent=2) + "\n")
    return folder


def lab_command(host: str, port: int) -> str:
    args = [
        str(venv.bin_path("jupyter")),
        "lab",
        "--no-browser",
        f"--ServerApp.ip={host}",
        f"--ServerApp.port={port}",
        # Fail on a busy port rather than quietly serving on another one.
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={venv.ROOT}",
        f"--MultiKernelManager.default_kernel_name={KERNEL}",
    ]
    if os.geteuid() == 0:  # CI and some containers run as root; Jupyter refuses by default
        args.append("--allow-root")
    return shlex.join(args)


def viz_command(host: str, port: int) -> str:
    # The server itself: no `kedro` CLI plugins to load, no PyPI version check.
    return shlex.join(
        [
            *(str(venv.bin_path("python")), "-m", "workspace_tasks.in_venv.viz_server"),
            *("--host", host, "--port", str(port)),
        ]
    )


def viz_build_command() -> str:
    return shlex.join([str(venv.bin_path("kedro")), "viz", "build", "--include-previews"])


def mlflow_ui_command(host: str, port: int, store: Path, forwarded_from: str = "") -> str:
    """`forwarded_from`: the domain of Codespaces' forwarded URLs, whose Host and Origin
    headers MLflow's guard against DNS rebinding would otherwise refuse."""
    args = [
        # MLflow 3 serves a file store only when asked to (it is in maintenance mode there).
        *("env", "MLFLOW_ALLOW_FILE_STORE=true", str(venv.bin_path("mlflow")), "ui"),
        *("--backend-store-uri", store.as_uri()),
        *("--host", host, "--port", str(port), "--workers", "1"),
    ]
    if forwarded_from:
        local_hosts = "localhost,localhost:*,127.0.0.1,127.0.0.1:*"
        args += ["--allowed-hosts", f"{local_hosts},*.{forwarded_from}"]
        args += ["--cors-allowed-origins", f"http://localhost:*,https://*.{forwarded_from}"]
    return shlex.join(args)


HOST_HELP = "Interface to listen on (default: 0.0.0.0 in a container, else 127.0.0.1)."


@task(help={"port": f"Port to serve on (default {LAB_PORT}).", "host": HOST_HELP})
def lab(c, port=LAB_PORT, host=None):
    """Start JupyterLab with the Kedro project loaded (catalog, context, session, pipelines)."""
    host = host or default_host()
    check_port_free(host, int(port), "lab")
    # In the venv, where its Jupyter looks: nothing is written to the home folder.
    install_kernel(venv.ensure(c) / "share" / "jupyter" / "kernels", venv.bin_path("python"))
    print(f"JupyterLab: http://localhost:{port}/lab (the token is in the log below)")
    local.in_venv(c, lab_command(host, int(port)), "JupyterLab stopped with an error (above).")


@task(
    help={
        "port": f"Port to serve on (default {VIZ_PORT}).",
        "host": HOST_HELP,
        "build": "Build a static site in build/ to share, instead of serving.",
    }
)
def viz(c, port=VIZ_PORT, host=None, build=False):
    """Show the pipeline in kedro-viz, or build it as a static site with --build."""
    if build:
        venv.ensure(c)
        local.in_venv(c, viz_build_command(), "kedro viz build failed (above).")
        print(f"Static kedro-viz site in {venv.ROOT / 'build'}: serve it with any web server.")
        return
    host = host or default_host()
    check_port_free(host, int(port), "viz")
    venv.ensure(c)
    print(f"kedro-viz: http://localhost:{port}/")
    local.in_venv(c, viz_command(host, int(port)), "kedro-viz stopped with an error (above).")


@task(
    name="mlflow-ui",
    help={"port": f"Port to serve on (default {MLFLOW_PORT}).", "host": HOST_HELP},
)
def mlflow_ui(c, port=MLFLOW_PORT, host=None):
    """Serve the MLflow UI on the runs logged in mlruns/."""
    host = host or default_host()
    check_port_free(host, int(port), "mlflow-ui")
    venv.ensure(c)
    store = venv.ROOT / MLFLOW_STORE
    print(f"MLflow UI: http://localhost:{port}/ (the runs in {store})")
    forwarded_from = os.environ.get("GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN", "")
    command = mlflow_ui_command(host, int(port), store, forwarded_from)
    local.in_venv(c, command, "The MLflow UI stopped (above).")
