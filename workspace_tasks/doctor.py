"""`invoke doctor`: one checklist of what the tasks need, each line with its fix."""

import json
import os
import re
import shutil
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from invoke import Context, Exit, task

from workspace_tasks import venv

AZURITE_VERSION = "3.35"  # 3.36+ needs Node 22; 3.35.x runs on Node 20
DEFAULT_AZURITE_PREFIX = "/opt/azurite"  # as in .ci/run and tests/azurite.py
NODE_MAJOR = 20
NEEDS_VENV = "not checked: it is computed in the venv, which does not exist yet"
INSTALL_AZ = "install the Azure CLI (https://aka.ms/install-azure-cli) or open the devcontainer"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{'PASS' if self.ok else 'FAIL'}  {self.name}: {self.detail}"
        return text if self.ok else f"{text}\n      fix: {self.fix}"


def quiet(c: Context, command: str):
    """Run a probe: never echo, never raise (a missing program is exit 127)."""
    return c.run(command, hide=True, warn=True, pty=False, in_stream=False)


def satisfies(version: tuple[int, ...], specifier: str) -> bool:
    """`version` against a PEP 440 specifier set of plain release numbers, e.g. '>=3.11,<3.12'.

    By hand because `packaging` lives in the venv, and doctor must run before it exists.
    """
    compare = {
        ">=": tuple.__ge__,
        "<=": tuple.__le__,
        "==": tuple.__eq__,
        "!=": tuple.__ne__,
        ">": tuple.__gt__,
        "<": tuple.__lt__,
    }
    for clause in filter(None, (part.strip() for part in specifier.split(","))):
        operator, number = re.fullmatch(r"(>=|<=|==|!=|>|<)\s*([\d.]+)", clause).groups()
        bound = tuple(int(part) for part in number.split("."))
        if not compare[operator](version[: len(bound)], bound):
            return False
    return True


def venv_python_version() -> tuple[int, ...] | None:
    """The venv's Python version, from the pyvenv.cfg every venv has (no process started)."""
    config = venv.venv_path() / "pyvenv.cfg"
    if not config.exists():
        return None
    found = re.search(r"^version(?:_info)?\s*=\s*([\d.]+)", config.read_text(), re.MULTILINE)
    return tuple(int(part) for part in found.group(1).split(".")[:3]) if found else None


def check_python() -> Check:
    with open(venv.ROOT / "pyproject.toml", "rb") as file:
        wanted = tomllib.load(file)["project"]["requires-python"]
    version, where = venv_python_version(), "the venv's"
    if version is None:
        version, where = tuple(sys.version_info[:3]), "this"
    shown = ".".join(map(str, version))
    return Check(
        "Python version",
        satisfies(version, wanted),
        f"{where} Python is {shown}; pyproject.toml requires {wanted}",
        f"install a Python matching {wanted}, then `invoke setup` (uv builds the venv with it)",
    )


def check_venv() -> Iterator[Check]:
    path = venv.venv_path()
    present = venv.bin_path("python").exists()
    yield Check("venv present", present, str(path), "run `invoke setup`")
    yield Check(
        "venv matches uv.lock",
        venv.is_current(),
        "built from the current lock" if venv.is_current() else "missing or older than uv.lock",
        "run `invoke setup` (it syncs the venv to uv.lock)",
    )
    inside = path.resolve().is_relative_to(venv.ROOT.resolve())
    yield Check(
        "venv outside the repository",
        not inside,
        f"{path} is {'inside' if inside else 'outside'} {venv.ROOT}",
        f"set {venv.VENV_VARIABLE} to a path outside the repository, e.g. {venv.DEFAULT_VENV}",
    )


def upload_set_problems(root: Path = venv.ROOT) -> list[str]:
    """Each symlink or secret-looking file in what Azure ML would upload (the SDK's rules)."""
    from workspace_tasks import azure_upload

    return azure_upload.upload_set(root)["problems"]


def check_upload_set() -> Check:
    name = "no symlink in the Azure ML upload set"
    if not venv.bin_path("python").exists():
        return Check(name, False, NEEDS_VENV, "run `invoke setup`")
    try:
        problems = upload_set_problems()
    except Exit as error:
        return Check(name, False, str(error.message), "run `invoke setup`")
    return Check(
        name,
        not problems,
        "; ".join(problems) if problems else "no symlink or secret-looking file",
        "replace each with the file, or add it to .amlignore (`invoke azure-upload-set` lists "
        "the upload)",
    )


def read_azure_settings(root: Path = venv.ROOT) -> dict[str, str]:
    """The Azure settings of conf/base/azureml.yml, as the azure-* tasks read them."""
    from workspace_tasks import azure_config

    return azure_config.read_settings(root)


def missing_azure_settings(settings: dict[str, str]) -> dict[str, str]:
    """Each Azure setting that is a placeholder or malformed, with what is wrong with it."""
    from workspace_tasks import azure_config

    return azure_config.missing_settings(settings)


def check_azure_config() -> tuple[Check, str | None]:
    """The config check, and the subscription it names (None while it names none)."""
    if not venv.bin_path("python").exists():
        return Check("Azure config complete", False, NEEDS_VENV, "run `invoke setup`"), None
    try:
        settings = read_azure_settings()
    except Exit as error:
        detail = str(error.message or "conf/base/azureml.yml cannot be read")
        return Check("Azure config complete", False, detail, "run `invoke setup`"), None
    missing = missing_azure_settings(settings)
    detail = "; ".join(f"{name} {text}" for name, text in missing.items())
    check = Check(
        "Azure config complete",
        not missing,
        f"conf/base/azureml.yml: {detail}"
        if missing
        else "conf/base/azureml.yml has no placeholder",
        "run `invoke azure-configure` (it prompts for what is missing)",
    )
    subscription = None if "subscription_id" in missing else settings.get("subscription_id")
    return check, subscription


def check_az(c: Context, subscription: str | None) -> Iterator[Check]:
    names = ("az installed", "az ml extension", "signed in to Azure", "subscription selected")
    if shutil.which("az") is None:
        yield Check(names[0], False, "`az` is not on PATH", INSTALL_AZ)
        for name in names[1:]:
            yield Check(name, False, "not checked: needs `az`", INSTALL_AZ)
        return
    version = quiet(c, "az version --output json")
    shown = json.loads(version.stdout or "{}").get("azure-cli", "?") if version.ok else "?"
    yield Check(names[0], True, f"azure-cli {shown}")
    extension = quiet(c, "az extension show --name ml --output json")
    yield Check(
        names[1],
        extension.ok,
        f"ml {json.loads(extension.stdout).get('version', '')}".strip()
        if extension.ok
        else "the `ml` extension is missing",
        "az extension add --name ml",
    )
    account = quiet(c, "az account show --output json")
    active = json.loads(account.stdout) if account.ok else {}
    yield Check(
        names[2],
        account.ok,
        f"as {active.get('user', {}).get('name', '?')}" if account.ok else "not signed in",
        "run `invoke azure-login`",
    )
    if not account.ok:
        yield Check(names[3], False, "not checked: not signed in", "run `invoke azure-login`")
        return
    current = active.get("id", "")
    ok = bool(current) and subscription in (None, current)
    wanted = f"azureml.yml names {subscription}" if subscription else "azureml.yml names none yet"
    yield Check(
        names[3],
        ok,
        f"active: {active.get('name', '?')} ({current}); {wanted}",
        f"az account set --subscription {subscription or '<subscription id>'}",
    )


def check_docker(c: Context) -> Check:
    fix = (
        "start Docker (in the devcontainer: rebuild it), or build the environment in Azure "
        "instead with `invoke azure-env --remote`"
    )
    if shutil.which("docker") is None:
        return Check("Docker daemon reachable", False, "`docker` is not on PATH", fix)
    result = quiet(c, "docker info --format '{{.ServerVersion}}'")
    detail = f"server {result.stdout.strip()}" if result.ok else "the daemon does not answer"
    return Check("Docker daemon reachable", result.ok, detail, fix)


def azurite_program() -> str | None:
    """Azurite where .ci/run and the devcontainer install it ($AZURITE_PREFIX), or on PATH."""
    prefix = Path(os.environ.get("AZURITE_PREFIX") or DEFAULT_AZURITE_PREFIX)
    installed = prefix / "node_modules" / ".bin" / "azurite"
    return str(installed) if installed.exists() else shutil.which("azurite")


def check_node_and_azurite(c: Context) -> Iterator[Check]:
    node = quiet(c, "node --version") if shutil.which("node") else None
    found = re.match(r"v(\d+)", node.stdout.strip()) if node and node.ok else None
    yield Check(
        "Node.js for Azurite",
        bool(found) and int(found.group(1)) >= NODE_MAJOR,
        f"node {node.stdout.strip()}" if found else "`node` is not on PATH",
        f"install Node.js {NODE_MAJOR} (the devcontainer has it)",
    )
    program = azurite_program()
    azurite = quiet(c, f"{program} --version") if program else None
    version = azurite.stdout.strip() if azurite and azurite.ok else ""
    prefix = os.environ.get("AZURITE_PREFIX") or DEFAULT_AZURITE_PREFIX
    yield Check(
        "Azurite storage emulator",
        version.startswith(f"{AZURITE_VERSION}."),
        f"azurite {version}" if version else f"not in {prefix} nor on PATH",
        f'npm install --prefix "{prefix}" azurite@{AZURITE_VERSION}.x',
    )


def checks(c: Context) -> Iterator[Check]:
    """Every check, in the order a newcomer fixes them."""
    yield check_python()
    yield from check_venv()
    yield check_upload_set()
    config, subscription = check_azure_config()
    yield from check_az(c, subscription)
    yield check_docker(c)
    yield config
    yield from check_node_and_azurite(c)


@task
def doctor(c):
    """Check this machine for what the tasks need; print each fix; fail if anything is missing."""
    results = []
    for check in checks(c):
        print(check.line(), flush=True)
        results.append(check)
    failed = sum(not check.ok for check in results)
    if failed:
        raise Exit(
            f"{failed} of {len(results)} checks failed: apply the fixes above, then run "
            "`invoke doctor` again.",
            code=1,
        )
    print(f"All {len(results)} checks passed.")
