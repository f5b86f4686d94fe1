"""Hand-out copies of the lessons: no outputs, no solutions, no instructor notes.

    python -m helpers.student_copies [OUT_DIR] [--no-solutions]    # or: ./course student-copies [OUT_DIR]

Writes every notebook of notebooks/ to OUT_DIR (default: student_copies/, which git ignores), beside a copy
of helpers/ (the lessons import it from their own folder), with all
outputs, execution counts and widget state removed, and without the cells tagged `solution` or
`instructor`. Exercise stubs stay as they are. A notebook that contains an exercise's solution is not
copied: the command stops and names it.

`--no-solutions` also writes OUT_DIR/.descent-no-solutions: in a kernel started in that folder (or below
it), hint() then stops after the last hint instead of showing the solution. It is a convention for
hand-outs, not a lock: the solutions still ship in helpers/exercises/.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat

from helpers.exercises import EXERCISES, NO_SOLUTIONS_FILE
from helpers.errors import CourseError
from helpers.execute import read_notebook

ROOT = Path(__file__).resolve().parent.parent
DROPPED_TAGS = {"solution", "instructor"}


def student_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of `nb` without outputs, execution counts, widget state, or solution/instructor cells."""
    copy = nbformat.from_dict(nb)
    copy.metadata.pop("widgets", None)
    kept = []
    for cell in copy.cells:
        if DROPPED_TAGS & set(cell.metadata.get("tags", [])):
            continue
        for key in ("execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        kept.append(cell)
    copy.cells = kept
    return copy


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def leaked_solutions(nb: nbformat.NotebookNode) -> list[str]:
    """Names of the exercises whose solution code appears in one of `nb`'s cells (spacing ignored)."""
    sources = [_squeeze(cell.source) for cell in nb.cells]
    return sorted(
        name for name, ex in EXERCISES.items() if any(_squeeze(ex.solution) in source for source in sources)
    )


def write_copies(notebooks: Path, out_dir: Path, solutions: bool = True) -> list[Path]:
    """Write a student copy of every notebook in `notebooks` to `out_dir`; return the paths written."""
    if not notebooks.is_dir():
        raise CourseError(f"There is no notebooks folder at {notebooks}: run this inside a complete copy of the course.")
    paths = sorted(notebooks.glob("*.ipynb"))
    if not paths:
        raise CourseError(f"There are no notebooks in {notebooks}: check the folder name.")
    if out_dir.exists() and not out_dir.is_dir():
        raise CourseError(f"{out_dir} is a file, not a folder: give the name of a folder to write the copies into.")
    copies = []
    for path in paths:
        copy = student_copy(read_notebook(path))
        leaked = leaked_solutions(copy)
        if leaked:
            raise CourseError(
                f"{path.name} contains the solution of {', '.join(leaked)}: tag that cell `solution` "
                "(or remove it), then run this again."
            )
        nbformat.validate(copy)
        copies.append((path.name, copy))
    blocking = next((folder for folder in (out_dir, *out_dir.parents) if folder.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise CourseError(f"{blocking} is a file, so no folder can be made below it: choose another folder for the copies.")
    out_dir.mkdir(parents=True, exist_ok=True)
    # The lessons import helpers from their own folder: a hand-out folder carries its copy.
    shutil.copytree(ROOT / "helpers", out_dir / "helpers", ignore=shutil.ignore_patterns("__pycache__"),
                    dirs_exist_ok=True)
    written = []
    for name, copy in copies:
        nbformat.write(copy, out_dir / name)
        written.append(out_dir / name)
    marker = out_dir / NO_SOLUTIONS_FILE
    if solutions:
        marker.unlink(missing_ok=True)
    else:
        marker.write_text("hint() shows no solutions for notebooks in this folder (see helpers/student_copies.py).\n")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=ROOT / "student_copies",
                        help="where to write the copies (default: student_copies/)")
    parser.add_argument("--no-solutions", action="store_true",
                        help="make hint() withhold the solutions in these copies")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        written = write_copies(args.notebooks, args.out_dir, solutions=not args.no_solutions)
    except CourseError as err:
        print(err, file=sys.stderr)
        return 1
    except OSError as err:  # a folder that cannot be written, a full disk, ...
        print(f"Could not write the copies to {args.out_dir} ({err.strerror or err}): choose a folder you can write to.",
              file=sys.stderr)
        return 1
    copies = "1 student copy" if len(written) == 1 else f"{len(written)} student copies"
    note = " (hint() withholds the solutions there)" if args.no_solutions else ""
    print(f"Wrote {copies} to {args.out_dir}{note}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
