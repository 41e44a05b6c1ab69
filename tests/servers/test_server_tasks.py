"""The lab, viz and mlflow-ui tasks: their command lines, and a busy port refused clearly."""

import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from invoke import Exit, MockContext

from workspace_tasks import servers, venv

ROOT = Path(__file__).resolve().parents[2]
TASKS = {"lab": servers.lab, "viz": servers.viz, "mlflow-ui": servers.mlflow_ui}
DEFAULT_PORTS = {"lab": 8888, "viz": 4141, "mlflow-ui": 5000}


@pytest.fixture
def busy_port():
    """A port something listens on, as an earlier server would."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.mark.parametrize("name", TASKS)
def test_each_task_serves_on_its_usual_port(name):
    (port,) = [arg.default for arg in TASKS[name].get_arguments() if arg.name == "port"]

    assert port == DEFAULT_PORTS[name]


@pytest.mark.parametrize("name", TASKS)
def test_a_busy_port_is_refused_with_the_fix(name, busy_port):
    c = MockContext()  # a server started anyway would fail here: no command is expected

    with pytest.raises(Exit) as error:
        TASKS[name](c, port=busy_port, host="127.0.0.1")

    assert error.value.code == 1
    assert f"Port {busy_port} is already in use" in error.value.message
    assert f"invoke {name} --port {busy_port + 1}" in error.value.message


@pytest.mark.parametrize("name", TASKS)
def test_a_busy_port_from_the_command_line_is_one_message(name, busy_port):
    result = subprocess.run(
        [sys.executable, "-m", "invoke", name, "--port", str(busy_port), "--host", "127.0.0.1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"Port {busy_port} is already in use")
    assert "Traceback" not in result.stderr + result.stdout


def test_lab_listens_without_a_browser_and_never_moves_to_another_port():
    args = shlex.split(servers.lab_command("0.0.0.0", 8888))

    assert args[:3] == [str(venv.bin_path("jupyter")), "lab", "--no-browser"]
    assert {"--ServerApp.ip=0.0.0.0", "--ServerApp.port=8888", "--ServerApp.port_retries=0"} <= {
        *args
    }
    assert f"--MultiKernelManager.default_kernel_name={servers.KERNEL}" in args
    assert ("--allow-root" in args) == (os.geteuid() == 0)


def test_viz_serves_the_project_and_builds_a_static_site():
    assert shlex.split(servers.viz_command("0.0.0.0", 4141)) == [
        str(venv.bin_path("python")),
        *("-m", "workspace_tasks.in_venv.viz_server", "--host", "0.0.0.0", "--port", "4141"),
    ]
    assert shlex.split(servers.viz_build_command()) == [
        str(venv.bin_path("kedro")),
        *("viz", "build", "--include-previews"),
    ]


def test_mlflow_ui_serves_the_projects_store():
    args = shlex.split(servers.mlflow_ui_command("127.0.0.1", 5000, Path("/p/mlruns")))

    assert args[:4] == ["env", "MLFLOW_ALLOW_FILE_STORE=true", str(venv.bin_path("mlflow")), "ui"]
    assert args[4:] == [
        *("--backend-store-uri", "file:///p/mlruns"),
        *("--host", "127.0.0.1", "--port", "5000", "--workers", "1"),
    ]


@pytest.mark.parametrize(("marker", "expected"), [(None, "127.0.0.1"), ("CODESPACES", "0.0.0.0")])
def test_servers_are_reachable_from_outside_only_in_a_container(
    monkeypatch, tmp_path, marker, expected
):
    monkeypatch.setattr(servers, "DOCKERENV", tmp_path / "no-dockerenv")
    for name in ("REMOTE_CONTAINERS", "CODESPACES", "DEVCONTAINER"):
        monkeypatch.delenv(name, raising=False)
    if marker:
        monkeypatch.setenv(marker, "true")

    assert servers.default_host() == expected


def test_mlflow_ui_accepts_codespaces_forwarded_urls():
    args = shlex.split(servers.mlflow_ui_command("0.0.0.0", 5000, Path("/p"), "app.github.dev"))

    hosts = args[args.index("--allowed-hosts") + 1].split(",")
    origins = args[args.index("--cors-allowed-origins") + 1].split(",")
    assert {"localhost:*", "*.app.github.dev"} <= {*hosts}
    assert "https://*.app.github.dev" in origins
