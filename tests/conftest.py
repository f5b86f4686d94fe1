"""Shared test set-up: report how many notebook cells are exempt from strict output comparison."""
from __future__ import annotations

import json
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
EXEMPT_TAGS = {"nbval-ignore-output", "nbval-skip"}


def exempt_cells() -> tuple[int, dict[str, int]]:
    """Count code cells, and the cells per notebook whose output nbval does not compare."""
    total, exempt = 0, {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            total += 1
            if EXEMPT_TAGS & set(cell.get("metadata", {}).get("tags", [])):
                exempt[path.name] = exempt.get(path.name, 0) + 1
    return total, exempt


def pytest_terminal_summary(terminalreporter) -> None:
    total, exempt = exempt_cells()
    detail = ", ".join(f"{name}: {n}" for name, n in exempt.items()) or "none"
    terminalreporter.write_line(
        f"nbval: {total} notebook code cells, {total - sum(exempt.values())} compared strictly, "
        f"{sum(exempt.values())} exempt by tag ({detail})"
    )
