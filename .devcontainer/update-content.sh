#!/usr/bin/env bash
# onCreate's heavy half, re-run by Codespaces prebuilds whenever the content changes:
# the venv from uv.lock, outside the workspace (a no-op when it already matches the lock).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m invoke setup
