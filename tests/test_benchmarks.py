"""The benchmarks run in a smoke mode so they cannot rot (no timing assertions)."""

from __future__ import annotations

import importlib.util
import json
import sys
from types import ModuleType

from conftest import REPO_ROOT, requires_shared_data


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


@requires_shared_data("messages", "kisa_spam_2022_reports.tsv.gz")
def test_hand_labelled_kisa_sets_join_the_shared_data() -> None:
    """Every hashed label finds its message and every keyword lies in it; no held-out day, and
    the dev set (which tuned the silver labeller) shares no message with the test set."""
    gold = load_benchmark("kisa_gold")
    sizes = {}
    for path in (gold.GOLD, gold.DEV):
        messages = gold.load_gold(path)
        sizes[path.name] = len(messages)
        assert all(message.spans for message in messages)
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert all(record["file_date"] != "2022-12-31" for record in records)
    assert sizes == {"kisa_gold_keywords.jsonl": 52, "kisa_dev_keywords.jsonl": 42}
    hashes = [
        {json.loads(line)["sha256"] for line in path.read_text(encoding="utf-8").splitlines()}
        for path in (gold.GOLD, gold.DEV)
    ]
    assert not hashes[0] & hashes[1]


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
    gold.plot(results, tmp_path / "plot.png")
    assert (tmp_path / "plot.png").read_bytes()[:4] == b"\x89PNG"
