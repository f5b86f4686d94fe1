"""Drive one notebook in a real JupyterLab page: open it, Run All, read what the learner sees, move widgets.

Actions go through the UI a learner uses (menus, slider readouts, buttons). Observations read the page
and JupyterLab's own notebook model (the server exposes it as `window.jupyterapp`), which tells an error
output from a stderr stream — the two look the same in the DOM.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# What ipywidgets shows instead of a widget it cannot display: a missing model, or a view that threw.
WIDGET_ERRORS = ("Error displaying widget", "Click to show javascript error", "Failed to create view")
# Generous, as the machine may be busy: every wait ends as soon as its event happens.
TIMEOUT_MS = 120_000  # opening a notebook, Run All
ANSWER_TIMEOUT_MS = 30_000  # a widget answering a click or a new value

# The current notebook's kernel and, per cell, what the model holds and what the page shows.
_STATE_JS = """() => {
  // Why a widget view failed: ipywidgets writes the reason into its error box once the box is clicked.
  const brokenWidget = e => {
    if (e.textContent.includes('Click to show javascript error')) e.click();
    const lines = e.textContent.split('\\n').map(line => line.trim());
    const why = lines.filter(line => /Failed to create view|Error:/.test(line)).slice(0, 2);
    const where = lines.find(line => line.startsWith('at '));
    return [...why, where ? where.split(' (')[0] : ''].filter(Boolean).join(' / ');
  };
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.widgets) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const controls = 'input, select, button, textarea, .noUi-target, .widget-readout';
  const cells = panel.content.widgets.map(w => {
    const m = w.model, node = w.node;
    const outs = m.type === 'code' ? Array.from({length: m.outputs.length}, (_, j) => m.outputs.get(j)) : [];
    const area = node.querySelector('.jp-Cell-outputArea');
    const loaded = [...node.querySelectorAll('.jp-OutputArea-output img')]
      .filter(i => i.complete && i.naturalWidth > 0);
    return {
      id: m.id, type: m.type, source: m.sharedModel.getSource(),
      count: m.type === 'code' ? m.executionCount : null,
      seconds: (t => t && t['shell.execute_reply'] && t['iopub.status.busy']
        ? (Date.parse(t['shell.execute_reply']) - Date.parse(t['iopub.status.busy'])) / 1000 : null)(
        m.type === 'code' ? m.getMetadata('execution') : null),
      running: m.type === 'code' && m.executionState === 'running',
      errors: outs.filter(o => o.type === 'error').map(o => {
        const j = o.toJSON(); return `${j.ename}: ${j.evalue}`; }),
      widget_views: outs.filter(o => 'application/vnd.jupyter.widget-view+json' in o.data).length,
      rendered_widgets: node.querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length,
      broken_widgets: [...node.querySelectorAll('.jupyter-widgets-error-widget')].map(brokenWidget),
      controls: node.querySelectorAll(`.jp-OutputArea-output .jupyter-widgets :is(${controls})`).length,
      images: loaded.length,
      canvases: node.querySelectorAll('.jp-OutputArea-output canvas').length,
      text: area ? area.innerText : '',
    };
  });
  return {kernel: kernel ? `${kernel.status}/${kernel.connectionStatus}` : 'none', cells,
          page_text: (document.querySelector('#main') || document.body).innerText,
          dialogs: [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText.trim().slice(0, 120))};
}"""

_KERNEL_READY_JS = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected'
    && !!panel.content && panel.content.widgets.length > 0;
}"""

# Run All is over when every non-empty code cell has an execution count and nothing runs, or when a cell
# that should not raise did (Run All stops there). `expected` lists the cells tagged raises-exception.
# Then every widget output has a view (or an error box). Cheap: it is polled while the notebook runs.
_RUN_ALL_DONE_JS = """(expected) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle' || kernel.connectionStatus !== 'connected') return false;
  const code = panel.content.widgets.filter(w => w.model.type === 'code' && w.model.sharedModel.getSource().trim());
  const outputs = w => Array.from({length: w.model.outputs.length}, (_, j) => w.model.outputs.get(j));
  if (code.some(w => w.model.executionState === 'running')) return false;
  const failed = code.some(w => !expected.includes(w.model.id) && outputs(w).some(o => o.type === 'error'));
  if (!failed && code.some(w => w.model.executionCount === null)) return false;
  return code.every(w => !outputs(w).some(o => 'application/vnd.jupyter.widget-view+json' in o.data)
    || w.node.querySelector('.jp-OutputArea-output .jupyter-widgets, .jupyter-widgets-error-widget'));
}"""

_IMAGES_LOADED_JS = """() => [...document.querySelectorAll('%s .jp-OutputArea-output img')]
  .every(i => i.complete)""" % NOTEBOOK

# Record every new picture of the image widget with class `cls`: the time its src changed and the time
# it finished loading; and the time of the last Enter key press anywhere in the page.
_WATCH_JS = """(cls) => {
  const img = document.querySelector(`%s img.${cls}`);
  if (!img) return false;
  const rec = {changes: [], loads: [], srcs: []};
  window.__descentWatch = window.__descentWatch || {};
  if (window.__descentWatch[cls]) window.__descentWatch[cls].observer.disconnect();
  rec.observer = new MutationObserver(() => { rec.changes.push(performance.now()); rec.srcs.push(img.src); });
  rec.observer.observe(img, {attributes: true, attributeFilter: ['src']});
  img.addEventListener('load', () => rec.loads.push(performance.now()));
  window.__descentWatch[cls] = rec;
  if (!window.__descentEnterHooked) {
    document.addEventListener('keydown', e => {
      if (e.key === 'Enter') window.__descentEnter = performance.now();
    }, true);
    window.__descentEnterHooked = true;
  }
  return true;
}""" % NOTEBOOK

# A short fingerprint of the picture an image widget shows (its PNG bytes), to tell two pictures apart.
_IMAGE_HASH_JS = """async (cls) => {
  const img = document.querySelector(`%s img.${cls}`);
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let h = 2166136261;
  for (const b of bytes) { h ^= b; h = Math.imul(h, 16777619) >>> 0; }
  return `${bytes.length}:${h.toString(16)}`;
}""" % NOTEBOOK


# Scroll the outputs of a cell into view: centred if they fit in the window, else from their top.
_SHOW_OUTPUT_JS = """(cell) => {
  const out = cell.querySelector('.jp-Cell-outputWrapper') || cell;
  out.scrollIntoView({block: out.getBoundingClientRect().height < 0.8 * window.innerHeight ? 'center' : 'start'});
}"""


@dataclass
class CellReport:
    """What one code cell showed, read from the page and the notebook model."""

    id: str
    index: int
    errors: list[str]
    widget_views: int
    rendered_widgets: int
    broken_widgets: list[str]  # views that threw while rendering ("Click to show javascript error."): why
    controls: int
    images: int
    canvases: int
    text: str
    seconds: float | None  # how long the kernel took to run it (JupyterLab's recordTiming)


@dataclass
class Snapshot:
    """The whole notebook at one moment."""

    cells: list[CellReport]
    page_text: str
    console_errors: list[str]  # the browser console's errors so far
    dialogs: list[str] = field(default_factory=list)  # the text of every open dialog

    def widget_errors(self) -> list[str]:
        """Every message of a widget that could not be displayed, anywhere in the page."""
        return [marker for marker in WIDGET_ERRORS if marker in self.page_text]

    def slowest(self) -> CellReport | None:
        timed = [c for c in self.cells if c.seconds is not None]
        return max(timed, key=lambda c: c.seconds) if timed else None


@dataclass
class StoredCell:
    """What the committed .ipynb says about one code cell."""

    id: str
    index: int
    source: str
    raises: bool
    stored_png: bool
    widget_picture: bool  # its stored picture stands in for a live widget (the caption is not "<Figure ...>")


@dataclass
class OpenedNotebook:
    """A notebook opened and run in its own page; figures and snapshots are taken right after Run All."""

    name: str
    page: Page
    stored: list[StoredCell]
    page_load_s: float = 0.0
    run_all_s: float = 0.0
    before_run: Snapshot | None = None  # as committed, opened without running
    after_run: Snapshot | None = None
    screenshot: Path | None = None
    console_errors: list[str] = field(default_factory=list)

    # --- reading the page -------------------------------------------------------------------------
    def code_cells(self, when: str):
        """Pairs (what the .ipynb stores, what the page showed) for every code cell, `before` or `after` Run All."""
        shown = (self.before_run if when == "before" else self.after_run).cells
        assert len(shown) == len(self.stored), (
            f"{self.name}: the page shows {len(shown)} code cells, the file has {len(self.stored)}"
        )
        return zip(self.stored, shown)

    def run_all_problems(self) -> list[str]:
        """What went wrong in Run All: errors, widgets not drawn or broken, plots missing, dialogs open."""
        problems = []
        for stored, shown in self.code_cells("after"):
            where = f"cell {stored.id}"
            if shown.errors and not stored.raises:
                problems.append(f"{where}: raised {shown.errors[0]}")
                continue  # what it should have drawn is moot
            if stored.raises and not shown.errors:
                problems.append(f"{where}: tagged raises-exception but raised nothing")
            if shown.broken_widgets or any(marker in shown.text for marker in WIDGET_ERRORS):
                reasons = sorted(set(shown.broken_widgets)) or [shown.text.strip()[:200]]
                problems.append(f"{where}: a widget could not be displayed: {' | '.join(reasons)}")
            elif shown.widget_views or "show_with_picture(" in stored.source:
                if not shown.rendered_widgets:
                    problems.append(f"{where}: its widget did not render")
                elif not (shown.controls or shown.images):
                    problems.append(f"{where}: its widget rendered no control and no picture")
            elif stored.stored_png and not (shown.images or shown.canvases):
                problems.append(f"{where}: its plot did not appear")
        problems += [f"the page shows {marker!r}" for marker in self.after_run.widget_errors()]
        problems += [f"a dialog is open: {text!r}" for text in self.after_run.dialogs]
        return problems

    def snapshot(self) -> Snapshot:
        state = self.page.evaluate(_STATE_JS)
        cells = [
            CellReport(
                id=c["id"], index=i, errors=c["errors"], widget_views=c["widget_views"],
                rendered_widgets=c["rendered_widgets"], broken_widgets=c["broken_widgets"],
                controls=c["controls"], images=c["images"], canvases=c["canvases"], text=c["text"],
                seconds=c["seconds"],
            )
            for i, c in enumerate(state["cells"])
            if c["type"] == "code"
        ]
        return Snapshot(cells=cells, page_text=state["page_text"], console_errors=list(self.console_errors),
                        dialogs=state["dialogs"])

    def text_of(self, cls: str) -> str:
        """The visible text of the widget with class `cls` (e.g. a readout)."""
        return self.widget(cls).inner_text()

    def widget(self, cls: str):
        return self.page.locator(f"{NOTEBOOK} .{cls}").first

    def image_fingerprint(self, cls: str) -> str:
        return self.page.evaluate(_IMAGE_HASH_JS, cls)

    def wait_kernel_idle(self) -> None:
        self.page.wait_for_function(_KERNEL_READY_JS, timeout=TIMEOUT_MS)

    def wait_until(self, js: str, arg: object = None, *, what: str, timeout_ms: int = ANSWER_TIMEOUT_MS) -> None:
        """Wait until the page function `js` returns true; if it never does, fail saying what did not happen."""
        try:
            self.page.wait_for_function(js, arg=arg, timeout=timeout_ms)
        except PlaywrightTimeout:
            raise AssertionError(f"{self.name}: waited {timeout_ms // 1000} s for {what}, in vain") from None

    # --- acting like a learner ----------------------------------------------------------------------
    def menu(self, top: str, item: str) -> None:
        self.page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=top).click()
        self.page.locator(".lm-Menu .lm-Menu-itemLabel", has_text=item).first.click()

    def type_into_readout(self, cls: str, value: str) -> None:
        """Type `value` into a slider's editable readout and press Enter, as a learner would."""
        readout = self.widget(cls).locator(".widget-readout")
        readout.click()
        readout.fill(value)
        readout.press("Enter")

    def other_slider_value(self, cls: str) -> str:
        """A value for slider `cls` inside its range, halfway from the current one to the farther end."""
        info = self.widget(cls).evaluate(
            """e => { const h = e.querySelector('.noUi-handle'); return {now: +h.getAttribute('aria-valuenow'),
               min: +h.getAttribute('aria-valuemin'), max: +h.getAttribute('aria-valuemax'),
               shown: +e.querySelector('.widget-readout').innerText}; }"""
        )
        now, low, high, shown = info["now"], info["min"], info["max"], info["shown"]
        target = now + (high - now) / 2 if high - now >= now - low else now - (now - low) / 2
        if abs(shown - now) > 1e-9 * max(1.0, abs(shown)):  # a log slider: positions are exponents (base 10)
            return f"{shown * 10 ** (target - now):.4g}"
        return f"{target:.4g}"

    def click(self, cls: str) -> None:
        widget = self.widget(cls)
        button = widget if widget.evaluate("e => e.tagName") == "BUTTON" else widget.locator("button").first
        button.click()

    def scroll_to(self, cls: str) -> None:
        """Bring the outputs of the cell holding widget `cls` into view."""
        self.widget(cls).evaluate(f"(e) => ({_SHOW_OUTPUT_JS})(e.closest('.jp-Cell'))")

    def watch_image(self, cls: str) -> None:
        """Start recording every new picture shown by the image widget with class `cls`."""
        if not self.page.evaluate(_WATCH_JS, cls):
            raise AssertionError(f"{self.name}: no image widget with class {cls!r} in the page")

    def image_record(self, cls: str) -> dict:
        """Times (ms, page clock) of src changes and loads since watch_image, and the last Enter press."""
        return self.page.evaluate(
            "(cls) => { const r = window.__descentWatch[cls];"
            " return {changes: r.changes, loads: r.loads, srcs: r.srcs, enter: window.__descentEnter ?? null}; }",
            cls,
        )

    def wait_for_new_images(self, cls: str, count: int) -> None:
        self.wait_until("([cls, n]) => window.__descentWatch[cls].loads.length >= n", [cls, count],
                        what=f"{count} new picture(s) in the image widget {cls!r}")


def read_stored(path: Path) -> list[StoredCell]:
    """The code cells of a committed notebook, with the tags and outputs the checks need."""
    nb = json.loads(path.read_text())
    cells = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        tags = cell.get("metadata", {}).get("tags", [])
        pictures = [out["data"] for out in cell.get("outputs", []) if "image/png" in out.get("data", {})]
        widget = any(not "".join(data.get("text/plain", "")).startswith("<Figure") for data in pictures)
        cells.append(StoredCell(cell.get("id", str(index)), index, source, "raises-exception" in tags,
                                bool(pictures), widget))
    return cells


# The front ends a notebook is tested in: JupyterLab and Notebook 7 (one server serves both).
FRONTENDS = {"lab": "JupyterLab", "notebook": "Notebook 7"}


def notebook_url(base_url: str, token: str, name: str, frontend: str = "lab") -> str:
    """Where `frontend` shows the notebook `name` (relative to the server's root)."""
    if frontend == "lab":
        return f"{base_url}/lab/tree/{name}?reset&token={token}"
    return f"{base_url}/notebooks/{name}?token={token}"


def open_and_run(context: BrowserContext, url: str, path: Path, screenshots: Path, stem: str | None = None,
                 arrive: Callable[[Page], None] | None = None) -> OpenedNotebook:
    """Open `url` (showing the notebook file `path`) in a new page, check the committed view, then Run All.

    `arrive(page)` does what a learner does between the link and the notebook (e.g. log in); `stem` names the
    screenshots (default: the notebook's name). JupyterLab and Notebook 7 are driven the same way.
    """
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    opened = OpenedNotebook(name=path.name, page=page, stored=[])
    page.on("console", lambda message: message.type == "error" and opened.console_errors.append(message.text))
    stem = stem or path.stem

    start = time.perf_counter()
    page.goto(url)
    if arrive is not None:
        arrive(page)
    opened.wait_kernel_idle()
    opened.stored = read_stored(path)  # read now: on a hub, the link has only just pulled it
    raises = [c.id for c in opened.stored if c.raises]
    page.wait_for_function(_IMAGES_LOADED_JS, timeout=TIMEOUT_MS)
    opened.page_load_s = time.perf_counter() - start
    page.evaluate("() => { const s = window.jupyterapp.shell; s.collapseLeft && s.collapseLeft();"
                  " s.collapseRight && s.collapseRight(); }")
    opened.before_run = opened.snapshot()
    screenshots.mkdir(parents=True, exist_ok=True)
    widget_picture = next((c for c in opened.stored if c.widget_picture), None)
    if widget_picture is not None:  # what a reader sees before running: the widget's stored picture
        page.evaluate(f"(i) => ({_SHOW_OUTPUT_JS})(window.jupyterapp.shell.currentWidget.content.widgets[i].node)",
                      widget_picture.index)
        page.screenshot(path=str(screenshots / f"{stem}_as_committed.png"))

    opened.menu("Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"() => !document.querySelector('{NOTEBOOK} .jp-OutputArea-output')")
    start = time.perf_counter()
    opened.menu("Run", "Run All Cells")
    try:
        page.wait_for_function(_RUN_ALL_DONE_JS, arg=raises, timeout=TIMEOUT_MS, polling=100)
    except PlaywrightTimeout:
        state = page.evaluate(_STATE_JS)
        stuck = [f"{c['id']} ({'running' if c['running'] else 'not run'})" for c in state["cells"]
                 if c["type"] == "code" and c["source"].strip() and (c["running"] or c["count"] is None)]
        raise AssertionError(
            f"{path.name}: Run All did not finish within {TIMEOUT_MS // 1000} s; kernel {state['kernel']}; "
            f"cells not done: {', '.join(stuck[:5]) or 'none'}"
        ) from None
    page.wait_for_function(_IMAGES_LOADED_JS, timeout=TIMEOUT_MS)
    opened.run_all_s = time.perf_counter() - start
    opened.after_run = opened.snapshot()

    first_widget = next((c for c in opened.after_run.cells if c.rendered_widgets), None)
    if first_widget is not None:
        page.evaluate(
            f"(i) => ({_SHOW_OUTPUT_JS})(window.jupyterapp.shell.currentWidget.content.widgets[i].node)",
            first_widget.index,
        )
    opened.screenshot = screenshots / f"{stem}.png"
    page.screenshot(path=str(opened.screenshot))
    return opened
