"""Re-execute notebooks in place, top to bottom, the same way every time.

    python -m helpers.execute                      # every notebook in notebooks/
    python -m helpers.execute notebooks/01_*.ipynb # just these

Runs each notebook in a fresh `python3` kernel of this very interpreter, stores the outputs, and leaves
nothing that changes from run to run: no timings, no widget model ids (live widgets are replaced by
the static picture they carry, see helpers.widget_display), no Python patch version.
A cell that raises stops the run and the notebook is not written, unless the cell is tagged
`raises-exception` (it raises on purpose).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from helpers.errors import CourseError

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def use_this_interpreter(kernels_root: Path) -> None:
    """Point the `python3` kernel at this interpreter, whatever kernels the user has installed."""
    spec_dir = kernels_root / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec_dir / "kernel.json").write_text(json.dumps({**KERNELSPEC, "argv": argv}))
    os.environ["JUPYTER_PATH"] = str(kernels_root)


def _relative_paths(text: str) -> str:
    return text.replace(sys.prefix, "<venv>").replace(str(NOTEBOOKS.parent), "<course>")


def _make_stable(nb: nbformat.NotebookNode) -> None:
    """Drop what differs between two runs of the same notebook."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.get("language_info", {}).pop("version", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.outputs:
            if out.output_type == "error":  # tracebacks name this machine's folders: name them the same everywhere
                out.traceback = [_relative_paths(line) for line in out.traceback]
            data = out.get("data")
            if data and WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                if not data:
                    continue
            kept.append(out)
        cell.outputs = kept


def _cell_seconds(nb: nbformat.NotebookNode) -> float:
    """Seconds the kernel spent running the cells (Run All, kernel start-up excluded)."""
    total = 0.0
    for cell in nb.cells:
        timing = cell.metadata.get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            start, end = (datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                          for k in ("iopub.execute_input", "shell.execute_reply"))
            total += (end - start).total_seconds()
    return total


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read the notebook at `path`, or raise one CourseError sentence saying why it cannot be read."""
    if not path.exists():
        raise CourseError(f"{path} does not exist: give the path of a notebook, e.g. notebooks/01_finite_differences.ipynb.")
    if path.is_dir() or path.suffix != ".ipynb":
        raise CourseError(f"{path} is not a notebook (.ipynb file): give the path of a notebook.")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # NotJSONError, ValidationError, UnicodeDecodeError, ...
        raise CourseError(
            f"{path} is not a readable notebook ({type(err).__name__}): restore it with git checkout -- {path}."
        ) from None
    return nb


def cell_error_line(err: CellExecutionError) -> str:
    """The last line of a cell's error (its exception and message), without terminal colour codes."""
    lines = ANSI_ESCAPE.sub("", str(err)).strip().splitlines()
    return lines[-1].strip() if lines else type(err).__name__


def execute(path: Path, timeout: int = 600) -> float:
    """Execute the notebook at `path` in place; return the seconds its cells took in the kernel."""
    nb = read_notebook(path)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        record_timing=True,  # read by _cell_seconds, then dropped by _make_stable
        coalesce_streams=True,  # one stream output per cell, wherever the kernel happened to split it
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    # The kernel's own log (e.g. ipykernel's "running over TCP without encryption") is not the notebook's business.
    client.execute(stderr=subprocess.DEVNULL)
    seconds = _cell_seconds(nb)
    _make_stable(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.pop("DESCENT_PRESENTER", None)  # stored outputs show the default style
    with tempfile.TemporaryDirectory() as kernels_root:
        use_this_interpreter(Path(kernels_root))
        for path in paths:
            try:
                seconds = execute(path.resolve())
            except CourseError as err:
                print(err, file=sys.stderr)
                return 1
            except CellExecutionError as err:
                print(f"{path}: a cell raised ({cell_error_line(err)}); the notebook was not written.", file=sys.stderr)
                return 1
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"{path}: Run All took {seconds:.1f} s in the kernel (largest kernel so far: {peak_mb:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
