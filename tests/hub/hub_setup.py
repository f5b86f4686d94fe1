"""A real, local JupyterHub for the class test: what an instructor's hub does, on 127.0.0.1.

- The single-user environment is built from hub/requirements.txt only (a venv of its own, cached in
  ~/.cache/descent/hub-env/ under a key made of the file's hash, so later runs start at once).
- configurable-http-proxy comes from npm (on the PATH, or installed into ~/.cache/descent/hub-proxy/).
- Dummy authenticator (one shared password), SimpleLocalProcessSpawner with a home folder per student.
- `Hub.stop()` stops the hub by its process id, then every process it started (proxy, students' servers,
  their kernels), whatever state they are in.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HUB_REQUIREMENTS = ROOT / "hub" / "requirements.txt"
# Kept between runs, outside the repository: DESCENT_CACHE, or ~/.cache/descent.
CACHE = Path(os.environ.get("DESCENT_CACHE")
             or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "descent")
PROXY_VERSION = "5.3.0"  # .ci/run installs the same
PASSWORD = "descent-class"
# The image's JupyterLab settings: no news pop-up (as an instructor's image should), and every cell kept in
# the page so the test can see every output (JupyterLab and Notebook 7 read the same overrides file).
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


class HubUnavailable(RuntimeError):
    """The hub cannot run here (no npm for the proxy, no network for the packages): why, in one sentence."""


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(command[:4])} ... failed:\n{tail}")
    return done


def single_user_env() -> tuple[Path, float]:
    """The single-user venv built from hub/requirements.txt only (cached by the file's hash); build seconds."""
    sys.path.insert(0, str(ROOT))
    from tools.torch_index import index_answers

    key = hashlib.sha256(HUB_REQUIREMENTS.read_bytes()).hexdigest()[:16]
    env = CACHE / "hub-env" / key
    if (env / ".complete").exists():
        return env, 0.0
    start = time.perf_counter()
    shutil.rmtree(env, ignore_errors=True)
    env.parent.mkdir(parents=True, exist_ok=True)
    for old in env.parent.iterdir():  # earlier versions of the file: not needed any more
        shutil.rmtree(old, ignore_errors=True)
    _run([shutil.which("python3.11") or sys.executable, "-m", "venv", str(env)])
    requirements = HUB_REQUIREMENTS
    if not index_answers():  # PyTorch's CPU index does not answer from here: the ordinary index, at once
        requirements = env / "requirements-without-cpu-index.txt"
        lines = HUB_REQUIREMENTS.read_text().splitlines()
        requirements.write_text("\n".join(line for line in lines if not line.startswith("--extra-index-url")))
    _run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(requirements)], timeout=1200)
    (env / ".complete").write_text(key)
    return env, time.perf_counter() - start


def proxy_command() -> list[str]:
    """configurable-http-proxy: from the PATH, or installed from npm into the cache once."""
    found = shutil.which("configurable-http-proxy")
    if found:
        return [found]
    local = CACHE / "hub-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
    if not local.exists():
        if not shutil.which("npm"):
            raise HubUnavailable("configurable-http-proxy is missing and there is no npm to install it "
                                 f"(`npm install -g configurable-http-proxy@{PROXY_VERSION}`).")
        _run(["npm", "install", "--silent", "--prefix", str(local.parents[2]),
              f"configurable-http-proxy@{PROXY_VERSION}"], timeout=300)
    return [str(local)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Hub:
    url: str
    homes: Path
    process: subprocess.Popen
    log: Path
    seen: set[int] = field(default_factory=set)  # every process id the hub started, as far as we saw

    def children(self) -> list:
        import psutil

        try:
            kids = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            kids = []
        self.seen |= {kid.pid for kid in kids}
        return kids

    def memory_mb(self) -> dict[str, list[float]]:
        """Resident memory (MB) of what the hub started, by kind: students' servers, kernels, the proxy."""
        found: dict[str, list[float]] = {}
        for proc in self.children():
            try:
                line = " ".join(proc.cmdline())
                kind = ("server" if "jupyterhub-singleuser" in line else "kernel" if "ipykernel" in line
                        else "proxy" if "configurable-http-proxy" in line else "other")
                found.setdefault(kind, []).append(proc.memory_info().rss / 2**20)
            except Exception:  # it ended meanwhile
                continue
        return found

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> list[int]:
        """Stop the hub (it stops the proxy and the students' servers), then whatever it left; return leftovers."""
        import psutil

        self.children()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        left = []
        for pid in sorted(self.seen):
            try:
                proc = psutil.Process(pid)
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except psutil.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
                left.append(pid)
            except psutil.NoSuchProcess:
                pass
        return left


def start_hub(workdir: Path, env: Path, timeout_s: float = 90) -> Hub:
    """Start a hub on 127.0.0.1 whose students' servers run `env`; return once its API answers."""
    proxy = proxy_command()
    settings = env / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(OVERRIDES))
    homes, port = workdir / "homes", free_port()
    homes.mkdir()
    (workdir / "cookie_secret").write_bytes(os.urandom(32).hex().encode())
    (workdir / "cookie_secret").chmod(0o600)
    config = workdir / "jupyterhub_config.py"
    config.write_text(f"""
c = get_config()  # noqa
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = {proxy!r}
c.ConfigurableHTTPProxy.pid_file = {str(workdir / 'proxy.pid')!r}
c.JupyterHub.db_url = "sqlite:///{workdir / 'hub.sqlite'}"
c.JupyterHub.cookie_secret_file = {str(workdir / 'cookie_secret')!r}
c.JupyterHub.pid_file = {str(workdir / 'hub.pid')!r}
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(homes / '{username}')!r}
c.Spawner.cmd = [{str(env / 'bin' / 'jupyterhub-singleuser')!r}]
c.Spawner.args = ["--allow-root", "--LabApp.expose_app_in_browser=True",
                  "--JupyterNotebookApp.expose_app_in_browser=True"]
c.Spawner.environment = {{"PATH": {str(env / 'bin')!r} + ":/usr/local/bin:/usr/bin:/bin"}}
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
""")
    log = workdir / "hub.log"
    run_env = {**os.environ, "PATH": f"{env / 'bin'}:{os.environ.get('PATH', '')}"}
    for variable in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_PATH",
                     "VIRTUAL_ENV", "PYTHONPATH", "DESCENT_PRESENTER"):
        run_env.pop(variable, None)
    with log.open("w") as out:
        process = subprocess.Popen([str(env / "bin" / "jupyterhub"), "-f", str(config)], cwd=workdir,
                                   env=run_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}", homes, process, log)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{hub.url}/hub/api/", timeout=5):
                return hub
        except OSError:
            hub.children()
            if process.poll() is not None or time.monotonic() > deadline:
                hub.stop()
                raise RuntimeError(f"JupyterHub did not start; the end of its log:\n{hub.log_tail()}") from None
            time.sleep(0.3)


def course_origin(workdir: Path) -> Path:
    """A git repository holding the course as it is now (notebooks, helpers, the link): what students clone."""
    origin = workdir / "descent"
    shutil.copytree(ROOT / "helpers", origin / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    (origin / "notebooks").mkdir()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy2(notebook, origin / "notebooks" / notebook.name)
    (origin / "notebooks" / "helpers").symlink_to(Path("..") / "helpers")
    git(origin, "init", "--quiet", "--initial-branch=main")
    commit(origin, "The course, week 1")
    return origin


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Instructor", "GIT_AUTHOR_EMAIL": "instructor@example.edu",
           "GIT_COMMITTER_NAME": "Instructor", "GIT_COMMITTER_EMAIL": "instructor@example.edu"}
    return _run(["git", "-C", str(repo), *args], env=env).stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)
