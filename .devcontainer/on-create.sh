#!/usr/bin/env bash
# onCreateCommand: the tools the tasks need before the venv exists. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# invoke at the version uv.lock pins, for the interpreter that builds the venv.
invoke_version=$(awk '/^name = "invoke"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' uv.lock)
if [[ "$(python3 -m invoke --version 2>/dev/null)" != "Invoke ${invoke_version}" ]]; then
    python3 -m pip install --user --quiet --disable-pip-version-check "invoke==${invoke_version}"
fi

# The storage emulator the tests and the rehearsal use, where they look for it
# ($AZURITE_PREFIX, as in .ci/run); 3.36+ needs Node 22.
prefix="${AZURITE_PREFIX:?devcontainer.json sets it}"
if [[ "$("${prefix}/node_modules/.bin/azurite" --version 2>/dev/null)" != 3.35.* ]]; then
    npm install --prefix "${prefix}" --silent --no-audit --no-fund "azurite@3.35.x"
fi
