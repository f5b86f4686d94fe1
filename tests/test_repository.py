"""The repository keeps its promises: committed notebooks are executed, stable and offline; the README is true."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_PATHS = sorted((ROOT / "notebooks").glob("*.ipynb"))
README = (ROOT / "README.md").read_text()


def code_cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.name)
def test_notebook_was_executed_top_to_bottom_by_the_project_runner(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb["metadata"], "widget state is stored: re-execute with ./course execute"
    counts = [c["execution_count"] for c in code_cells(path)]
    assert counts == list(range(1, len(counts) + 1)), "re-execute with ./course execute (not by hand)"
    for cell in nb["cells"]:
        assert "execution" not in cell.get("metadata", {}), "timings are stored: re-execute with ./course execute"


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.name)
def test_every_cell_has_a_stable_readable_id(path):
    ids = [c["id"] for c in json.loads(path.read_text())["cells"]]
    assert len(ids) == len(set(ids))
    random_looking = [i for i in ids if re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){0,4}[0-9a-f]*", i)]
    assert not random_looking, f"give cells meaningful ids like 'forward-difference', not {random_looking[:3]}"


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.name)
def test_only_cells_tagged_raises_exception_store_an_error(path):
    for cell in code_cells(path):
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        tags = cell["metadata"].get("tags", [])
        assert bool(errors) == ("raises-exception" in tags), cell["id"]


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.name)
def test_notebook_downloads_nothing(path):
    source = "\n".join("".join(c["source"]) for c in code_cells(path))
    assert not re.search(r"https?://|urllib|requests\.|download=True|from_pretrained|wget|curl", source)


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.name)
def test_lesson_starts_with_course_setup(path):
    first = "".join(code_cells(path)[0]["source"])
    assert "course.setup()" in first


def test_readme_lists_every_notebook_and_only_existing_ones():
    linked = set(re.findall(r"\(notebooks/([\w.-]+\.ipynb)\)", README))
    assert linked == {p.name for p in NOTEBOOK_PATHS}


def test_readme_quick_start_is_two_commands_and_ci_runs_the_same_test_command():
    quick_start = README.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick_start.strip().splitlines()]
    commands = [c for c in commands if c]  # comment-only lines explain, they run nothing
    assert commands == ["./course open", "./course test"]
    assert re.search(r"^\./course test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_binder_badge_opens_lesson_one_in_jupyterlab():
    badge = re.search(r"\(https://mybinder\.org/v2/gh/[^)]+\?urlpath=lab/tree/(notebooks/[\w.-]+\.ipynb)\)", README)
    assert badge and (ROOT / badge[1]).exists()
    assert badge[1] == "notebooks/01_finite_differences.ipynb"


def test_notebooks_find_helpers_through_the_link_in_their_own_folder():
    link = ROOT / "notebooks" / "helpers"
    assert link.is_symlink() and Path(os.readlink(link)) == Path("../helpers")
    assert "-e ." not in (ROOT / "requirements.txt").read_text().split()


def test_a_kernel_started_in_notebooks_imports_the_helpers_of_its_own_copy(tmp_path):
    # A second copy of the course (as a student's pulled copy on a hub): its notebooks import its helpers.
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "helpers", copy / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "notebooks").mkdir()
    (copy / "notebooks" / "helpers").symlink_to(Path("..") / "helpers")
    found = subprocess.run([sys.executable, "-c", "import helpers; print(helpers.__file__)"],
                           cwd=copy / "notebooks", capture_output=True, text=True, timeout=60)
    assert found.stdout.strip() == str(copy / "notebooks" / "helpers" / "__init__.py"), found.stderr


def test_learners_commands_install_requirements_txt_only_and_test_adds_the_test_file():
    script = (ROOT / "course").read_text()
    branches = dict(re.findall(r"^    ([a-z|-]+)\)\n((?:        .*\n)+?)        (?:exec|;;)", script, re.M))
    for command in ("open|present", "notebook", "execute", "student-copies", "bench"):
        assert re.search(r"^\s*setup$", branches[command], re.M), f"./course {command} should run `setup` alone"
    assert re.search(r"^\s*setup test$", branches["test"], re.M)
    assert "requirements-test.txt" in script.split("setup() {", 1)[1].split("\n}", 1)[0]
