"""The Azure CLI: found, signed in, and the settings every `az` command needs."""

import shutil

from invoke import Context, Exit

INSTALL_AZ = (
    "The Azure CLI (`az`) is not installed. Open this workspace in its devcontainer, which "
    "has it, or install it: https://learn.microsoft.com/cli/azure/install-azure-cli "
    "(then `az extension add --name ml`)."
)


def require_az() -> str:
    """The `az` executable, or Exit saying how to get it."""
    az = shutil.which("az")
    if az is None:
        raise Exit(INSTALL_AZ, code=2)
    return "az"


def workspace_args(settings: dict[str, str]) -> str:
    """The options that point an `az ml` command at the configured workspace."""
    return (
        f"--subscription {settings['subscription_id']} "
        f"--resource-group {settings['resource_group']} "
        f"--workspace-name {settings['workspace']}"
    )


def require_login(c: Context, settings: dict[str, str]) -> None:
    """Exit unless `az` is signed in with access to the configured subscription."""
    az = require_az()
    command = f"{az} account show --subscription {settings['subscription_id']} --output none"
    if c.run(command, hide=True, warn=True).failed:
        raise Exit(
            f"Not signed in to Azure for subscription {settings['subscription_id']}: "
            "run `invoke azure-login`.",
            code=2,
        )
