"""The benchmarks run in a smoke mode so they cannot rot (no timing assertions)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from conftest import REPO_ROOT


def load_benchmark(name: str, folder: str = "benchmarks") -> ModuleType:
    """A script of ``folder`` (benchmarks/, evaluation/) as a module, without running its main."""
    path = REPO_ROOT / folder / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{folder}_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_rtd_step_benchmark_smoke(capsys) -> None:
    results = load_benchmark("rtd_step").main(["--smoke"])
    assert {r.variant for r in results} == {"naive", "this step"}
    assert all(r.tokens_per_s > 0 for r in results)
    table = capsys.readouterr().out
    assert "| tiny | 32 | naive |" in table and "speed-up" in table


def test_tagging_inference_benchmark_smoke(capsys) -> None:
    results = load_benchmark("tagging_inference").main(["--smoke", "--device", "cpu"])
    variants = {r.variant for r in results}
    assert variants == {"naive loop", "tagger", "tagger bf16", "tagger onnx int8"}
    assert all(r.messages_per_s > 0 for r in results)
    table = capsys.readouterr().out
    assert "| tiny | cpu | naive loop |" in table and "speed-up" in table


def test_cli_startup_benchmark_smoke(capsys) -> None:
    timings = load_benchmark("cli_startup").main(["--smoke"])
    assert [t.command for t in timings][:2] == ["python -c pass", "electra-rtd --help"]
    assert all(t.median_s > 0 for t in timings)
    assert "| electra-rtd --help | 1 |" in capsys.readouterr().out
