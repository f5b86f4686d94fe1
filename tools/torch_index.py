"""Which build of torch `./course` installs: PyTorch's small CPU build, or the ordinary index's build.

    python3 tools/torch_index.py    # prints the pip options to add (none, or --extra-index-url URL)

On Linux, `torch==2.13.0` from the ordinary index is the CUDA build (several GB of NVIDIA libraries).
A Linux machine with no NVIDIA GPU gets the CPU build from PyTorch's CPU wheel index instead, if that
index answers within a few seconds; otherwise the ordinary index, at once. macOS and Windows wheels on
the ordinary index are CPU builds already. DESCENT_TORCH=cpu or DESCENT_TORCH=default forces a choice.
Standard library only: it runs before the course's environment exists.
"""
from __future__ import annotations

import os
import platform
import shutil
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
FORCE_VARIABLE = "DESCENT_TORCH"


@dataclass(frozen=True)
class Choice:
    """The pip options to add, and one sentence saying why."""

    pip_options: tuple[str, ...]
    reason: str


def has_nvidia_gpu(proc: Path = Path("/proc/driver/nvidia/version"), which: Callable = shutil.which) -> bool:
    """True when an NVIDIA driver is loaded (Linux) or `nvidia-smi` is on the PATH."""
    return proc.exists() or which("nvidia-smi") is not None


def index_answers(url: str = CPU_INDEX, timeout_s: float = 3.0) -> bool:
    """True when `url` answers an HTTP request within `timeout_s` seconds (one try, no retries)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(f"{url}/torch/", method="HEAD"), timeout=timeout_s):
            return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def choose(system: str, gpu: bool, reachable: Callable[[], bool], force: str = "") -> Choice:
    """Decide where torch comes from. `reachable` is only called when the answer depends on it."""
    cpu = Choice(("--extra-index-url", CPU_INDEX), "the CPU build of torch, from PyTorch's CPU wheel index")
    default = "the ordinary package index's build of torch"
    force = force.strip().lower()
    if force == "cpu":
        return Choice(cpu.pip_options, f"{cpu.reason} ({FORCE_VARIABLE}=cpu)")
    if force == "default":
        return Choice((), f"{default} ({FORCE_VARIABLE}=default)")
    if force:
        raise ValueError(f"{FORCE_VARIABLE} must be 'cpu' or 'default', not {force!r}.")
    if system != "Linux":
        return Choice((), f"{default} (on {system} it is a CPU build already)")
    if gpu:
        return Choice((), f"{default} (an NVIDIA GPU is present: the CUDA build can use it)")
    if not reachable():
        return Choice((), f"{default}: PyTorch's CPU wheel index does not answer from here")
    return Choice(cpu.pip_options, f"{cpu.reason} (Linux, no NVIDIA GPU)")


def main() -> int:
    try:
        choice = choose(platform.system(), has_nvidia_gpu(), index_answers, os.environ.get(FORCE_VARIABLE, ""))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"torch: {choice.reason}.", file=sys.stderr)
    print(" ".join(choice.pip_options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
