"""The Azure ML environment: an image of the locked run-time dependencies, versioned by them."""

import hashlib
import shutil

from invoke import Context, Exit, task

from workspace_tasks import venv
from workspace_tasks.azure_cli import require_az, require_login, workspace_args
from workspace_tasks.azure_config import require_settings

# What the image is built from: a change to either means a new environment version.
IMAGE_INPUTS = ("uv.lock", "Dockerfile")
PLATFORM = "linux/amd64"  # what Azure ML compute clusters run


def environment_version() -> str:
    """A short hash of uv.lock and the Dockerfile: the same lock, the same version."""
    digest = hashlib.sha256()
    for name in IMAGE_INPUTS:
        digest.update((venv.ROOT / name).read_bytes())
    return digest.hexdigest()[:12]


def environment_ref(settings: dict[str, str]) -> str:
    """`name:version` of the environment the current lock needs."""
    return f"{settings['environment']}:{environment_version()}"


def image_name(settings: dict[str, str]) -> str:
    return f"{settings['registry']}.azurecr.io/{environment_ref(settings)}"


def show_command(settings: dict[str, str]) -> str:
    return (
        f"az ml environment show --name {settings['environment']} "
        f"--version {environment_version()} {workspace_args(settings)} --output none"
    )


def build_commands(settings: dict[str, str], remote: bool) -> list[str]:
    """Build and push the image (on this machine, or in the registry with `remote`)."""
    image = image_name(settings)
    if remote:
        return [
            f"az acr build --registry {settings['registry']} --image {environment_ref(settings)} "
            f"--platform {PLATFORM} ."
        ]
    return [
        f"az acr login --name {settings['registry']}",
        f"docker build --platform {PLATFORM} --tag {image} .",
        f"docker push {image}",
    ]


def register_command(settings: dict[str, str]) -> str:
    return (
        f"az ml environment create --name {settings['environment']} "
        f"--version {environment_version()} --image {image_name(settings)} "
        f"{workspace_args(settings)}"
    )


def is_registered(c: Context, settings: dict[str, str]) -> bool:
    """True when the workspace has the environment version the current lock needs."""
    return c.run(show_command(settings), hide=True, warn=True).ok


def require_docker(c: Context) -> None:
    """Exit unless a Docker daemon answers, pointing at the remote build otherwise."""
    if shutil.which("docker") is None or c.run("docker info", hide=True, warn=True).failed:
        raise Exit(
            "No Docker daemon answers here: build in the registry instead with "
            "`invoke azure-env --remote`.",
            code=2,
        )


@task(help={"remote": "Build in the registry with `az acr build` (no Docker daemon needed)."})
def azure_env(c, remote=False):
    """Build, push and register the environment image for uv.lock, unless it is registered."""
    settings = require_settings()
    require_az()
    require_login(c, settings)
    ref = environment_ref(settings)
    if is_registered(c, settings):
        print(f"Environment {ref} is registered already: nothing to build.")
        return
    if not remote:
        require_docker(c)
    with c.cd(str(venv.ROOT)):
        for command in [*build_commands(settings, remote), register_command(settings)]:
            result = c.run(command, warn=True)
            if result.failed:
                raise Exit(
                    f"`{command}` failed (output above); environment {ref} is not registered.",
                    code=result.exited or 1,
                )
    print(f"Registered environment {ref} ({image_name(settings)}).")
