"""What every exercise test asserts about the checker's answer: one plain line, never a traceback."""
from __future__ import annotations

from helpers.exercises import check


def run_check(name: str, answer, capsys) -> str:
    """Run check(name, answer) and return the one line it printed."""
    check(name, answer)
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 1, f"a check prints exactly one line, got: {captured.out!r}"
    everything = captured.out + captured.err
    assert "Traceback" not in everything and "site-packages" not in everything
    return captured.out
