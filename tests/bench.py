"""Measure the lab's live plots and redraws: `./course bench`. It prints numbers; it is not a pytest test.

Everything is measured in ONE run, inside a real Jupyter kernel of this interpreter (widget updates and
display messages are really serialised and sent; this script plays the browser and receives them). The lab
is built from the lesson's own cells (notebooks/08_lab.ipynb, by cell id), so the training step measured is
the one learners run. Measured:

1. a learning-rate change (the slider's callback: start over, 20-epoch preview, redraw both plots), kernel side,
   at full batch and at batch size 1;
2. one live frame (both plots blitted and PNG-encoded, readout, messages sent), and the loss plot alone;
3. a training run of at least 2 s with live frames on and off, through `lab.run` (what Run All does) and
   through the Run button (an asyncio task), against a clear-and-redraw baseline in the same kernel: a new
   pyplot figure + `clear_output(wait=True)` + `display(fig)` per frame, at the same frame rate;
4. the Run button pressed by a client message, as a browser would: frames received per second, and how
   long a Stop press takes to be answered.
The machine is shared: the load average is printed with the numbers. Run it when the machine is quiet.
"""
from __future__ import annotations

import json
import os
import queue
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from helpers.execute import use_this_interpreter  # noqa: E402  (the same kernel the notebooks run in)

LESSON = ROOT / "notebooks" / "08_lab.ipynb"
REPEATS = 5  # runs of each kind, alternating; the table shows medians
LESSON_CELLS = ["setup", "data-split", "model-and-loss", "train-epoch", "optimizers", "scale-inputs"]

KERNEL_BENCH = r'''
import asyncio, json, statistics, time
import numpy as np
import matplotlib.pyplot as plt
from IPython.display import clear_output, display
from helpers import lab as lab_module
from helpers.lab import DescentLab, FRAME_SECONDS, MAX_EPOCHS

lab = DescentLab(model, loss_fn, train_epoch, OPTIMIZERS, INPUTS, (t_u_train, t_c_train, t_u_val, t_c_val),
                 lr=1e-2, optimizer="SGD", inputs="rescaled ×0.1", batch_size=9, epochs=1000)
lab.show()
ms = lambda seconds: 1000 * seconds
R = {}

def timing(obj, name, log):
    original = getattr(obj, name)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            log.append(time.perf_counter() - start)
    setattr(obj, name, timed)

# 1. learning-rate changes: 20 moves of the slider across its range, on rescaled and on raw inputs at full
#    batch, and on rescaled inputs at batch size 1 (where Run All leaves the lab: 180 steps per preview)
for key, inputs, batch_size in (("scaled", "rescaled ×0.1", 9), ("raw", "raw", 9), ("batch1", "rescaled ×0.1", 1)):
    lab.set(lr=1e-2, inputs=inputs, batch_size=batch_size)
    changes, redraws = [], lab.loss_plot.full_redraws
    for value in 10 ** np.linspace(-5, 0, 21)[1:]:
        start = time.perf_counter()
        lab.lr_slider.value = float(value)
        changes.append(time.perf_counter() - start)
    R["lr_change_" + key] = [ms(t) for t in changes]
    R["lr_redraws_" + key] = lab.loss_plot.full_redraws - redraws
lab.set(batch_size=9)

# 2-3. runs of at least 2 s, live frames on and off; frames timed inside the runs
lab.set(lr=1e-2, optimizer="SGD", inputs="rescaled ×0.1", epochs=1000)
frame_times, loss_plot_times = [], []
timing(lab, "_draw", frame_times)
timing(lab.loss_plot, "update", loss_plot_times)
lab.draw_while_training = False; lab.reset(); lab._train(300, frames=False, background=False)  # warm up
lab.reset()
start = time.perf_counter(); lab._train(2000, frames=False, background=False)
per_epoch = (time.perf_counter() - start) / 2000
epochs = min(MAX_EPOCHS, int(2.6 / per_epoch) + 1)  # a run of at least 2 s with the plot off
lab.set(epochs=epochs)
R["epochs"], R["per_epoch_us"] = epochs, per_epoch * 1e6

def sync_run(live):
    lab.draw_while_training = live; lab.reset(); frame_times.clear(); loss_plot_times.clear()
    start = time.perf_counter(); lab._train(epochs, frames=live, background=False); seconds = time.perf_counter() - start
    return seconds, len(frame_times), list(frame_times), list(loss_plot_times)

async def button_run(live):
    lab.draw_while_training = live; lab.reset(); frame_times.clear()
    start = time.perf_counter(); lab.run_button.click()
    while lab.running:
        await asyncio.sleep(0.005)
    return time.perf_counter() - start, len(frame_times)

def baseline_run(plot):
    params = torch.tensor([1.0, 0.0], requires_grad=True)
    optimizer = OPTIMIZERS["SGD"]([params], 1e-2)
    x_train, x_val = INPUTS["rescaled ×0.1"](t_u_train), INPUTS["rescaled ×0.1"](t_u_val)
    generator = torch.Generator().manual_seed(0)
    train_losses, val_losses, frames = [], [], []
    start = last = time.perf_counter()
    for epoch in range(epochs):
        step_losses, val_loss = train_epoch(params, optimizer, x_train, t_c_train, x_val, t_c_val, 9, generator)
        train_losses.append(sum(step_losses) / len(step_losses)); val_losses.append(val_loss)
        if plot and time.perf_counter() - last >= FRAME_SECONDS:
            frame_start = time.perf_counter()
            fig, ax = plt.subplots(figsize=(4.2, 3.0))
            ax.plot(train_losses, label="train"); ax.plot(val_losses, label="validation")
            ax.set(yscale="log", xlabel="epoch", ylabel="loss", title="Loss per epoch (log scale)"); ax.legend()
            clear_output(wait=True); display(fig); plt.close(fig)
            frames.append(time.perf_counter() - frame_start)
            last = time.perf_counter()
    return time.perf_counter() - start, frames

runs = {"sync_on": [], "sync_off": [], "button_on": [], "button_off": [], "base_on": [], "base_off": []}
frames_seen = {"sync": [], "button": [], "base": []}
for repeat in range(REPEATS):  # alternate, so that a burst of load hits both sides alike
    seconds, n, frames, loss_frames = sync_run(True); runs["sync_on"].append(seconds); frames_seen["sync"].append(n)
    R.setdefault("frame_ms", []).extend(ms(t) for t in frames)
    R.setdefault("loss_frame_ms", []).extend(ms(t) for t in loss_frames)
    runs["sync_off"].append(sync_run(False)[0])
    seconds, n = await button_run(True); runs["button_on"].append(seconds); frames_seen["button"].append(n)
    runs["button_off"].append((await button_run(False))[0])
    seconds, frames = baseline_run(True); runs["base_on"].append(seconds); frames_seen["base"].append(len(frames))
    R.setdefault("base_frame_ms", []).extend(ms(t) for t in frames)
    runs["base_off"].append(baseline_run(False)[0])
clear_output()
R["runs"], R["frames"] = runs, frames_seen
lab.draw_while_training = True
lab.set(epochs=MAX_EPOCHS)
lab.reset()
print("BENCH " + json.dumps(R))
'''


def run_cell(kc, code: str, timeout: float = 600) -> str:
    """Execute `code` in the kernel; return its printed text; raise with the traceback if it fails."""
    msg_id = kc.execute(code)
    printed = []
    deadline = time.time() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(1.0, deadline - time.time()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            printed.append(content["text"])
        elif kind == "error":
            raise RuntimeError("\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(printed)


def click(kc, model_id: str) -> None:
    """Send a button click the way the browser does."""
    data = {"method": "custom", "content": {"event": "click"}}
    kc.shell_channel.send(kc.session.msg("comm_msg", {"comm_id": model_id, "data": data}))


def press_run_like_a_browser(kc, ids: dict[str, str], seconds: float = 2.0) -> dict[str, float]:
    """Press Run, count the loss-plot frames that arrive, press Stop, time the answers."""
    while True:  # drain what earlier cells left
        try:
            kc.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            break
    frames, run_label_at, stop_answered_at = [], None, None
    pressed = time.perf_counter()
    click(kc, ids["run"])
    stop_pressed = None
    while True:
        now = time.perf_counter()
        if stop_pressed is None and now - pressed >= seconds:
            stop_pressed = now
            click(kc, ids["run"])
        if stop_answered_at is not None or now - pressed > seconds + 10:
            break
        try:
            msg = kc.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            continue
        if msg["msg_type"] != "comm_msg":
            continue
        content = msg["content"]
        state = content["data"].get("state", {})
        if content["comm_id"] == ids["loss"] and msg.get("buffers"):
            frames.append(time.perf_counter())
        if content["comm_id"] == ids["run"] and state.get("description") == "Stop" and run_label_at is None:
            run_label_at = time.perf_counter()
        if content["comm_id"] == ids["run"] and state.get("description") == "Run" and stop_pressed:
            stop_answered_at = time.perf_counter()
    during = [t for t in frames if stop_pressed is None or t <= stop_pressed]
    span = (during[-1] - during[0]) if len(during) > 1 else float("nan")
    return {
        "frames": len(during),
        "fps": (len(during) - 1) / span if len(during) > 1 else 0.0,
        "run_label_ms": 1000 * (run_label_at - pressed) if run_label_at else float("nan"),
        "stop_ms": 1000 * (stop_answered_at - stop_pressed) if stop_answered_at and stop_pressed else float("nan"),
    }


def median(values: list[float]) -> float:
    values = sorted(values)
    n = len(values)
    return (values[n // 2] + values[(n - 1) // 2]) / 2 if n else float("nan")


def main() -> int:
    os.environ.pop("DESCENT_PRESENTER", None)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    load_before = os.getloadavg()
    nb = nbformat.read(LESSON, as_version=4)
    by_id = {cell.id: cell.source for cell in nb.cells}
    setup_code = "\n\n".join(by_id[cell_id] for cell_id in LESSON_CELLS)
    with tempfile.TemporaryDirectory() as kernels_root:
        use_this_interpreter(Path(kernels_root))
        km, kc = start_new_kernel(kernel_name="python3", cwd=str(LESSON.parent))
        try:
            run_cell(kc, setup_code)
            printed = run_cell(kc, f"REPEATS = {REPEATS}\n" + KERNEL_BENCH)
            r = json.loads(printed.split("BENCH ", 1)[1])
            ids = json.loads(run_cell(kc, 'import json; print(json.dumps({"run": lab.run_button.model_id, '
                                          '"loss": lab.loss_image.model_id}))'))
            lab_set = "lab.set(lr=1e-2, optimizer='SGD', inputs='rescaled ×0.1', epochs=20000); lab.reset()"
            run_cell(kc, lab_set)
            browser = press_run_like_a_browser(kc, ids)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    load_after = os.getloadavg()

    runs, frames = r["runs"], r["frames"]

    def row(name: str, frame_ms: float, on: str, off: str, seen: list[int]) -> str:
        ratio = median(runs[on]) / median(runs[off])
        pairs = sorted(a / b for a, b in zip(runs[on], runs[off]))
        fps = median(seen) / median(runs[on])
        return (f"| {name} | {frame_ms:.1f} | {median(runs[off]):.2f} s | {median(runs[on]):.2f} s | "
                f"{ratio:.2f}× ({pairs[0]:.2f}–{pairs[-1]:.2f}) | {fps:.1f} |")

    print(f"Lab benchmark: {r['epochs']} epochs per run ({r['per_epoch_us']:.0f} µs per epoch), frames every "
          f"0.15 s; medians of {REPEATS} alternating repeats; load average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after (2 cores)\n")
    print("| live loss plot, measured in a Jupyter kernel | ms per frame (median) | run, plot off | run, plot on "
          "| on / off (range over pairs) | frames per second |")
    print("|---|---|---|---|---|---|")
    print(row("lab, Run All (`lab.run`): blit + Pillow PNG into 2 `ipywidgets.Image` + readout",
              median(r["frame_ms"]), "sync_on", "sync_off", frames["sync"]))
    print(row("lab, Run button (asyncio task, kernel stays responsive)", median(r["frame_ms"]),
              "button_on", "button_off", frames["button"]))
    print(row("baseline: new figure + `clear_output(wait=True)` + `display(fig)`", median(r["base_frame_ms"]),
              "base_on", "base_off", frames["base"]))
    print()
    print(f"- loss plot alone (restore background, draw 2 lines, encode PNG): {median(r['loss_frame_ms']):.1f} ms "
          f"per frame (median of {len(r['loss_frame_ms'])})")
    for key, what in (("scaled", "scaled inputs, full batch"), ("raw", "raw inputs, full batch"),
                      ("batch1", "scaled inputs, batch size 1")):
        values = r["lr_change_" + key]
        print(f"- learning-rate change, {what} (start over, 20-epoch preview, redraw both plots): "
              f"{median(values):.1f} ms median, {max(values):.1f} ms max, over {len(values)} changes, "
              f"{r['lr_redraws_' + key]} with a full loss-plot redraw (kernel side)")
    print(f"- Run pressed by a client message (as the browser does): {browser['frames']} loss-plot frames "
          f"received in 2 s ({browser['fps']:.1f} per second); Run turned into Stop after "
          f"{browser['run_label_ms']:.0f} ms; Stop answered after {browser['stop_ms']:.0f} ms")
    if load_before[0] > 1.0:
        print(f"\nNote: the machine was busy (load {load_before[0]:.2f} on 2 cores); re-run when it is quiet.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
