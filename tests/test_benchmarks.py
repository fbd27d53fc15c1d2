"""The benchmarks run in a smoke mode so they cannot rot (no timing assertions)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from conftest import REPO_ROOT


def load_benchmark(name: str) -> ModuleType:
    path = REPO_ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", path)
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


def test_kisa_gold_names_models_and_plots_the_scores(tmp_path) -> None:
    gold = load_benchmark("kisa_gold")
    existing = tmp_path / "a=b"  # a folder whose name holds "=" is a path, not NAME=PATH
    existing.mkdir()
    assert gold.named_models(["tagger=runs/x/model", "runs/y/model", str(existing)]) == {
        "tagger": "runs/x/model",
        "runs/y/model": "runs/y/model",
        str(existing): str(existing),
    }
    scores = {"kwset_f1": 0.4}
    results = {name: {"kiwi_nouns": scores, "tagger": scores} for name in ("test", "dev")}
    gold.plot(results, 0.8, tmp_path / "plot.png")
    assert (tmp_path / "plot.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_startup_benchmark_smoke(capsys) -> None:
    timings = load_benchmark("cli_startup").main(["--smoke"])
    assert [t.command for t in timings][:2] == ["python -c pass", "electra-rtd --help"]
    assert all(t.median_s > 0 for t in timings)
    assert "| electra-rtd --help | 1 |" in capsys.readouterr().out
