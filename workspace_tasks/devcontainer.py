"""The devcontainer's configuration, checked against the official Dev Container schema.

`python -m workspace_tasks.devcontainer` runs the check (in the venv: it needs json5 and
jsonschema, imported where used so the tasks still load before the venv exists).
"""

import os
import sys
from pathlib import Path

from workspace_tasks import venv

CONFIG = venv.ROOT / ".devcontainer" / "devcontainer.json"
SCHEMA_NAME = "devContainer.base.schema.json"


def schema_path() -> Path:
    """Where the schema is kept: shared/schemas beside the clone (as on CI and this workplace)."""
    return venv.ROOT.parent / "shared" / "schemas" / SCHEMA_NAME


def load_config(path: Path = CONFIG) -> dict:
    """devcontainer.json is JSONC (comments, trailing commas): JSON5 reads it."""
    import json5

    return json5.loads(path.read_text())


def schema_errors(config: dict, schema: Path) -> list[str]:
    """Every place `config` breaks the schema, as 'path: message' lines."""
    import json

    from jsonschema import Draft201909Validator

    def leaves(error):
        # The schema is a oneOf of container kinds: the useful messages are its branches' own.
        if not error.context:
            yield error
        for inner in error.context:
            yield from leaves(inner)

    validator = Draft201909Validator(json.loads(schema.read_text()))
    found = [leaf for error in validator.iter_errors(config) for leaf in leaves(error)]
    # A mistake inside a field shows in every branch, with the other branches' top-level
    # complaints beside it: name the field when there is one.
    placed = [error for error in found if error.absolute_path] or found
    lines = {
        f"{'/'.join(map(str, error.absolute_path)) or '(top level)'}: {error.message}"
        for error in placed
    }
    return sorted(lines)


def check_command() -> str:
    return f"{venv.bin_path('python')} -m workspace_tasks.devcontainer"


def main() -> int:
    schema = schema_path()
    if not schema.exists():
        message = f"{schema} not found, so {CONFIG.name} was not checked against the schema"
        if os.environ.get("CI"):
            print(f"ERROR: {message}.", file=sys.stderr)
            return 1
        print(f"Skipped: {message}.")
        return 0
    try:
        errors = schema_errors(load_config(), schema)
    except ValueError as error:  # json5's syntax errors
        errors = [f"not valid JSONC: {error}"]
    for error in errors:
        print(f"{CONFIG.relative_to(venv.ROOT)}: {error}", file=sys.stderr)
    if not errors:
        print(f"{CONFIG.relative_to(venv.ROOT)} matches the Dev Container schema.")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
