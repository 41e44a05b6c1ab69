"""The blob storage behind the cloud catalog's abfs:// datasets: does it answer?

Azure's storage SDK retries a connection that fails for over a minute before it gives up,
so a run against a mistyped account, a stopped Azurite or no network would sit silent that
long. A run checks first, in seconds, and says what to fix.
"""

import socket
import urllib.request
from collections.abc import Iterable
from urllib.parse import urlsplit

from kedro.framework.hooks import hook_impl
from kedro.io import AbstractDataset

STORAGE_FIX = (
    "Check the `storage:` settings in conf/base/azureml.yml, your network, and "
    "AZURE_STORAGE_CONNECTION_STRING if you set it."
)


class StorageUnreachableError(ConnectionError):
    """The blob endpoint of an abfs:// dataset does not answer."""


def blob_endpoints(datasets: Iterable[AbstractDataset]) -> set[str]:
    """The blob service URLs that the abfs:// datasets among `datasets` read and write."""
    # kedro-datasets keeps each dataset's fsspec filesystem as `_fs`; adlfs's knows its URL.
    return {
        dataset._fs.service_client.url
        for dataset in datasets
        if getattr(dataset, "_protocol", None) == "abfs"
    }


def probe(url: str, timeout: float = 5) -> None:
    """Connect to the service at `url`, or to the proxy that reaches it; raise
    StorageUnreachableError if that fails within `timeout` seconds."""
    endpoint = urlsplit(url)
    host = endpoint.hostname or ""
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    # Behind a proxy, as the SDK would go: a direct connection may be blocked there.
    proxy = urllib.request.getproxies().get(endpoint.scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        hop = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        host, port = hop.hostname or "", hop.port or 80
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as error:
        raise StorageUnreachableError(
            f"Cannot reach the blob storage at {host}:{port} ({error}). {STORAGE_FIX}"
        ) from None


class StorageCheck:
    """Before a run touches an abfs:// dataset, check that its storage answers."""

    @hook_impl
    def before_pipeline_run(self, pipeline, catalog) -> None:
        # Only the datasets the catalog names: one a pattern would make (a MemoryDataset,
        # say) is left for the runner to create, as kedro-azureml's does with pipeline data.
        named = set(catalog.keys())
        datasets = [catalog[name] for name in pipeline.datasets() if name in named]
        for url in sorted(blob_endpoints(datasets)):
            probe(url)
