"""Workspace tasks: `invoke --list` shows the menu, `invoke --help TASK` the options.

Runs on the standard library and invoke alone, so it works before the venv exists.
"""

from invoke import Collection

from workspace_tasks import doctor, local

namespace = Collection()
for module in (local, doctor):
    for task_ in Collection.from_module(module).tasks.values():
        namespace.add_task(task_)
