"""Workspace tasks: `invoke --list` shows the menu, `invoke --help TASK` the options.

Runs on the standard library and invoke alone, so it works before the venv exists.
"""

from invoke import Collection

from workspace_tasks import (
    azure_config,
    azure_image,
    azure_jobs,
    azure_rehearse,
    azure_upload,
    bench,
    doctor,
    local,
    servers,
)

namespace = Collection()
for module in (
    local,
    servers,
    doctor,
    azure_config,
    azure_upload,
    azure_image,
    azure_jobs,
    azure_rehearse,
    bench,
):
    for task_ in Collection.from_module(module).tasks.values():
        namespace.add_task(task_)
