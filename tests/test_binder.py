"""Binder, a hub and a local install get the same lessons' packages; only tests get the test tools."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.hub_link import binder_slug, course_repository

ROOT = Path(__file__).resolve().parent.parent
CPU_INDEX_LINE = "--extra-index-url https://download.pytorch.org/whl/cpu"
TEST_TOOLS = {"pytest", "nbval", "playwright"}
HUB_SIDE = {"jupyterhub", "nbgitpuller"}
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)==([^\s#;]+).*", line)
        if match:
            found[match[1].lower()] = match[2]
    return found


def test_learners_install_no_test_tool_and_tests_install_them_on_top():
    learners, tests = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-test.txt")
    assert learners and not TEST_TOOLS & learners.keys()
    assert TEST_TOOLS <= tests.keys()
    assert "-r requirements.txt" in (ROOT / "requirements-test.txt").read_text().splitlines()


def test_binder_pins_match_the_root_requirements():
    assert pins(ROOT / "binder" / "requirements.txt") == pins(ROOT / "requirements.txt")


def test_hub_image_has_the_lessons_packages_and_the_hub_side_only():
    hub, learners = pins(ROOT / "hub" / "requirements.txt"), pins(ROOT / "requirements.txt")
    assert {k: v for k, v in hub.items() if k not in HUB_SIDE} == learners
    assert HUB_SIDE <= hub.keys()


@pytest.mark.parametrize("folder", ["binder", "hub"])
def test_binder_and_hub_take_torch_from_the_cpu_wheel_index_and_install_no_checkout(folder):
    lines = (ROOT / folder / "requirements.txt").read_text().splitlines()
    assert CPU_INDEX_LINE in lines
    assert not [line for line in lines if re.match(r"\s*(-e|--editable)\b|\s*\.\s*$", line)]


def test_ipywidgets_is_the_release_that_renders_in_vs_code():
    assert pins(ROOT / "requirements.txt")["ipywidgets"] == "8.1.8"  # 8.1.9 renders nothing there (README)


def test_binder_uses_python_3_11():
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


def binder_links() -> list[tuple[str, str]]:
    found = []
    for path in DOCS:
        found += [(path.name, link) for link in re.findall(r"https?://mybinder\.org/v2/[^\s)\]\"']+", path.read_text())]
    return found


def test_every_binder_link_names_the_course_repository_and_an_existing_lesson():
    slug = binder_slug(course_repository())
    links = binder_links()
    assert links, "README.md should carry the Binder badge"
    for where, link in links:
        match = re.fullmatch(r"https://mybinder\.org/v2/gh/([^/]+/[^/]+)/HEAD\?urlpath=(lab/tree|notebooks)/(\S+)",
                             link)
        assert match, f"{where}: {link} is not of the form https://mybinder.org/v2/gh/{slug}/HEAD?urlpath=lab/tree/..."
        assert match[1] == slug, (
            f"{where}: {link} names {match[1]}, but pyproject.toml's [tool.descent] repository is {slug}"
        )
        assert (ROOT / match[3]).is_file(), f"{where}: {link} opens {match[3]}, which does not exist"
    assert (ROOT / "binder" / "requirements.txt").is_file()


def test_ci_installs_the_proxy_version_the_hub_test_pins():
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "hub"))
    from hub_setup import PROXY_VERSION

    assert f"configurable-http-proxy@{PROXY_VERSION}" in (ROOT / ".ci" / "run").read_text()
