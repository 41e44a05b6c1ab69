"""`invoke azure-rehearse`: the compiled steps, each in its own sandbox, against Azurite."""

import contextlib
import io
import pickle
import re
import shutil
from pathlib import Path

import pytest
from invoke import Config, Context, Exit, MockContext, Result

from tests.azure.azurite import CONTAINER, running_azurite, unavailable
from tests.azure.settings import SETTINGS, configure
from tests.azure.test_commands import az, commands, registered  # noqa: F401 (a fixture)
from tests.conftest import copy_project
from tests.test_cli import kedro_run, model_versions, outputs
from workspace_tasks import azure_jobs, azure_rehearse, azurite, venv
from workspace_tasks.in_venv import rehearsal

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
PARAMS = "model.C=0.5"


def configured_copy(target: Path) -> Path:
    """A configured project copy, as the `project` and `configured` fixtures make one."""
    configure(copy_project(target))
    return target


def rehearse(project: Path, monkeypatch, **options) -> None:
    monkeypatch.setattr(venv, "ROOT", project)
    # The venv is this interpreter's; a sync from a project copy would repoint it there.
    monkeypatch.setattr(venv, "ensure", lambda c: venv.venv_path())
    monkeypatch.chdir(project)
    # pytest's captured stdin cannot be read; the steps need none.
    context = Context(Config(overrides={"run": {"in_stream": False}}))
    azure_rehearse.rehearse(context, SETTINGS, **options)


@pytest.fixture(scope="module")
def green(tmp_path_factory):
    """The shipped pipeline rehearsed against a test-owned Azurite, whose blobs stay to read."""
    project = configured_copy(tmp_path_factory.mktemp("green"))
    with pytest.MonkeyPatch.context() as monkeypatch, running_azurite(monkeypatch) as server:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            rehearse(project, monkeypatch, params=PARAMS, storage=server.connection_string)
        yield project, server, printed.getvalue()


def test_the_shipped_pipeline_rehearses_green(green):
    project, server, out = green
    for step in ("split_data", "train_model", "evaluate_model", "plot_confusion_matrix"):
        assert re.search(rf"^{step} +ok +\d+\.\d", out, re.MULTILINE), out
    assert re.search(r"^split_data .* data_train [1-9]\d*, data_test [1-9]", out, re.MULTILINE)
    assert "All 4 steps passed" in out
    assert server.filesystem().exists(f"{CONTAINER}/data/08_reporting/metrics.json")
    assert outputs(project) == {}  # nothing written to the project


def test_the_model_left_in_the_cloud_predicts_as_a_local_run(green, project, monkeypatch, iris):
    _, server, _ = green
    fs = server.filesystem()
    (blob,) = fs.glob(f"{CONTAINER}/data/06_models/model.pkl/*/model.pkl")
    in_cloud = pickle.loads(fs.cat(blob))

    monkeypatch.chdir(project)
    assert kedro_run(project, "--params", PARAMS).exit_code == 0
    (local_model,) = model_versions(project)

    x = iris[FEATURES].to_numpy()
    assert in_cloud.C == local_model.C == 0.5
    assert (in_cloud.predict(x) == local_model.predict(x)).all()


def assert_fails_naming(project, monkeypatch, capfd, step: str, *culprits: str, **options):
    with pytest.raises(Exit) as failed:
        rehearse(project, monkeypatch, **options)
    out = capfd.readouterr().out
    assert failed.value.code != 0
    assert f"Step {step} failed" in out
    cause = next((line for line in out.splitlines() if line.startswith(f"Step {step}: ")), out)
    for culprit in culprits:
        assert culprit in cause, out


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_model_on_a_local_path_is_not_seen_by_the_next_step(project, monkeypatch, capfd):
    configure(project)
    replace(project / "conf/cloud/catalog.yml", "${_root}/06_models/", "data/06_models/")

    assert_fails_naming(
        project, monkeypatch, capfd, "evaluate_model", "`model`", "data/06_models/model.pkl"
    )


def test_raw_data_ignored_by_the_upload_and_read_locally(project, monkeypatch, capfd):
    """Also the emulator path: no --storage, so the task starts Azurite itself."""
    if azurite.program() is None:
        unavailable("Azurite is not installed: .ci/run installs it")
    configure(project)
    with (project / ".amlignore").open("a") as ignore:
        ignore.write("data/01_raw/**\n")
    replace(project / "conf/cloud/catalog.yml", "${_root}/01_raw/", "data/01_raw/")

    assert_fails_naming(
        project,
        monkeypatch,
        capfd,
        "split_data",
        "`iris`",
        "data/01_raw/iris.csv",
        ".amlignore leaves it out",
    )


def plant_pipeline(project: Path, name: str, source: str) -> None:
    package = project / "src/kedro_azureml_starter/pipelines" / name
    package.mkdir()
    (package / "__init__.py").write_text(source)


LAPTOP_VARIABLE = """
import os
from kedro.pipeline import Pipeline, node

def read_setting(dataset: dict) -> str:
    return os.environ["LAPTOP_ONLY_SETTING"]

def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([node(read_setting, "params:iris_dataset", "setting", name="read_setting")])
"""


def test_a_variable_only_the_laptop_has(project, monkeypatch, capfd):
    configure(project)
    plant_pipeline(project, "laptop", LAPTOP_VARIABLE)
    monkeypatch.setenv("LAPTOP_ONLY_SETTING", "here only")
    with running_azurite(monkeypatch) as server:
        assert_fails_naming(
            project,
            monkeypatch,
            capfd,
            "read_setting",
            "LAPTOP_ONLY_SETTING",
            pipeline="laptop",
            storage=server.connection_string,
        )


SCRATCH_FILE = """
from pathlib import Path
from kedro.pipeline import Pipeline, node

def write_scratch(dataset: dict) -> bool:
    Path("scratch.txt").write_text("left by the first step")
    return True

def read_scratch(written: bool) -> str:
    return Path("scratch.txt").read_text()

def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        node(write_scratch, "params:iris_dataset", "written", name="write_scratch"),
        node(read_scratch, "written", "scratch", name="read_scratch"),
    ])
"""


def test_a_step_cannot_see_what_an_earlier_step_left_in_its_working_directory(
    project, monkeypatch, capfd
):
    configure(project)
    plant_pipeline(project, "scratch", SCRATCH_FILE)
    with running_azurite(monkeypatch) as server, pytest.raises(Exit):
        rehearse(
            project, monkeypatch, pipeline="scratch", storage=server.connection_string, keep=True
        )
    out = capfd.readouterr().out
    assert re.search(r"^write_scratch +ok", out, re.MULTILINE), out
    assert "Step read_scratch failed" in out
    assert "scratch.txt" in out
    kept = Path(re.search(r"^Sandboxes kept in (.+)$", out, re.MULTILINE)[1])
    assert (kept / "write_scratch/code/scratch.txt").is_file()
    assert not (kept / "read_scratch/code/scratch.txt").exists()
    assert (kept / "read_scratch/inputs/written/written.pickle").is_file()  # wired, not shared
    shutil.rmtree(kept)


def test_each_placeholder_becomes_its_folder_and_an_unknown_one_is_named():
    step = rehearsal.Step(
        "evaluate_model",
        "kedro azureml execute --az-input=model ${{inputs.model}} --az-output=m ${{outputs.m}}",
        {},
        {"model": ("train_model", "model")},
        ["m"],
    )
    folders = {("inputs", "model"): Path("/in/my model"), ("outputs", "m"): Path("/out/m")}

    assert rehearsal.command_line(step, folders) == (
        "kedro azureml execute --az-input=model '/in/my model' --az-output=m /out/m"
    )
    with pytest.raises(rehearsal.RehearsalError, match=r"evaluate_model.*\$\{\{outputs\.m\}\}"):
        rehearsal.command_line(step, {("inputs", "model"): Path("/in")})


def test_the_task_has_help_for_every_option():
    task = azure_rehearse.azure_rehearse

    assert task.__doc__.strip()
    assert set(task.help) == {"pipeline", "params", "keep", "storage"}


@pytest.mark.usefixtures("az")
def test_azure_run_rehearse_rehearses_before_submitting(monkeypatch):
    rehearsed = []
    monkeypatch.setattr(
        azure_rehearse, "rehearse", lambda c, settings, *args: rehearsed.append(args)
    )
    c = MockContext(run={**registered(True), re.compile(r".* azureml -e cloud run .*"): Result()})

    azure_jobs.azure_run(c, pipeline="iris_pipeline", params=PARAMS, rehearse=True)

    assert rehearsed == [("iris_pipeline", PARAMS)]
    assert " azureml -e cloud run " in commands(c)[-1]


@pytest.mark.usefixtures("az")
def test_azure_run_submits_nothing_when_the_rehearsal_fails(monkeypatch):
    def failing(*args):
        raise Exit("The rehearsal failed (above)", code=1)

    monkeypatch.setattr(azure_rehearse, "rehearse", failing)
    c = MockContext(run=registered(True))

    with pytest.raises(Exit, match="rehearsal failed"):
        azure_jobs.azure_run(c, rehearse=True)
    assert not any(" run " in command for command in commands(c))


def test_without_azurite_it_says_how_to_install_it_or_to_pass_storage(configured, monkeypatch):
    monkeypatch.setattr(azurite, "program", lambda: None)

    with pytest.raises(Exit, match=r"npm install .*azurite@3\.35\.x.*--storage") as error:
        azure_rehearse.azure_rehearse(MockContext())
    assert error.value.code == 2


def test_unreachable_storage_is_one_clear_message(configured, monkeypatch, capsys, tmp_path):
    """In this process: staging comes before the job is read, so no job is compiled."""
    dead = azurite.connection_string(azurite.free_port())
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", dead)

    code = rehearsal.main([str(tmp_path / "no-job.yaml"), str(configured), str(tmp_path)])

    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("Staging the raw data failed: Cannot reach the blob storage")
    assert len(err.splitlines()) == 1
