"""`invoke azure-configure` and the settings check every azure-* task runs first."""

import pytest
import yaml
from invoke import Exit, MockContext, Result
from kedro_azureml.config import KedroAzureMLConfig

from tests.azure.settings import SETTINGS, configure
from workspace_tasks import azure_cli, azure_config, azure_image, azure_jobs, azure_upload, venv

OPTIONS = dict(SETTINGS)


@pytest.fixture
def unconfigured(project, monkeypatch):
    """A fresh clone: azureml.yml with its shipped placeholders."""
    monkeypatch.setattr(venv, "ROOT", project)
    monkeypatch.chdir(project)
    return project


def written(project) -> dict:
    return yaml.safe_load((project / azure_config.CONFIG).read_text())


def test_options_write_a_config_kedro_azureml_accepts(unconfigured):
    azure_config.azure_configure(MockContext(), no_input=True, **OPTIONS)

    assert azure_config.read_settings() == SETTINGS
    config = KedroAzureMLConfig.model_validate(written(unconfigured))
    assert config.azure.pipeline_data_passing.enabled
    assert config.azure.compute["training"].cluster_name == "gpu-cluster"
    assert azure_config.missing_settings(SETTINGS) == {}


def test_prompts_ask_for_what_is_missing_and_again_for_a_bad_answer(unconfigured, monkeypatch):
    given = {k: v for k, v in OPTIONS.items() if k not in {"workspace", "registry"}}
    answers = iter(["bad name!", "mlw-starter", "starteracr"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))

    azure_config.azure_configure(MockContext(), **given)

    assert azure_config.read_settings() == SETTINGS


def test_the_subscription_can_come_from_az(unconfigured, monkeypatch):
    monkeypatch.setattr(azure_cli.shutil, "which", lambda name: "/usr/bin/az")
    options = {k: v for k, v in OPTIONS.items() if k != "subscription_id"}
    c = MockContext(
        run={"az account show --query id --output tsv": Result(SETTINGS["subscription_id"] + "\n")}
    )

    azure_config.azure_configure(c, from_az=True, no_input=True, **options)

    assert azure_config.read_settings()["subscription_id"] == SETTINGS["subscription_id"]


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("subscription_id", "1234", "--subscription-id: '1234' is not valid: a GUID"),
        ("storage_account", "My_Storage", "--storage-account: 'My_Storage' is not valid: 3-24"),
        ("storage_container", "a--b", "--storage-container: 'a--b' is not valid"),
        ("registry", "acr", "--registry: 'acr' is not valid: 5-50"),
        ("cluster", "9cluster", "--cluster: '9cluster' is not valid"),
    ],
)
def test_a_malformed_option_is_refused_and_nothing_written(unconfigured, option, value, expected):
    before = (unconfigured / azure_config.CONFIG).read_text()

    with pytest.raises(Exit) as error:
        azure_config.azure_configure(MockContext(), no_input=True, **{**OPTIONS, option: value})

    assert str(error.value.message).startswith(expected)
    assert error.value.code == 2
    assert (unconfigured / azure_config.CONFIG).read_text() == before


AZURE_TASKS = [
    azure_jobs.azure_login,
    azure_jobs.azure_data,
    azure_jobs.azure_compile,
    azure_jobs.azure_run,
    azure_jobs.azure_model,
    azure_image.azure_env,
    azure_upload.azure_upload_set,
]


@pytest.mark.parametrize("task", AZURE_TASKS, ids=lambda t: t.name)
def test_every_azure_task_first_names_the_missing_settings(unconfigured, task):
    with pytest.raises(Exit) as error:
        task(MockContext())  # any command at all would fail: none is expected

    message = error.value.message
    assert error.value.code == 2
    assert "conf/base/azureml.yml" in message
    for name in ("subscription_id", "workspace", "storage_account", "registry"):
        assert f"{name}: not set" in message
    assert "invoke azure-configure" in message


def test_a_malformed_value_in_the_file_is_named(project, monkeypatch):
    configure(project, subscription_id="not-a-guid")
    monkeypatch.setattr(venv, "ROOT", project)

    with pytest.raises(Exit, match="subscription_id: 'not-a-guid' is not valid: a GUID"):
        azure_jobs.azure_run(MockContext())


def test_the_shipped_settings_are_placeholders():
    missing = azure_config.missing_settings(azure_config.read_settings())

    assert set(missing) == set(azure_config.SETTINGS) - set(azure_config.DEFAULTS)


def test_before_setup_the_tasks_say_to_run_it(unconfigured, monkeypatch, tmp_path_factory):
    monkeypatch.setenv(venv.VENV_VARIABLE, str(tmp_path_factory.mktemp("elsewhere") / "no-venv"))

    with pytest.raises(Exit, match="invoke setup") as error:
        azure_jobs.azure_run(MockContext())
    assert error.value.code == 2
