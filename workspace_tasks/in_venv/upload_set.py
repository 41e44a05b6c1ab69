"""What Azure ML would upload as a step's code, by the SDK's own ignore rules.

`python -m workspace_tasks.in_venv.upload_set ROOT` prints JSON:
{"files": {path: size}, "total": bytes, "problems": [text]}.
"""

import json
import os
import re
import sys
from pathlib import Path

from azure.ai.ml._utils._asset_utils import get_ignore_file, traverse_directory

# Names that hold credentials: never uploaded, whatever the ignore files say.
SECRET_FILE = re.compile(
    r"(^|/)(\.env(\..*)?|\.netrc|\.git-credentials|credentials[^/]*|[^/]*secret[^/]*"
    r"|id_(rsa|dsa|ecdsa|ed25519)|[^/]*\.(pem|key|pfx|p12))$",
    re.IGNORECASE,
)


def compute(root: Path) -> dict:
    """The upload set of `root` with sizes, and every symlink or secret-looking file in it."""
    root = root.resolve()
    ignore = get_ignore_file(root)
    files, problems = {}, []
    for folder, dirs, names in os.walk(root):
        for name in [*dirs, *names]:
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            # The SDK tests files only; a folder counts as ignored when its contents are.
            tested = f"{path}/_" if name in dirs else str(path)
            if path.is_symlink() and not ignore.is_file_excluded(tested):
                problems.append(
                    f"{relative} is a symlink, which the Azure ML upload fails on "
                    "(AssetException); replace it with the file or add it to .amlignore"
                )
        dirs[:] = [d for d in dirs if not Path(folder, d).is_symlink()]
        for local, remote in traverse_directory(folder, names, prefix="", ignore_file=ignore):
            relative = Path(folder, Path(remote).name).relative_to(root).as_posix()
            if Path(folder, Path(remote).name).is_symlink():
                continue
            files[relative] = os.path.getsize(local)
            if SECRET_FILE.search(relative):
                problems.append(
                    f"{relative} looks like a secret; keep credentials in conf/local or the "
                    "environment, or add it to .amlignore"
                )
    return {
        "files": dict(sorted(files.items())),
        "total": sum(files.values()),
        "problems": problems,
    }


if __name__ == "__main__":
    print(json.dumps(compute(Path(sys.argv[1]))))
