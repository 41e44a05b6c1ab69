"""Move data between the local and the cloud catalog, through Kedro's own catalogs.

`python -m workspace_tasks.in_venv.cloud_data upload-raw|fetch-model ROOT`: the first
copies the raw datasets (those under data/01_raw locally) to the cloud catalog, the second
saves the cloud catalog's latest `model` as a new local model version. Errors end with
one line saying what failed and how to fix it, and exit code 1.
"""

import sys
from pathlib import Path

from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.io import DataCatalog

from kedro_azureml_starter.storage import (
    STORAGE_FIX,
    StorageUnreachableError,
    blob_endpoints,
    probe,
)

RAW = "data/01_raw/"


def catalog(root: Path, env: str) -> DataCatalog:
    bootstrap_project(root)
    with KedroSession.create(project_path=root, env=env) as session:
        return session.load_context().catalog


def probe_storage(data: DataCatalog, name: str) -> None:
    """Fail within seconds when the dataset's blob storage does not answer."""
    for url in blob_endpoints([data[name]]):
        probe(url)


def raw_datasets(local: DataCatalog) -> list[str]:
    """The datasets the local catalog reads from data/01_raw."""
    return [name for name in local if RAW in str(local[name]._describe().get("filepath", ""))]


def upload_raw(root: Path) -> list[str]:
    """Copy each raw dataset from the local to the cloud catalog; return their names."""
    local, cloud = catalog(root, "local"), catalog(root, "cloud")
    names = raw_datasets(local)
    for name in names:
        probe_storage(cloud, name)
        cloud.save(name, local.load(name))
        print(f"{name}: {local[name]._describe()['filepath']} -> {_where(cloud, name)}")
    return names


def fetch_model(root: Path) -> None:
    """Save the cloud catalog's latest model as a new version in the local catalog."""
    cloud, local = catalog(root, "cloud"), catalog(root, "local")
    probe_storage(cloud, "model")
    model = cloud.load("model")
    local.save("model", model)
    print(f"model: {_where(cloud, 'model', loaded=True)} -> {_where(local, 'model')}")


def _where(data: DataCatalog, name: str, loaded: bool = False) -> str:
    """The dataset's path, with the version loaded (`loaded`) or the one just saved."""
    dataset = data[name]
    described = dataset._describe()
    path = str(described.get("filepath", name))
    if described.get("protocol") == "abfs":
        path = f"abfs://{path}"
    if described.get("version") is None:
        return path
    version = dataset.resolve_load_version() if loaded else dataset.resolve_save_version()
    return f"{path}/{version}"


def _root_cause(error: BaseException) -> BaseException:
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__
    return error


def explain(error: BaseException, root: Path) -> str:
    """One line: what failed against the storage and the fix."""
    cause = _root_cause(error)
    if isinstance(cause, StorageUnreachableError):
        return str(cause)
    kind = type(cause).__name__
    settings = "the `storage:` settings in conf/base/azureml.yml"
    if kind in {"ServiceRequestError", "ClientConnectorError", "ConnectionError"} or (
        isinstance(cause, OSError) and "connect" in str(cause).lower()
    ):
        return f"Cannot reach the blob storage ({cause}). {STORAGE_FIX}"
    if kind in {"ClientAuthenticationError", "CredentialUnavailableError"}:
        return (
            f"The storage refused the sign-in ({kind}). Run `invoke azure-login`; your identity "
            f"needs the Storage Blob Data Contributor role on the container in {settings}."
        )
    if "Did not find any versions" in str(error):
        return (
            f"No version of it in the blob storage yet: {str(error).split(':')[0]}. Run the "
            "pipeline on Azure ML first with `invoke azure-run`."
        )
    if kind in {"FileNotFoundError", "ResourceNotFoundError"} or "not found" in str(error).lower():
        return (
            f"Not found in the blob storage: {str(error).splitlines()[0]}. Upload the raw data "
            "with `invoke azure-data`, run the pipeline with `invoke azure-run`, or check "
            f"{settings}."
        )
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else kind}"


def main(argv: list[str]) -> int:
    action, project = argv[0], Path(argv[1])
    try:
        {"upload-raw": upload_raw, "fetch-model": fetch_model}[action](project)
    except Exception as error:  # one clear line instead of a traceback
        print(explain(error, project), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
