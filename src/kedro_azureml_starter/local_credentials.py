"""Credentials from conf/local/credentials.yml for the runs that do not use the local env.

Kedro reads conf/local only in the `local` environment, so `--env cloud` on this machine
would never see a storage key put there. The catalog asks for it with
`${local_credential:azure_storage.account_key}`; where the file or the key is missing (as in
Azure ML, which never receives conf/local) the value is null and adlfs falls back to the
environment (AZURE_STORAGE_ACCOUNT_KEY, AZURE_STORAGE_CONNECTION_STRING) and then to the
signed-in identity.
"""

from pathlib import Path

from omegaconf import OmegaConf

LOCAL_CREDENTIALS = Path("conf") / "local" / "credentials.yml"


def local_credential(key: str) -> str | None:
    """The value at dotted `key` in conf/local/credentials.yml, or None."""
    path = Path.cwd() / LOCAL_CREDENTIALS
    if not path.is_file():
        return None
    return OmegaConf.select(OmegaConf.load(path), key, default=None)
