"""Every notebook works in a real JupyterLab and in Notebook 7: opened as committed, then cleared and Run All in
headless Chromium; no error, no dialog, every widget drawn; lesson 1's slider and the lab's Run answer in both."""
from __future__ import annotations

import re

import pytest

from lab_server import notebook_names
from notebook_page import FRONTENDS, NOTEBOOK

NOTEBOOK_PARAMS = [
    pytest.param(frontend, name, id=f"{frontend}-{name.removesuffix('.ipynb')}",
                 marks=[pytest.mark.notebook(name), pytest.mark.frontend(frontend)])
    for frontend in FRONTENDS for name in notebook_names()
] or [pytest.param("lab", "", id="none", marks=pytest.mark.skip(reason="no notebooks in notebooks/ yet"))]
LESSON1 = "01_finite_differences.ipynb"
LAB = "08_lab.ipynb"


@pytest.mark.parametrize(("frontend", "name"), NOTEBOOK_PARAMS)
def test_committed_notebook_shows_its_pictures_without_running(lab, frontend, name):
    nb = lab.open(name, frontend)
    problems = [
        f"cell {stored.id}: its stored picture is not visible"
        for stored, shown in nb.code_cells("before")
        if stored.stored_png and not shown.images
    ]
    assert not nb.before_run.widget_errors(), f"{name}, as committed: {nb.before_run.widget_errors()} in the page"
    assert not nb.before_run.dialogs, f"{name} in {FRONTENDS[frontend]}: a dialog opened: {nb.before_run.dialogs}"
    assert not problems, f"{name}, opened without running:\n" + "\n".join(problems)


@pytest.mark.parametrize(("frontend", "name"), NOTEBOOK_PARAMS)
def test_run_all_shows_no_errors_and_draws_every_widget_and_plot(lab, frontend, name):
    nb = lab.open(name, frontend)
    problems = nb.run_all_problems()
    console = [f"  browser console: {text.splitlines()[0]}" for text in nb.after_run.console_errors[:5]]
    assert not problems, (
        f"{name} in {FRONTENDS[frontend]}, after Run All (screenshot {nb.screenshot}):\n" + "\n".join(problems + console)
    )


def numbers_in(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?", text)]


@pytest.mark.notebook(LESSON1)
@pytest.mark.parametrize("frontend", [pytest.param(f, marks=pytest.mark.frontend(f)) for f in FRONTENDS])
def test_lesson1_moving_h_changes_the_printed_estimate(lab, frontend, record_figure):
    nb = lab.open(LESSON1, frontend)
    for cls in ("descent-h", "descent-w", "descent-estimate", "descent-secant-plot"):
        assert nb.widget(cls).count(), f"01_finite_differences.ipynb: no element with class {cls!r} in the page"
    estimate = nb.text_of("descent-estimate")
    nb.watch_image("descent-secant-plot")
    nb.type_into_readout("descent-h", nb.other_slider_value("descent-h"))
    nb.wait_until("([sel, old]) => document.querySelector(sel).innerText !== old",
                  [f"{NOTEBOOK} .descent-estimate", estimate], what="a new estimate after moving h")
    assert numbers_in(nb.text_of("descent-estimate")) != numbers_in(estimate)
    nb.wait_for_new_images("descent-secant-plot", 1)
    record = nb.image_record("descent-secant-plot")
    latency = record["loads"][0] - record["enter"]
    record_figure("slider Enter -> new plot loaded (ms, target 100)", f"lesson 1 h, {FRONTENDS[frontend]}", latency)


@pytest.mark.notebook(LAB)
@pytest.mark.frontend("notebook")
def test_lab_run_trains_with_live_plots_in_notebook_7(lab):
    # JupyterLab's own lab tests are in test_lab_in_browser.py; here the same Run button in Notebook 7.
    nb = lab.open(LAB, "notebook")
    for cls in ("descent-run", "descent-readout", "descent-loss-plot"):
        assert nb.widget(cls).count(), f"{LAB} in Notebook 7: no element with class {cls!r} in the page"
    readout = f"{NOTEBOOK} .descent-readout"
    epoch = "(sel) => +((/\\bepoch (\\d+)/.exec(document.querySelector(sel).innerText) || [0, 0])[1])"
    nb.scroll_to("descent-readout")
    nb.click("descent-reset")
    nb.wait_until(f"(sel) => ({epoch})(sel) === 0", readout, what="'epoch 0' in the readout after Reset")
    before = nb.image_fingerprint("descent-loss-plot")
    nb.click("descent-run")
    nb.wait_until(f"(sel) => ({epoch})(sel) > 0 && !document.querySelector(sel).innerText.includes('running')",
                  readout, what="the run to train past epoch 0 and stop", timeout_ms=90_000)
    assert nb.image_fingerprint("descent-loss-plot") != before, f"{LAB} in Notebook 7: Run left the loss plot unchanged"
    assert not nb.snapshot().dialogs
