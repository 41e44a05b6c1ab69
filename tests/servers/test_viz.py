"""`invoke viz`: kedro-viz serves the pipeline, and a real browser draws it."""

import base64
import json
import os
import re
import shlex
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.servers.live import check_screenshot, free_port, server
from workspace_tasks import servers

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "images" / "kedro-viz.png"
TASKS = {"split_data", "train_model", "evaluate_model", "plot_confusion_matrix"}
DATASETS = {"iris", "data_train", "data_test", "model", "predictions", "metrics"}
DATASETS |= {"confusion_matrix"}


@pytest.fixture(scope="module")
def viz(ran_project):
    port = free_port()
    command = servers.viz_command("127.0.0.1", port)
    with server(command, f"http://127.0.0.1:{port}/api/main", ran_project) as api:
        yield api.removesuffix("api/main")


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def test_the_api_lists_the_nodes_and_their_datasets(viz):
    graph = get_json(f"{viz}api/main")

    names = {node["id"]: node["name"] for node in graph["nodes"]}
    kinds = {node["name"]: node["type"] for node in graph["nodes"]}
    assert {name for name, kind in kinds.items() if kind == "task"} == TASKS
    assert {name for name, kind in kinds.items() if kind == "data"} == DATASETS
    edges = {(names[edge["source"]], names[edge["target"]]) for edge in graph["edges"]}
    assert {
        ("iris", "split_data"),
        ("split_data", "data_test"),
        ("train_model", "model"),
        ("evaluate_model", "metrics"),
        ("predictions", "plot_confusion_matrix"),
        ("plot_confusion_matrix", "confusion_matrix"),
    } <= edges


def test_the_confusion_matrix_is_previewed_as_the_saved_image(viz, ran_project):
    graph = get_json(f"{viz}api/main")
    (plot_id,) = [n["id"] for n in graph["nodes"] if n["name"] == "confusion_matrix"]

    details = get_json(f"{viz}api/nodes/{plot_id}")

    assert details["preview_type"] == "ImagePreview"
    png = base64.b64decode(details["preview"])
    assert png == (ran_project / "data/08_reporting/confusion_matrix.png").read_bytes()


def test_chromium_draws_the_flowchart_and_previews_the_plot(viz, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    # A first visit opens kedro-viz's feature tour over the flowchart.
    page.add_init_script("localStorage.setItem('KedroViz', '{\"showFeatureHints\": false}')")
    page.goto(viz)

    page.wait_for_selector(".pipeline-node__text")
    labels = {text.strip() for text in page.locator(".pipeline-node__text").all_text_contents()}
    assert labels >= TASKS | DATASETS
    label = page.locator(".pipeline-node__text", has_text=re.compile("^confusion_matrix$"))
    page.locator(".pipeline-node").filter(has=label).click()
    preview = page.locator(".pipeline-metadata__plot-image")
    preview.wait_for()
    assert preview.get_attribute("src").startswith("data:image/png;base64,")
    page.mouse.move(0, 0)  # no hover hint in the picture
    page.wait_for_timeout(500)  # the panel slides in
    shot = page.screenshot(path=tmp_path / "kedro-viz.png")

    check_screenshot(shot, SCREENSHOT)


def test_the_static_site_holds_the_flowchart_and_the_preview(ran_project):
    build = subprocess.run(
        shlex.split(servers.viz_build_command()),
        cwd=ran_project,
        capture_output=True,
        text=True,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "true"},
    )

    assert build.returncode == 0, build.stdout + build.stderr
    site = ran_project / "build"
    assert (site / "index.html").exists()
    graph = json.loads((site / "api" / "main").read_text())
    assert {n["name"] for n in graph["nodes"] if n["type"] == "task"} == TASKS
    (plot_id,) = [n["id"] for n in graph["nodes"] if n["name"] == "confusion_matrix"]
    details = json.loads((site / "api" / "nodes" / plot_id).read_text())
    assert details["preview_type"] == "ImagePreview"
