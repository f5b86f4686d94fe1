"""The nbgitpuller link that hands the course out on a JupyterHub.

    python3 tools/hub_link.py https://hub.example.edu [--repo URL] [--branch main] [--lesson 01] [--interface lab]

A student who clicks the link logs in to the hub; nbgitpuller clones the course into their home (or, on a
later click, pulls the new commits and keeps their own edits) and opens the lesson. The link has the standard
form HUB/hub/user-redirect/git-pull?repo=...&urlpath=...&branch=..., every value URL-encoded.
Standard library only: an instructor needs no installed course to make a link.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
INTERFACES = {"lab": "lab/tree", "notebook": "notebooks"}  # JupyterLab, Notebook 7


class LinkError(ValueError):
    """Bad input: the message is one sentence saying what is wrong and what to do."""


def course_repository(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The course's public repository URL, from [tool.descent] in pyproject.toml (the one place it is kept)."""
    section = pyproject.read_text().split("[tool.descent]", 1)[-1]
    match = re.search(r'^repository\s*=\s*"([^"]+)"', section, re.M)
    if not match:
        raise LinkError(f"{pyproject} has no [tool.descent] repository = \"...\": add the course's repository URL.")
    return match[1]


def binder_slug(repository: str) -> str:
    """OWNER/NAME of a GitHub repository URL, as Binder's links use it."""
    parts = urlsplit(repository)
    path = parts.path.strip("/").removesuffix(".git")
    if parts.netloc != "github.com" or path.count("/") != 1:
        raise LinkError(f"{repository!r} is not a GitHub repository URL like https://github.com/OWNER/NAME.")
    return path


def lessons(notebooks: Path = ROOT / "notebooks") -> list[str]:
    return sorted(p.stem for p in notebooks.glob("*.ipynb"))


def find_lesson(wanted: str, available: list[str]) -> str:
    """The lesson named by `wanted`: its number (1, 01), its name (lab), or its file name."""
    key = wanted.strip().removesuffix(".ipynb")
    for stem in available:
        number, _, name = stem.partition("_")
        if key in (stem, name) or (key.isdigit() and number.isdigit() and int(key) == int(number)):
            return stem
    choices = ", ".join(stem.split("_", 1)[0] for stem in available)
    raise LinkError(f"There is no lesson {wanted!r}: give its number ({choices}) or its file name.")


def check_url(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise LinkError(f"{what} {url!r} is not a web address: give one like https://hub.example.edu.")
    return url.rstrip("/")


def hub_link(hub: str, repo: str, branch: str = "main", lesson: str = "01_finite_differences",
             interface: str = "lab", available: list[str] | None = None) -> str:
    """The nbgitpuller link for `lesson` of `repo` at `branch`, opened in `interface` on `hub`."""
    hub = check_url(hub, "The hub address")
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", branch) or branch.startswith(("-", "/")) or ".." in branch:
        raise LinkError(f"{branch!r} is not a git branch name: give one like main.")
    if interface not in INTERFACES:
        raise LinkError(f"The interface must be lab (JupyterLab) or notebook (Notebook 7), not {interface!r}.")
    if not repo.strip() or any(c.isspace() for c in repo):
        raise LinkError(f"{repo!r} is not a repository URL: give the address students' servers clone from.")
    folder = urlsplit(repo).path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")  # nbgitpuller's folder
    stem = find_lesson(lesson, lessons() if available is None else available)
    urlpath = f"{INTERFACES[interface]}/{folder}/notebooks/{stem}.ipynb"
    values = {"repo": repo, "urlpath": urlpath, "branch": branch}
    query = "&".join(f"{key}={quote(value, safe='')}" for key, value in values.items())
    return f"{hub}/hub/user-redirect/git-pull?{query}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./course hub-link", description=__doc__.split("\n\n")[0])
    parser.add_argument("hub", metavar="HUB_URL", help="the hub's address, e.g. https://hub.example.edu")
    parser.add_argument("--repo", help="the repository students clone (default: [tool.descent] in pyproject.toml)")
    parser.add_argument("--branch", default="main", help="the branch to hand out (default: main)")
    parser.add_argument("--lesson", default="01", help="the lesson to open: its number or file name (default: 01)")
    parser.add_argument("--interface", default="lab", choices=sorted(INTERFACES),
                        help="lab (JupyterLab, default) or notebook (Notebook 7)")
    args = parser.parse_args(argv)
    try:
        repo = args.repo or course_repository()
        print(hub_link(args.hub, repo, args.branch, args.lesson, args.interface))
    except LinkError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
