"""The real-browser tests' set-up: one headless Chromium and one JupyterLab server (see lab_server.py).

Each notebook is opened and run once (`lab.open(name)`), in its own page; the tests that look at the same
notebook share that run, and its kernel is shut down when the next notebook opens. Browser tests are
therefore grouped by notebook (the `notebook(name)` marker); everything stops after the last of them.
Without Chromium they are skipped with one line saying how to get it; under CI=true a missing browser is a
failure. The figures they measure (page load, Run All, slider latency, live frames per second) are printed
at the end of the run. DESCENT_CHROMIUM=PATH picks another Chromium; DESCENT_BROWSER_NOTEBOOKS=DIR another
folder of notebooks (e.g. a copy with a cell broken on purpose, to see the tests fail).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

import pytest

from lab_server import NOTEBOOKS, SCREENSHOTS, start_server

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("DESCENT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in ("true", "1")

# Figures measured in the browser, printed at the end of the test run: {what: {notebook or widget: value}}.
FIGURES: dict[str, dict[str, float]] = {}
_state: dict = {"collected": 0, "skip_reason": None, "not_yet": {}}


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: run `./course test` (it installs requirements.txt)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM}: install it with `sudo apt-get install chromium` to run them"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "notebook(name): the notebook in notebooks/ a browser test opens")
    config.addinivalue_line("markers", "frontend(name): lab (JupyterLab, the default) or notebook (Notebook 7)")


def _notebook_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("notebook")
    return marker.args[0] if marker else ""


def _frontend_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("frontend")
    return marker.args[0] if marker else "lab"


def _checks_every_notebook(item: pytest.Item) -> bool:
    return hasattr(item, "callspec") and "name" in item.callspec.params


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser = [item for item in items if HERE in item.path.parents]
    _state["collected"] = len(browser)
    reason = missing_browser() if browser else None
    if reason and not IN_CI:
        _state["skip_reason"] = reason
        for item in browser:
            item.add_marker(pytest.mark.skip(reason=f"browser tests: {reason}"))
    # While a lesson is being written, the tests of its notebook wait for it; under CI=true they fail instead
    # (in `lab.open`): a renamed or missing notebook must not pass unnoticed.
    for item in browser:
        name = _notebook_of(item)
        if name and not (NOTEBOOKS / name).exists() and not IN_CI:
            _state["not_yet"].setdefault(name, 0)
            _state["not_yet"][name] += 1
            item.add_marker(pytest.mark.skip(reason=f"notebooks/{name} does not exist yet"))
    # Keep the tests of one notebook in one front end together, so each is opened and run once; the checks
    # every notebook gets (parametrized) come before the notebook's own interaction tests.
    position = {id(item): i for i, item in enumerate(items)}
    grouped = iter(sorted(browser, key=lambda item: (
        _frontend_of(item), _notebook_of(item), not _checks_every_notebook(item), position[id(item)]
    )))
    items[:] = [next(grouped) if HERE in item.path.parents else item for item in items]


def pytest_terminal_summary(terminalreporter) -> None:
    if not _state["collected"]:
        return
    write = terminalreporter.write_line
    if _state["skip_reason"]:
        write(f"browser tests: {_state['collected']} skipped — {_state['skip_reason']}")
        return
    if _state["not_yet"]:
        waiting = ", ".join(f"{name} ({n} test{'s' * (n > 1)})" for name, n in _state["not_yet"].items())
        write(f"browser tests skipped until their notebook exists: {waiting}")
    if FIGURES:
        write("browser figures (JupyterLab and Notebook 7 in headless Chromium; a busy machine makes them larger):")
    for what, values in FIGURES.items():
        digits = 0 if "(ms" in what else 1
        write(f"  {what}: " + ", ".join(f"{name} {value:.{digits}f}" for name, value in values.items()))


def record_figure(what: str, name: str, value: float) -> None:
    """Keep a measured figure for the end-of-run summary."""
    FIGURES.setdefault(what, {})[name] = value


@pytest.fixture(name="record_figure")
def record_figure_fixture() -> Callable[[str, str, float], None]:
    """record_figure(what, name, value): keep a measured figure for the end-of-run summary."""
    return record_figure


class Lab:
    """Chromium, a JupyterLab server, and the one notebook open in it (opened and run once per session).

    Not a session fixture: Playwright's sync API keeps an asyncio loop running in this thread while it is
    started, which would break later tests that use asyncio; so the lab closes after the last browser test.
    """

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self.start = time.perf_counter()
        self.current = None
        self.current_frontend = "lab"
        self.failures: dict[tuple[str, str], str] = {}  # (front end, notebook) -> why it could not run
        self._temp = [tempfile.TemporaryDirectory(prefix=f"descent-{what}-") for what in ("chromium", "jupyterlab")]
        self.playwright = sync_playwright().start()
        try:
            self.context = self.playwright.chromium.launch_persistent_context(
                self._temp[0].name, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900},
            )
            self.server = start_server(Path(self._temp[1].name))
        except BaseException:
            self.playwright.stop()
            raise
        record_figure("session (s)", "browser and server start", time.perf_counter() - self.start)

    def open(self, name: str, frontend: str = "lab"):
        """The notebook `name`, opened and run in `frontend` (lab or notebook: Notebook 7), once per session.

        A notebook that does not exist is skipped (the lesson is being written), but fails under CI=true.
        """
        from notebook_page import FRONTENDS, notebook_url, open_and_run

        where = FRONTENDS[frontend]
        if not (NOTEBOOKS / name).exists():
            if IN_CI:
                pytest.fail(f"CI=true and notebooks/{name} does not exist: was it renamed?", pytrace=False)
            pytest.skip(f"notebooks/{name} does not exist yet")
        if (frontend, name) in self.failures:
            pytest.fail(self.failures[frontend, name], pytrace=False)
        if self.current is not None and (self.current_frontend, self.current.name) == (frontend, name):
            return self.current
        self.close_notebook()
        stem = name.removesuffix(".ipynb") + ("" if frontend == "lab" else f"_{frontend}")
        try:
            self.current = open_and_run(
                self.context, notebook_url(self.server.base_url, self.server.token, name, frontend),
                self.server.root / name, SCREENSHOTS, stem,
            )
            self.current_frontend = frontend
        except Exception as error:
            self.failures[frontend, name] = f"{name}: could not open and run it in {where}: {error}"
            self.close_notebook()
            raise
        record_figure(f"page load to idle kernel (s), {where}", stem, self.current.page_load_s)
        record_figure(f"Run All (s), {where}", stem, self.current.run_all_s)
        slowest = self.current.after_run.slowest()
        if slowest is not None:
            record_figure(f"slowest cell (s), {where}", f"{stem}:{slowest.id}", slowest.seconds)
        return self.current

    def close_notebook(self) -> None:
        """Close the notebook's page and shut its kernel down."""
        for page in self.context.pages:
            page.close()
        self.current = None
        self.server.shut_down_kernels()

    def close(self) -> None:
        """Stop everything, whatever state it is in."""
        try:
            self.server.stop()
        finally:
            try:
                self.context.close()
            finally:
                self.playwright.stop()
                for temp in self._temp:
                    temp.cleanup()
                record_figure("session (s)", "all browser tests", time.perf_counter() - self.start)


_lab: list[Lab] = []  # the running lab, if any


@pytest.fixture
def lab() -> Lab:
    """The shared lab, started at the first browser test that needs it."""
    reason = missing_browser()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true and the browser tests cannot run: {reason}", pytrace=False)
        pytest.skip(f"browser tests: {reason}")
    if not _lab:
        _lab.append(Lab())
    return _lab[0]


def _close_lab() -> None:
    if _lab:
        _lab.pop().close()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if HERE in item.path.parents and (nextitem is None or HERE not in nextitem.path.parents):
        _close_lab()  # the last browser test in a row: stop Chromium, JupyterLab and Playwright's loop now


def pytest_sessionfinish(session: pytest.Session) -> None:
    _close_lab()  # after an interrupted run too
