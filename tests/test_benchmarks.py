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


@requires_shared_data("messages", "kisa_spam_2022_reports.tsv.gz")
def test_hand_labelled_kisa_set_joins_the_shared_data() -> None:
    """Every hashed label finds its message, and every keyword lies in it (no held-out day)."""
    gold = load_benchmark("kisa_gold")
    messages = gold.load_gold()
    assert len(messages) == 52
    assert all(message.spans for message in messages)
    records = [json.loads(line) for line in gold.GOLD.read_text(encoding="utf-8").splitlines()]
    assert all(record["file_date"] != "2022-12-31" for record in records)
