"""Peak memory of a student's kernel per lesson, to size a hub (Linux: reads /proc).

    .venv/bin/python tools/kernel_memory.py [NB ...]     # every lesson by default

Runs each notebook top to bottom in a fresh kernel of this interpreter (nothing is written back) and prints
the kernel's peak resident memory (VmHWM) after its last cell. Each student's Jupyter server comes on top.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def measure(path: Path) -> float:
    """MB of peak resident memory of the kernel that ran `path` (cells that raise on purpose may raise)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        return peak_mb(client.km.provisioner.process.pid)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    print("| lesson | kernel peak memory (MB) |\n|---|---|")
    for path in paths:
        print(f"| {path.stem} | {measure(path.resolve()):.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
