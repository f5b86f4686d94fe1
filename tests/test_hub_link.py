"""./course hub-link prints the standard nbgitpuller link, or one sentence about what is wrong."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tools.hub_link import LinkError, binder_slug, course_repository, hub_link, lessons

ROOT = Path(__file__).resolve().parent.parent
REPO = "https://github.com/descent-course/descent"
LESSONS = ["00_start_here", "01_finite_differences", "08_lab"]


def query(link: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(link).query, strict_parsing=True).items()}


def test_link_has_the_standard_form_and_opens_the_lesson_in_jupyterlab():
    link = hub_link("https://hub.example.edu/", REPO, lesson="01", available=LESSONS)
    assert link.startswith("https://hub.example.edu/hub/user-redirect/git-pull?")
    assert query(link) == {"repo": REPO, "branch": "main",
                           "urlpath": "lab/tree/descent/notebooks/01_finite_differences.ipynb"}


def test_every_value_is_url_encoded_and_survives_the_round_trip():
    repo = "https://git.example.edu/course/c&d.git?ref=x"
    link = hub_link("https://hub.example.edu", repo, branch="week/2", lesson="lab", available=LESSONS)
    raw = urlsplit(link).query
    assert "repo=https%3A%2F%2Fgit.example.edu%2Fcourse%2Fc%26d.git%3Fref%3Dx" in raw
    assert "branch=week%2F2" in raw and "urlpath=lab%2Ftree%2Fc%26d%2Fnotebooks%2F08_lab.ipynb" in raw
    assert query(link) == {"repo": repo, "branch": "week/2", "urlpath": "lab/tree/c&d/notebooks/08_lab.ipynb"}


def test_notebook_interface_opens_the_lesson_in_notebook_7():
    link = hub_link("http://127.0.0.1:8000", REPO, lesson="00_start_here.ipynb", interface="notebook",
                    available=LESSONS)
    assert query(link)["urlpath"] == "notebooks/descent/notebooks/00_start_here.ipynb"


@pytest.mark.parametrize("lesson", ["8", "08", "lab", "08_lab", "08_lab.ipynb"])
def test_a_lesson_can_be_named_by_number_name_or_file(lesson):
    assert query(hub_link("https://h.edu", REPO, lesson=lesson, available=LESSONS))["urlpath"].endswith("/08_lab.ipynb")


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"hub": "hub.example.edu"}, "is not a web address"),
    ({"hub": "ftp://hub.example.edu"}, "is not a web address"),
    ({"lesson": "99"}, "There is no lesson '99': give its number (00, 01, 08)"),
    ({"branch": "two words"}, "is not a git branch name"),
    ({"interface": "classic"}, "must be lab (JupyterLab) or notebook (Notebook 7)"),
    ({"repo": "my repo"}, "is not a repository URL"),
])
def test_bad_input_gets_one_sentence(kwargs, says):
    args = {"hub": "https://hub.example.edu", "repo": REPO, **kwargs}
    with pytest.raises(LinkError) as error:
        hub_link(args.pop("hub"), args.pop("repo"), available=LESSONS, **args)
    message = str(error.value)
    assert says in message and message.count(". ") == 0 and message.endswith(".")


def test_course_command_prints_the_link_and_exits_non_zero_on_bad_input():
    ok = subprocess.run([str(ROOT / "course"), "hub-link", "https://hub.example.edu", "--lesson", "1"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert query(ok.stdout.strip())["repo"] == course_repository()
    bad = subprocess.run([sys.executable, str(ROOT / "tools" / "hub_link.py"), "not a url"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0
    assert bad.stdout == "" and bad.stderr.strip().count("\n") == 0 and "is not a web address" in bad.stderr


def test_default_lesson_and_repository_come_from_the_course():
    assert "01_finite_differences" in lessons()
    assert binder_slug(course_repository()).count("/") == 1
