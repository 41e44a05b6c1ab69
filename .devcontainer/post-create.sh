#!/usr/bin/env bash
# postCreateCommand: per-user steps, after the prebuilt part. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${UV_PROJECT_ENVIRONMENT:-${HOME}/.venvs/kedro-azureml-starter}"
if [[ -d .git ]]; then
    "${venv}/bin/pre-commit" install --install-hooks >/dev/null
fi

# The azure-cli feature skips a failed extension install without a word: say it here.
if ! command -v az >/dev/null 2>&1; then
    echo "WARNING: the Azure CLI (az) is not installed, so the azure-* tasks cannot run." >&2
    echo "         Install it (https://aka.ms/install-azure-cli) or rebuild the container." >&2
elif ! az extension show --name ml --output none >/dev/null 2>&1; then
    echo "WARNING: the Azure ML CLI extension is missing (the container's install of it failed)." >&2
    echo "         Fix: az extension add --name ml" >&2
fi
echo "Ready. \`invoke --list\` shows the tasks; \`invoke doctor\` checks this setup."
