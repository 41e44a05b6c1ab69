"""Bad input told as one clear message: what is wrong, where, and how to fix it."""

import re
from collections.abc import Mapping

from kedro.config import MissingConfigException
from kedro.io.core import DatasetError
from kedro.validation.exceptions import (
    CheckFailure,
    DataValidationError,
    ParameterValidationError,
)

from kedro_azureml_starter.hooks import UnknownParameterError
from kedro_azureml_starter.storage import STORAGE_FIX, StorageUnreachableError

PARAMS_FIX = "Fix it in conf/base/parameters_iris_pipeline.yml or in --params."

# pandera's check names, told in words.
_CHECKS = {
    "column_in_dataframe": "column is missing",
    "column_in_schema": "column is not expected",
    "not_nullable": "missing values (NaN)",
    "coerce_dtype('float64')": "values that are not numbers",
    "dtype('float64')": "values that are not numbers",
}

# A pydantic error as Kedro prints it: a field line, then its message and input.
_PYDANTIC_ERROR = re.compile(
    r"^(?P<field>\S.*)\n  (?P<msg>.+?) \[type=\w+, input_value=(?P<value>.*?), input_type=\w+\]",
    re.MULTILINE,
)
_PARAMETER = re.compile(r"^- Parameter '(?P<key>[^']+)':", re.MULTILINE)


def describe(exc: BaseException, filepaths: Mapping[str, str]) -> str | None:
    """Say what is wrong with the input behind `exc`, or None if it is not an input error.

    `filepaths` maps dataset names to the file each reads, as the catalog writes it.
    """
    if isinstance(exc, MissingConfigException):
        return (
            f"{exc}. Create the folder (conf/local holds your own settings and never "
            "leaves this machine), or pick an environment that exists with --env."
        )
    if isinstance(exc, UnknownParameterError | StorageUnreachableError):
        return str(exc)
    if isinstance(exc, ParameterValidationError):
        return _describe_parameters(str(exc))
    if isinstance(exc, DataValidationError):
        return _describe_validation(exc, filepaths)
    if isinstance(exc, DatasetError):
        return _describe_load(exc, filepaths)
    return None


def _describe_parameters(text: str) -> str:
    lines = []
    blocks = _PARAMETER.split(text)[1:]  # [key, body, key, body, ...]
    for key, body in zip(blocks[::2], blocks[1::2], strict=True):
        for error in _PYDANTIC_ERROR.finditer(body):
            lines.append(f"  {key}.{error['field']}: {error['msg'].lower()} (got {error['value']})")
        if not _PYDANTIC_ERROR.search(body):
            lines.append(f"  {key}: {body.strip()}")
    return "\n".join(["Invalid parameters:", *lines, PARAMS_FIX])


def _failure_text(failure: CheckFailure) -> str:
    what = _CHECKS.get(failure.check or "", failure.check or failure.message)
    where = f"column '{failure.column}'" if failure.column and failure.column != "RawIris" else ""
    examples = [str(e) for e in failure.failure_examples if str(e) not in {"False", "nan"}]
    if failure.check == "column_in_dataframe":
        where, examples = f"column '{', '.join(examples)}'", []
    example = f" (e.g. {', '.join(examples[:3])})" if examples else ""
    return f"  {where}: {what}{example}" if where else f"  {what}{example}"


def _describe_validation(exc: DataValidationError, filepaths: Mapping[str, str]) -> str:
    name = exc.dataset_name or "?"
    path = filepaths.get(name, "its file")
    # dict.fromkeys: pandera reports a bad number twice, as coerce_dtype and as dtype.
    lines = list(dict.fromkeys(map(_failure_text, exc.failures))) or [f"  {exc.message}"]
    return "\n".join(
        [
            f"Dataset '{name}' ({path}) does not hold valid data:",
            *lines,
            f"Fix {path}: it needs the columns sepal_length, sepal_width, petal_length,"
            " petal_width (numbers, none missing) and species.",
        ]
    )


def _describe_load(exc: DatasetError, filepaths: Mapping[str, str]) -> str:
    match = re.match(r"(\w+): Failed while loading", str(exc))
    if not match:
        return f"{str(exc).splitlines()[0]}"
    name = match[1]
    path = filepaths.get(name, "its file")
    cause = _root_cause(exc)
    if "://" in path:  # in the blob storage (the cloud catalog): nothing to check out here
        if isinstance(cause, FileNotFoundError):
            return (
                f"Could not load dataset '{name}' from {path}: it is not in the blob storage. "
                "Upload the raw data with `invoke azure-data`, or run the pipeline that "
                "writes it."
            )
        return f"Could not load dataset '{name}' from {path}: {_last_line(cause)}. {STORAGE_FIX}"
    if isinstance(cause, FileNotFoundError):
        problem, fix = "the file does not exist", f"Put the file at {path}"
    elif type(cause).__name__ == "EmptyDataError":
        problem, fix = "the file is empty", f"Fill {path}"
    else:
        problem, fix = _last_line(cause), f"Fix {path}"
    return (
        f"Could not load dataset '{name}' from {path}: {problem}. "
        f"{fix} (the shipped copy comes back with `git checkout -- {path}`), "
        "or point the dataset elsewhere in conf/base/catalog.yml."
    )


def _root_cause(exc: BaseException) -> BaseException:
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return exc


def _last_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return lines[-1] if lines else type(exc).__name__
