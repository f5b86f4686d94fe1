"""./course picks the CPU build of torch exactly where it helps, and never waits long for an index."""
from __future__ import annotations

import pytest

from tools.torch_index import CPU_INDEX, choose, has_nvidia_gpu, index_answers

CPU = ("--extra-index-url", CPU_INDEX)


def never_asked() -> bool:
    raise AssertionError("the index was checked although the answer did not depend on it")


def test_linux_without_gpu_gets_the_cpu_build_when_the_cpu_index_answers():
    assert choose("Linux", gpu=False, reachable=lambda: True).pip_options == CPU


def test_linux_without_gpu_falls_back_to_the_ordinary_index_when_the_cpu_index_does_not_answer():
    choice = choose("Linux", gpu=False, reachable=lambda: False)
    assert choice.pip_options == ()
    assert "does not answer" in choice.reason


def test_linux_with_an_nvidia_gpu_keeps_the_cuda_build_without_asking_the_index():
    assert choose("Linux", gpu=True, reachable=never_asked).pip_options == ()


@pytest.mark.parametrize("system", ["Darwin", "Windows"])
def test_macos_and_windows_use_the_ordinary_index_whose_build_is_cpu_already(system):
    assert choose(system, gpu=False, reachable=never_asked).pip_options == ()


@pytest.mark.parametrize("system", ["Linux", "Darwin"])
def test_descent_torch_forces_either_build(system):
    assert choose(system, gpu=True, reachable=never_asked, force="cpu").pip_options == CPU
    assert choose(system, gpu=False, reachable=never_asked, force="default").pip_options == ()


def test_a_misspelt_force_is_refused_in_one_sentence():
    with pytest.raises(ValueError, match="must be 'cpu' or 'default', not 'gpu'"):
        choose("Linux", gpu=False, reachable=never_asked, force="gpu")


def test_gpu_is_detected_from_the_driver_or_nvidia_smi(tmp_path):
    driver = tmp_path / "version"
    assert not has_nvidia_gpu(driver, which=lambda name: None)
    assert has_nvidia_gpu(driver, which=lambda name: "/usr/bin/nvidia-smi")
    driver.write_text("NVRM version: 550")
    assert has_nvidia_gpu(driver, which=lambda name: None)


def test_an_index_that_does_not_answer_is_given_up_at_once():
    import time

    start = time.monotonic()
    assert not index_answers("http://127.0.0.1:9", timeout_s=1.0)  # port 9 (discard): nothing listens
    assert time.monotonic() - start < 3
