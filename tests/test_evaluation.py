"""The evaluation harness: suites expand and compose, the smoke suite runs end to end, summaries
are right for hand-made results, and a suite without its weights stops before training."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from huggingface_hub import constants
from hydra import compose, initialize_config_dir
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf
from test_benchmarks import load_benchmark

from conftest import REPO_ROOT
from electra_rtd.config import register_resolvers
from electra_rtd.data.labelled import write_labelled
from electra_rtd.data.tagging_sets import load_tagging_splits
from electra_rtd.evaluation.aggregate import summarise
from electra_rtd.evaluation.compose import compose_train_config, quoted
from electra_rtd.evaluation.harness import evaluate
from electra_rtd.evaluation.preflight import require_same_data
from electra_rtd.evaluation.report import results_table
from electra_rtd.evaluation.suite import SuiteError, expand_suite, pretrain_specs
from electra_rtd.models.electra import WeightsNotFoundError

CONF = REPO_ROOT / "conf"
SUITES = sorted(p.stem for p in (CONF / "suite").glob("*.yaml"))


@pytest.fixture(autouse=True)
def restore_torch_threads() -> Iterator[None]:
    """evaluate() applies evaluate.torch_threads to the process; give other tests theirs back."""
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def compose_evaluate(*overrides: str) -> DictConfig:
    register_resolvers()
    with initialize_config_dir(str(CONF), version_base="1.3"):
        return compose(
            "evaluate",
            overrides=[
                f"paths.root_dir={REPO_ROOT}",
                "logger=none",
                "evaluate.torch_threads=1",
                *overrides,
            ],
        )


@pytest.mark.parametrize("name", SUITES)
def test_every_suite_file_composes_into_train_configs(name: str) -> None:
    suite = OmegaConf.to_container(compose_evaluate(f"+suite={name}").suite, resolve=True)
    assert suite["name"] == name
    root = f"paths.root_dir={REPO_ROOT}"
    for spec in pretrain_specs(suite):
        cfg = compose_train_config([*spec.overrides, root], CONF)
        OmegaConf.to_container(cfg, resolve=True)  # every interpolation resolves
        assert cfg.task == "pretrain"
    for corpus in suite.get("pretrain_corpora", {}):  # the alternative corpora too
        spec = pretrain_specs({**suite, "pretrain_data": corpus})[0]
        cfg = compose_train_config([*spec.overrides, root], CONF)
        assert OmegaConf.to_container(cfg.corpus, resolve=True)["source"] in ("synthetic", "files")
    first_seed = suite["seeds"][0]  # the other seeds differ only in `seed=`
    for run in (r for r in expand_suite(suite) if r.seed == first_seed):
        cfg = compose_train_config([*run.overrides, root], CONF)
        OmegaConf.to_container(cfg, resolve=True)
        assert cfg.task == "finetune_tagger"
        assert cfg.data.split_seed == suite["split_seed"]


@pytest.mark.parametrize("value", ["/runs/a b/tokenizer", "it's", "a\\'b", "ends\\", "x\\y"])
def test_quoted_values_reach_the_config_unchanged(value: str) -> None:
    parsed = OverridesParser.create().parse_override(f"model.path={quoted(value)}")
    assert parsed.value() == value


SUITE = {
    "seeds": [5, 6, 7],
    "split_seed": 11,
    "finetune": ["+experiment=keyword_tagging", "data.seed=11"],
    "backbones": {"a": {"overrides": ["model=tiny"]}, "b": {"pretrained": "rtd"}},
    "modes": {"full": ["tagging.mode=full"], "lora": ["tagging.mode=lora"]},
    "pretrain": {"overrides": ["task=pretrain"], "runs": {"rtd": ["objective=rtd"]}},
    "pretrain_data": "synthetic",
    "pretrain_corpora": {"synthetic": ["corpus=synthetic"], "kisa": ["corpus=kisa"]},
}


def test_a_suite_expands_into_backbones_times_modes_times_seeds() -> None:
    runs = expand_suite(SUITE)
    assert len(runs) == 2 * 2 * 3
    assert [(r.backbone, r.mode, r.seed) for r in runs[:4]] == [
        ("a", "full", 5),
        ("a", "full", 6),
        ("a", "full", 7),
        ("a", "lora", 5),
    ]
    assert len({r.name for r in runs}) == len(runs)
    # Later overrides win on the command line: suite, backbone, mode, then seed and split seed.
    assert runs[3].overrides == (
        "+experiment=keyword_tagging",
        "data.seed=11",
        "model=tiny",
        "tagging.mode=lora",
        "seed=5",
        "data.split_seed=11",
    )
    assert {r.pretrained for r in runs} == {None, "rtd"}
    assert all(r.overrides[-1] == "data.split_seed=11" for r in runs)


def test_pretraining_runs_take_the_chosen_corpus() -> None:
    [spec] = pretrain_specs({**SUITE, "pretrain_data": "kisa"})
    assert spec.overrides == ("task=pretrain", "corpus=kisa", "objective=rtd")
    with pytest.raises(SuiteError, match="pretrain_data='nsmc'"):
        pretrain_specs({**SUITE, "pretrain_data": "nsmc"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seeds": [1, 1]}, "repeats a seed"),
        ({"seeds": []}, "non-empty list of ints"),
        ({"backbones": {"c": {"pretrained": "electra"}}}, "names no run"),
        ({"modes": {"full": "tagging.mode=full"}}, "list of override strings"),
        ({"finetune": ["model"]}, "not an override"),
    ],
)
def test_bad_suites_are_refused_naming_the_key(change: dict, message: str) -> None:
    with pytest.raises(SuiteError, match=message):
        expand_suite({**SUITE, **change})


def test_runs_that_differ_in_their_data_are_refused() -> None:
    same = OmegaConf.create({"data": {"source": "synthetic", "seed": 3, "split_seed": 1}})
    other = OmegaConf.create({"data": {"source": "synthetic", "seed": 4, "split_seed": 1}})
    assert require_same_data("s", [same, same.copy()], "data") == same.data
    with pytest.raises(ValueError, match=r"differ in data\.seed \(\[3\] vs \[4\]\)"):
        require_same_data("s", [same, other], "data")


def record(backbone: str, mode: str, seed: int, **metrics: float) -> dict:
    return {"backbone": backbone, "mode": mode, "seed": seed, "metrics": metrics}


def test_summary_is_mean_and_sample_std_over_seeds() -> None:
    records = [
        record("kc", "full", 1, test_span_f1=0.5, parameters=1_000_000),
        record("kc", "full", 2, test_span_f1=0.7, parameters=1_000_000),
        record("kc", "full", 3, test_span_f1=0.9, parameters=1_000_000, train_seconds=12.0),
        record("kc", "lora", 1, test_span_f1=0.25),
    ]
    full, lora = summarise(records)
    assert (full.backbone, full.mode, full.seeds) == ("kc", "full", [1, 2, 3])
    # Deviations -0.2, 0, 0.2: sample variance 0.08 / 2 = 0.04 (the population std would be 0.163).
    assert full.stats["test_span_f1"].mean == pytest.approx(0.7)
    assert full.stats["test_span_f1"].std == pytest.approx(0.2)
    assert full.stats["train_seconds"].n == 1  # only one run reported it
    assert lora.stats["test_span_f1"].std is None

    table = results_table([full, lora]).splitlines()
    assert table[0] == "| backbone | mode | runs | span F1 | parameters | fine-tuning s |"
    assert table[2] == "| kc | full | 3 | 0.7000 ± 0.2000 | 1.00M | 12.0 |"
    assert table[3] == "| kc | lora | 1 | 0.2500 | – | – |"


def test_smoke_suite_end_to_end_then_its_model_scored_again(tmp_path: Path) -> None:
    out = tmp_path / "smoke"
    # In-process measurement here; the saved model below is measured in a fresh process.
    evaluate(compose_evaluate("+suite=smoke", "evaluate.inference.isolated=false"), out)

    results = json.loads((out / "results.json").read_text())
    runs = results["runs"]
    assert [(r["backbone"], r["mode"], r["seed"]) for r in runs] == [
        ("tiny", "full", 1),
        ("tiny", "lora", 1),
    ]
    for run in runs:
        metrics = run["metrics"]
        for key in ("test_span_f1", "test_kwset_f1", "test_partial_f1", "best_dev_span_f1"):
            assert 0.0 <= metrics[key] <= 1.0, key
        assert metrics["parameters"] > 0 and metrics["train_seconds"] > 0
        # In-process, the tiny model fits in memory freed by training: growth may be zero.
        assert metrics["messages_per_second"] > 0 and metrics["peak_memory_mb"] >= 0
        # Inference ran on the very test split the run was scored on.
        assert run["inference"]["n_messages"] == metrics["test_n_messages"]
        assert (out / run["run_dir"] / "export" / "model" / "config.json").is_file()
    full, lora = runs
    assert lora["metrics"]["parameters"] == full["metrics"]["parameters"]  # LoRA merged on export

    rows = [
        line for line in (out / "results.md").read_text().splitlines() if line.startswith("| tiny")
    ]
    assert [row.split(" | ")[1] for row in rows] == ["full", "lora"]
    assert (out / "results.png").read_bytes()[:4] == b"\x89PNG"

    # Scoring the exported model on its own test split reproduces the run's test scores.
    split_cfg = compose_train_config([*runs[0]["overrides"], f"paths.root_dir={REPO_ROOT}"], CONF)
    test_file = write_labelled(load_tagging_splits(split_cfg.data)["test"], tmp_path / "test.jsonl")
    saved = out / runs[0]["run_dir"] / "export" / "model"
    evaluate(
        compose_evaluate(
            f"evaluate.model_dir={saved}",
            f"evaluate.labelled={test_file}",
            f"evaluate.max_length={split_cfg.data.max_length}",
        ),
        tmp_path / "saved",
    )
    [scored] = json.loads((tmp_path / "saved" / "results.json").read_text())["runs"]
    assert scored["inference"]["isolated"] and scored["metrics"]["peak_memory_mb"] > 0
    for key in ("test_span_f1", "test_kwset_f1", "test_partial_f1", "parameters"):
        assert scored["metrics"][key] == pytest.approx(full["metrics"][key]), key


def test_pretrained_suite_offline_fails_at_once_listing_every_missing_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty_cache"))
    with pytest.raises(WeightsNotFoundError) as err:
        evaluate(compose_evaluate("+suite=koelectra_vs_kcbert"), tmp_path / "out")
    message = str(err.value)
    # Each checkpoint once (the tokenizers live in the model repositories), the generator too:
    # fine-tuning checks every checkpoint a model config names.
    assert "4 checkpoint(s) are not available offline" in message
    for name in (
        "monologg/koelectra-base-v3-discriminator",
        "monologg/koelectra-base-v3-generator",
        "beomi/kcbert-base",
        "beomi/kcbert-large",
    ):
        assert f"`hf download {name}`" in message, name
    assert not (tmp_path / "out").exists(), "something was prepared before the check"


def test_evaluate_py_with_a_config_that_fails_leaves_no_run_folder(tmp_path: Path) -> None:
    run_dir = tmp_path / "outputs" / "failed"
    done = subprocess.run(
        [sys.executable, "evaluate.py", f"hydra.run.dir={run_dir}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode != 0
    assert "nothing to evaluate" in done.stderr
    assert not run_dir.exists()


def test_import_evaluate_from_the_repository_root_gets_the_library() -> None:
    """`python -m pytest`, a notebook or `python evaluate.py` put the root first on sys.path, where
    our evaluate.py lies: `import evaluate` must still give Hugging Face's library."""
    probe = (
        "import importlib.util, sys\n"
        "assert importlib.util.find_spec('evaluate').origin.endswith('/evaluate.py'), sys.path\n"
        "import evaluate\n"
        "from electra_rtd.metrics import load_keyword_metric\n"
        "assert evaluate.load.__module__ == 'evaluate.loading', evaluate.__file__\n"
        "metric = load_keyword_metric(keep_in_memory=True)\n"
        "print(metric.compute(predictions=[[]], references=[[]], texts=['x'])['n_messages'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{REPO_ROOT / 'src'}"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


def test_kisa_gold_names_models_and_plots_the_scores(tmp_path) -> None:
    gold = load_benchmark("kisa_gold", "evaluation")
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
