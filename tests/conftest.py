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


RUN_ALL_SECONDS: dict[str, float] = {}  # notebook name -> seconds its cells took under nbval (kernel side)


class _RunAllTimer:
    """Adds up the seconds of each notebook's cells. Registered as a plugin, not as this conftest's own hook:
    a conftest's hooks only see the items below its folder, and the notebooks live beside tests/."""

    @staticmethod
    def pytest_runtest_logreport(report) -> None:
        path = Path(report.location[0])
        if report.when == "call" and path.suffix == ".ipynb":
            RUN_ALL_SECONDS[path.name] = RUN_ALL_SECONDS.get(path.name, 0.0) + report.duration


def pytest_configure(config) -> None:
    config.pluginmanager.register(_RunAllTimer(), "descent-run-all-timer")


def pytest_terminal_summary(terminalreporter) -> None:
    try:
        from test_lesson_size import lesson_sizes

        sizes = lesson_sizes()
    except Exception as err:  # a broken exercise module already fails its own tests: keep the summary short
        terminalreporter.write_line(f"lesson sizes: not measured ({type(err).__name__}: {err})")
        sizes = []
    if sizes:
        terminalreporter.write_line("lesson sizes (budget: 2400 words, 32 code cells, 3 exercises, Run All 8 s):")
    for name, words, cells, exercises in sizes:
        seconds = f"{RUN_ALL_SECONDS[name]:.1f} s" if name in RUN_ALL_SECONDS else "not run"
        if RUN_ALL_SECONDS.get(name, 0.0) > 8:
            seconds += " (over the 8 s budget on this machine now)"
        terminalreporter.write_line(
            f"  {name:<40} {words:>5} words {cells:>3} code cells {exercises:>2} exercises  Run All {seconds}"
        )
    if RUN_ALL_SECONDS:
        total = sum(RUN_ALL_SECONDS.values())
        terminalreporter.write_line(f"  whole course under nbval: {total:.1f} s of cell time (budget 60 s)")
    total, exempt = exempt_cells()
    detail = ", ".join(f"{name}: {n}" for name, n in exempt.items()) or "none"
    terminalreporter.write_line(
        f"nbval: {total} notebook code cells, {total - sum(exempt.values())} compared strictly, "
        f"{sum(exempt.values())} exempt by tag ({detail})"
    )
