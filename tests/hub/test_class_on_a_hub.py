"""A class on a JupyterHub: two students follow the nbgitpuller link, get the course in their homes and run it;
the instructor pushes a new commit; a student who edited a lesson follows the link again and keeps the edit.

Real: a local JupyterHub (hub_setup.py) whose students' servers have only hub/requirements.txt installed, the
link printed by `./course hub-link`, headless Chromium. Slow the first time (it builds the single-user
environment, about a minute or two; cached after that). Without Chromium, Playwright or npm it is skipped with
one line saying why; under CI=true it fails instead.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent / "browser"))
sys.path.insert(0, str(ROOT))

from hub_setup import PASSWORD, HubUnavailable, commit, course_origin, git, single_user_env, start_hub  # noqa: E402
from tools.hub_link import hub_link  # noqa: E402

CHROMIUM = os.environ.get("DESCENT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in ("true", "1")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
EDIT = "# my own note: the slope is rise over run"


def cannot_run(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and the hub test cannot run: {reason}", pytrace=False)
    pytest.skip(f"hub test: {reason}")


def log_in(student: str):
    """What a student does between clicking the link and seeing the lesson: log in to the hub."""
    def arrive(page) -> None:
        page.wait_for_selector("input[name=username]", timeout=60_000)
        page.fill("input[name=username]", student)
        page.fill("input[name=password]", PASSWORD)
        page.click("#login_submit, input[type=submit], button[type=submit]")
    return arrive


def report(figures: dict[str, float]) -> None:
    print("\nhub figures: " + ", ".join(f"{what} {value:.1f} s" for what, value in figures.items()))


def test_students_pull_the_course_run_it_and_keep_their_edits_across_an_update(tmp_path, capsys):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        cannot_run("Playwright is not installed: run `./course test` (it installs requirements-test.txt)")
    if not Path(CHROMIUM).exists():
        cannot_run(f"no Chromium at {CHROMIUM}: install it with `sudo apt-get install chromium`")
    from notebook_page import open_and_run

    figures: dict[str, float] = {}
    memory: dict[str, list[float]] = {}
    start = time.perf_counter()
    env, built_s = single_user_env()
    figures["single-user env build (0 = cached)"] = built_s
    origin = course_origin(tmp_path)
    try:
        hub = start_hub(tmp_path, env)
    except HubUnavailable as why:
        cannot_run(str(why))
    figures["hub start"] = time.perf_counter() - start - built_s
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        lesson1 = hub_link(hub.url, str(origin), lesson="01", interface="lab")
        lab_link = hub_link(hub.url, str(origin), lesson="lab", interface="notebook")

        # Student 1: lesson 1 in JupyterLab, through the link (log in, clone, open).
        ada = browser.new_context(viewport={"width": 1280, "height": 900})
        ada_copy = hub.homes / "ada" / "descent"
        nb = open_and_run(ada, lesson1, ada_copy / "notebooks" / "01_finite_differences.ipynb", SCREENSHOTS,
                          "hub_ada_01", arrive=log_in("ada"))
        figures["ada: link to idle lesson 1"], figures["ada: Run All lesson 1"] = nb.page_load_s, nb.run_all_s
        assert (ada_copy / ".git").is_dir() and (ada_copy / "notebooks" / "helpers").is_symlink()
        assert not nb.run_all_problems(), "lesson 1 on the hub:\n" + "\n".join(nb.run_all_problems())

        # Student 2: the lab in Notebook 7; its Run button trains with live plots.
        bo = browser.new_context(viewport={"width": 1280, "height": 900})
        lab = open_and_run(bo, lab_link, hub.homes / "bo" / "descent" / "notebooks" / "08_lab.ipynb", SCREENSHOTS,
                           "hub_bo_lab_notebook7", arrive=log_in("bo"))
        figures["bo: link to idle lab (Notebook 7)"], figures["bo: Run All lab"] = lab.page_load_s, lab.run_all_s
        assert not lab.run_all_problems(), "the lab on the hub:\n" + "\n".join(lab.run_all_problems())
        lab.scroll_to("descent-readout")
        readout = ".jp-NotebookPanel:not(.lm-mod-hidden) .descent-readout"
        epoch = "(sel) => +((/\\bepoch (\\d+)/.exec(document.querySelector(sel).innerText) || [0, 0])[1])"
        lab.click("descent-reset")
        lab.wait_until(f"(sel) => ({epoch})(sel) === 0", readout, what="'epoch 0' in the readout after Reset")
        before = lab.image_fingerprint("descent-loss-plot")
        lab.click("descent-run")
        lab.wait_until(f"(sel) => ({epoch})(sel) > 0 && !document.querySelector(sel).innerText.includes('running')",
                       readout, what="the lab's Run to train past epoch 0 and stop", timeout_ms=90_000)
        assert lab.image_fingerprint("descent-loss-plot") != before, "the lab's Run left the loss plot unchanged"
        memory = hub.memory_mb()

        # Ada edits the first code cell of lesson 1 and saves.
        page = nb.page
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .cm-content").first.click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\n" + EDIT)
        page.keyboard.press("Control+s")
        saved = ada_copy / "notebooks" / "01_finite_differences.ipynb"
        deadline = time.monotonic() + 30
        while EDIT not in saved.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert EDIT in saved.read_text(), "Ada's edit was not saved to her copy"

        # The instructor commits week 2: a new note in lesson 0 and a new file.
        week2 = json.loads((origin / "notebooks" / "00_start_here.ipynb").read_text())
        week2["cells"].append({"cell_type": "markdown", "id": "week-2-note", "metadata": {},
                               "source": ["**Week 2:** lesson 3 is new."]})
        (origin / "notebooks" / "00_start_here.ipynb").write_text(json.dumps(week2, indent=1) + "\n")
        (origin / "notebooks" / "week2.md").write_text("Read lesson 3 before Tuesday.\n")
        commit(origin, "Week 2")

        # Ada follows the same link again: the new commit arrives, her edit stays.
        again = time.perf_counter()
        page.goto(lesson1)
        nb.wait_kernel_idle()
        figures["ada: link again to idle lesson 1"] = time.perf_counter() - again
        assert (ada_copy / "notebooks" / "week2.md").exists(), "the new commit's file did not arrive"
        assert "week-2-note" in (ada_copy / "notebooks" / "00_start_here.ipynb").read_text()
        assert "Week 2" in git(ada_copy, "log", "--format=%s")
        assert EDIT in saved.read_text(), "following the link again lost Ada's edit"
        shown = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets"
                              ".map(w => w.model.sharedModel.getSource()).join('\\n')")
        assert EDIT in shown, "the page does not show Ada's edit after the update"
        browser.close()
    finally:
        playwright.stop()
        left = hub.stop()
        figures["whole hub test"] = time.perf_counter() - start
        with capsys.disabled():
            report(figures)
            if memory:
                print("hub memory now (MB, resident): " + "; ".join(
                    f"{kind} " + ", ".join(f"{mb:.0f}" for mb in sorted(values)) for kind, values in memory.items()))
            if left:
                print(f"hub test: stopped {len(left)} process(es) the hub left running: {left}")
