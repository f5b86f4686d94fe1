"""A real JupyterLab server for the browser tests, serving a temporary copy of the notebooks.

The same server shows them in Notebook 7 too (/notebooks/NAME.ipynb): the `notebook` package's extension.

Real: it requires a token (the tests pass it). Private: its own Jupyter config, data and runtime folders,
so no earlier workspace or setting of the machine leaks in, and a `python3` kernel that is this very
interpreter. Notebook windowing is off, so every cell is in the page.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# DESCENT_BROWSER_NOTEBOOKS=DIR runs the browser tests on another folder (e.g. a copy with a cell broken on purpose).
NOTEBOOKS = Path(os.environ.get("DESCENT_BROWSER_NOTEBOOKS") or ROOT / "notebooks")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

USER_SETTINGS = {
    # Every cell stays in the page (no virtual scrolling), so every output can be checked; cells record
    # how long they ran (in the page's copy only: the tests never save a notebook).
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none", "recordTiming": True},
    # No "Would you like to receive Jupyter news?" toast, no update check (no internet needed).
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def notebook_names() -> list[str]:
    """The notebooks the browser tests open, found when the tests are collected."""
    return sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


@dataclass
class Server:
    base_url: str
    token: str
    root: Path  # the temporary copy of the notebooks it serves
    process: subprocess.Popen
    log: Path

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(
            f"{self.base_url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        """End every notebook session and its kernel."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server (it shuts its kernels down); kill its process group if it does not stop in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workdir: Path, timeout_s: float = 90) -> Server:
    """Copy the notebooks into `workdir` and serve them on 127.0.0.1; return once the API answers."""
    root = workdir / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    config, data, runtime = workdir / "config", workdir / "data", workdir / "runtime"
    settings, workspaces = config / "lab" / "user-settings", config / "lab" / "workspaces"
    for plugin, values in USER_SETTINGS.items():
        file = settings / f"{plugin}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(values))
    kernel = workdir / "kernels" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python",
    }))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_DATA_DIR": str(data),
           "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_PATH": str(kernel.parent.parent)}
    env.pop("DESCENT_PRESENTER", None)  # the default look, as learners first see it

    token, port = secrets.token_hex(16), _free_port()
    log = workdir / "server.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}",
        "--LabApp.expose_app_in_browser=True", "--JupyterNotebookApp.expose_app_in_browser=True",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", token, root, process, log)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            server.api("GET", "/api/status")
            return server
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"JupyterLab did not start; the end of its log:\n{server.log_tail()}") from None
            time.sleep(0.1)
