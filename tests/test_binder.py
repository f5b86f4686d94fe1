"""Binder installs exactly what a local install does."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)==([^\s#;]+).*", line)
        if match:
            found[match[1].lower()] = match[2]
    return found


def test_binder_pins_match_the_root_requirements():
    root, binder = pins(ROOT / "requirements.txt"), pins(ROOT / "binder" / "requirements.txt")
    assert root, "requirements.txt pins nothing"
    assert binder == root


def test_binder_takes_torch_from_the_cpu_wheel_index():
    text = (ROOT / "binder" / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text


def test_binder_installs_the_helpers_package():
    text = (ROOT / "binder" / "requirements.txt").read_text()
    assert re.search(r"^-e \.\.?$", text, re.M), "binder/requirements.txt must install helpers (-e .)"


def test_binder_uses_python_3_11():
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
