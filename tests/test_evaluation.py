"""The evaluation harness: suites expand and compose, the smoke suite runs end to end, summaries
are right for hand-made results, and a suite without its weights stops before training."""

from __future__ import annotations

import json
import logging
import os
import re
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
from test_text_classification import write_reviews

from conftest import REPO_ROOT
from electra_rtd.config import register_resolvers
from electra_rtd.data.labelled import write_labelled
from electra_rtd.data.tagging_sets import load_tagging_splits
from electra_rtd.data.text_classes import load_class_splits
from electra_rtd.evaluation.aggregate import summarise
from electra_rtd.evaluation.compose import compose_train_config, quoted
from electra_rtd.evaluation.harness import evaluate
from electra_rtd.evaluation.plot import plot_results
from electra_rtd.evaluation.preflight import require_same_data
from electra_rtd.evaluation.report import Evaluation, results_table, write_report
from electra_rtd.evaluation.significance import comparison_table, paired_comparisons
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
    mix_file = Path("/evaluation/corpus/mix.jsonl")
    for spec in pretrain_specs(suite, mix_file):
        cfg = compose_train_config([*spec.overrides, root], CONF)
        OmegaConf.to_container(cfg, resolve=True)  # every interpolation resolves
        assert cfg.task == "pretrain"
    for corpus in suite.get("pretrain_corpora", {}):  # the alternative corpora too
        spec = pretrain_specs({**suite, "pretrain_data": corpus}, mix_file)[0]
        cfg = compose_train_config([*spec.overrides, root], CONF)
        assert OmegaConf.to_container(cfg.corpus, resolve=True)["source"] in ("synthetic", "files")
    first_seed = suite["seeds"][0]  # the other seeds differ only in `seed=`
    for run in (r for r in expand_suite(suite) if r.seed == first_seed):
        cfg = compose_train_config([*run.overrides, root], CONF)
        OmegaConf.to_container(cfg, resolve=True)
        assert cfg.task in ("finetune_tagger", "finetune_classifier")
        assert cfg.data.split_seed == suite["split_seed"]
    for published in suite.get("references", {}).values():
        assert all(ref["source"].startswith("https://") and ref["value"] > 1 for ref in published)


@pytest.mark.parametrize("value", ["/runs/a b/tokenizer", "it's", "a\\'b", "ends\\", "x\\y"])
def test_quoted_values_reach_the_config_unchanged(value: str) -> None:
    parsed = OverridesParser.create().parse_override(f"model.path={quoted(value)}")
    assert parsed.value() == value


SUITE = {
    "seeds": [5, 6, 7],
    "split_seed": 11,
    "finetune": ["logger=none"],
    "tasks": {
        "keywords": {
            "finetune": ["+experiment=keyword_tagging", "data.seed=11"],
            "metric": "test_span_f1",
        },
        "reviews": {"finetune": ["+experiment=text_classification"], "metric": "test_accuracy"},
    },
    "backbones": {"a": {"overrides": ["model=tiny"]}, "b": {"pretrained": "rtd"}},
    "modes": {"full": ["tagging.mode=full"], "lora": ["tagging.mode=lora"]},
    "pretrain": {"overrides": ["task=pretrain"], "runs": {"rtd": ["objective=rtd"]}},
    "pretrain_data": "synthetic",
    "pretrain_corpora": {"synthetic": ["corpus=synthetic"], "kisa": ["corpus=kisa"]},
}


def test_a_suite_expands_into_tasks_times_backbones_times_modes_times_seeds() -> None:
    runs = expand_suite(SUITE)
    assert len(runs) == 2 * 2 * 2 * 3
    assert [(r.task, r.backbone, r.mode, r.seed) for r in runs[:4]] == [
        ("keywords", "a", "full", 5),
        ("keywords", "a", "full", 6),
        ("keywords", "a", "full", 7),
        ("keywords", "a", "lora", 5),
    ]
    assert runs[12].task == "reviews" and runs[12].name == "reviews-a-full-seed5"
    assert len({r.name for r in runs}) == len(runs)
    # Later overrides win on the command line: suite, task, backbone, mode, then seed and split
    # seed.
    assert runs[3].overrides == (
        "logger=none",
        "+experiment=keyword_tagging",
        "data.seed=11",
        "model=tiny",
        "tagging.mode=lora",
        "seed=5",
        "++data.split_seed=11",
    )
    assert {r.pretrained for r in runs} == {None, "rtd"}
    assert all(r.overrides[-1] == "++data.split_seed=11" for r in runs)


def test_pretraining_runs_take_the_chosen_corpus(tmp_path: Path) -> None:
    [spec] = pretrain_specs({**SUITE, "pretrain_data": "kisa"}, tmp_path / "mix.jsonl")
    assert spec.overrides == ("task=pretrain", "corpus=kisa", "objective=rtd")
    with pytest.raises(SuiteError, match="pretrain_data='nsmc'"):
        pretrain_specs({**SUITE, "pretrain_data": "nsmc"}, tmp_path / "mix.jsonl")
    mixed = {"parts": {"a": {"path": "a.txt"}}, "overrides": ["corpus.eval_size=10"]}
    suite = {**SUITE, "pretrain_data": "mix", "pretrain_corpora": {"mix": mixed}}
    [spec] = pretrain_specs(suite, tmp_path / "mix.jsonl")
    assert spec.overrides == (
        "task=pretrain",
        "corpus=files",
        f"corpus.path='{tmp_path / 'mix.jsonl'}'",
        "corpus.text_column=text",
        "corpus.eval_size=10",
        "objective=rtd",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seeds": [1, 1]}, "repeats a seed"),
        ({"seeds": []}, "non-empty list of ints"),
        ({"backbones": {"c": {"pretrained": "electra"}}}, "names no run"),
        ({"modes": {"full": "tagging.mode=full"}}, "list of override strings"),
        ({"finetune": ["model"]}, "not an override"),
        ({"tasks": {"t": {"finetune": []}}}, r"suite.tasks.t must be a mapping with keys"),
        ({"tasks": {"t": {"finetune": [], "metric": "f1"}}}, "must name a test metric"),
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


def record(backbone: str, mode: str, seed: int, task: str = "t", **metrics: float) -> dict:
    return {"task": task, "backbone": backbone, "mode": mode, "seed": seed, "metrics": metrics}


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


def test_paired_tests_over_seeds_by_hand() -> None:
    records = [
        record("rtd", "full", 1, test_accuracy=0.80),
        record("rtd", "full", 2, test_accuracy=0.82),
        record("rtd", "full", 3, test_accuracy=0.84),
        record("mlm", "full", 1, test_accuracy=0.78),
        record("mlm", "full", 2, test_accuracy=0.79),
        record("mlm", "full", 3, test_accuracy=0.80),
        record("scratch", "full", 1, test_accuracy=0.70),
        record("scratch", "full", 2, test_accuracy=0.71),
    ]
    pairs = [("rtd", "mlm"), ("mlm", "scratch"), ("rtd", "ghost")]
    first, second = paired_comparisons(records, {"t": "test_accuracy"}, pairs)
    # Differences 0.02, 0.03, 0.04: mean 0.03, sd 0.01, t = 0.03 / (0.01 / sqrt 3) = 5.196 with
    # 2 degrees of freedom, two-sided p = 1 - t / sqrt(2 + t²) = 0.0351.
    assert (first.first, first.second, first.seeds) == ("rtd", "mlm", [1, 2, 3])
    assert first.mean_difference == pytest.approx(0.03)
    assert first.t == pytest.approx(3**0.5 * 3)
    assert first.p_value == pytest.approx(1 - 5.196152 / (2 + 27) ** 0.5, abs=1e-5)
    # Only the seeds both ran; equal differences have no spread to test against.
    assert second.seeds == [1, 2] and second.mean_difference == pytest.approx(0.08)
    assert (second.t, second.p_value) == (None, None)
    table = comparison_table([first, second]).splitlines()
    assert table[2] == "| rtd − mlm | full | accuracy | +0.0300 | 5.20 | 0.035 | 3 |"
    assert table[3] == "| mlm − scratch | full | accuracy | +0.0800 | – | – | 2 |"


def test_report_has_a_section_per_task_with_published_numbers_and_tests(tmp_path: Path) -> None:
    records = [
        record("rtd", "full", 1, task="nsmc", test_accuracy=0.8, test_macro_f1=0.79),
        record("mlm", "full", 1, task="nsmc", test_accuracy=0.7, test_macro_f1=0.69),
        record("rtd", "full", 1, task="keywords", test_span_f1=0.5),
    ]
    published = {"model": "KoELECTRA-Base-v3", "metric": "test_accuracy", "value": 90.63}
    evaluation = Evaluation(
        "Suite: s",
        records,
        {"suite": "s"},
        task_metrics={"nsmc": "test_accuracy", "keywords": "test_span_f1"},
        references={"nsmc": [{**published, "source": "https://example.org/koelectra"}]},
        comparisons=paired_comparisons(records, {"nsmc": "test_accuracy"}, [("rtd", "mlm")]),
    )
    summaries = write_report(evaluation, tmp_path)
    plot_results(
        summaries, tmp_path / "results.png", evaluation.task_metrics, evaluation.references
    )
    markdown = (tmp_path / "results.md").read_text(encoding="utf-8")
    nsmc, keywords = markdown.split("### nsmc (ranked by accuracy)")[1].split("### keywords")
    assert "| backbone | mode | runs | accuracy | macro F1 |" in nsmc
    assert "| KoELECTRA-Base-v3 | accuracy | 0.9063 | https://example.org/koelectra |" in nsmc
    assert "| rtd − mlm | full | accuracy | +0.1000 | – | – | 1 |" in nsmc
    assert "| rtd | full | 1 | 0.5000 |" in keywords and "KoELECTRA" not in keywords
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["comparisons"][0]["mean_difference"] == pytest.approx(0.1)
    assert saved["references"]["nsmc"][0]["value"] == 90.63
    assert (tmp_path / "results.png").read_bytes()[:4] == b"\x89PNG"


def test_smoke_suite_end_to_end_then_its_model_scored_again(tmp_path: Path) -> None:
    out = tmp_path / "smoke"
    # In-process measurement here; the saved model below is measured in a fresh process.
    evaluate(compose_evaluate("+suite=smoke", "evaluate.inference.isolated=false"), out)

    results = json.loads((out / "results.json").read_text())
    runs = results["runs"]
    assert [(r["task"], r["backbone"], r["mode"], r["seed"]) for r in runs] == [
        ("keywords", "tiny", "full", 1),
        ("keywords", "tiny", "lora", 1),
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


def test_rtd_vs_mlm_in_miniature_at_equal_compute_on_a_corpus_mix(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The rtd_vs_mlm suite on stand-ins: a corpus mix without the task's dev and test texts,
    RTD and MLM pretrained at equal compute with one tokenizer, three backbones fine-tuned on a
    classification task over two seeds, paired tests and published numbers in results.md."""
    reviews = write_reviews(tmp_path / "reviews.tsv", 150)
    chat = tmp_path / "chat.txt"
    chat.write_text("\n".join(f"오늘 저녁 {i}번 먹자" for i in range(200)), encoding="utf-8")
    cfg = compose_evaluate("+suite=rtd_vs_mlm", "evaluate.inference.isolated=false")
    small = {
        "seeds": [1, 2],
        "pretrain_steps": 4,
        "finetune_steps": 3,
        "eval_every": 3,
        "pretrain": {
            "overrides": [
                "task=pretrain", "model=tiny", "model.vocab_size=300", "seed=0",
                "trainer.max_steps=${suite.pretrain_steps}", "trainer.batch_size=8",
                "trainer.save_every=0",
            ],
            "runs": {"rtd": ["objective=rtd"], "mlm": ["objective=mlm"]},
        },
        "pretrain_corpora": {
            "korean_mix": {
                "overrides": ["corpus.eval_size=20"],
                "parts": {"reviews": {"path": str(reviews), "text_column": "review"},
                          "chat": {"path": str(chat)}},
            }
        },
        "finetune": [
            "model=tiny", "trainer.batch_size=8", "trainer.max_steps=${suite.finetune_steps}",
            "tagging.eval_every=${suite.eval_every}",
        ],
        "tasks": {
            "nsmc": {
                "metric": "test_accuracy",
                "finetune": ["+experiment=text_classification", f"data.path={reviews}",
                             "data.sizes=[40,16,16]"],
            }
        },
    }  # fmt: skip
    for key, value in small.items():
        OmegaConf.update(cfg, f"suite.{key}", value, merge=False)
    out = tmp_path / "out"
    with caplog.at_level(logging.INFO, logger="electra_rtd.training.pretrain"):
        evaluate(cfg, out)

    results = json.loads((out / "results.json").read_text())
    assert [(r["backbone"], r["seed"]) for r in results["runs"]] == [
        (backbone, seed) for backbone in ("rtd", "mlm", "scratch") for seed in (1, 2)
    ]
    assert {r["kind"] for r in results["runs"]} == {"classifier"}
    assert [(c["first"], c["second"], c["seeds"]) for c in results["comparisons"]] == [
        ("rtd", "mlm", [1, 2]), ("rtd", "scratch", [1, 2]), ("mlm", "scratch", [1, 2])
    ]  # fmt: skip
    # Equal compute: RTD's 4 updates set the budget, MLM trained the updates that match it.
    budget = results["settings"]["pretraining compute"]
    mlm_steps = int(re.search(r"mlm: (\d+) updates", budget).group(1))
    assert "rtd: 4 updates" in budget and mlm_steps >= 4
    assert f"pretraining mlm for {mlm_steps} steps" in caplog.text
    rtd, mlm = (results["pretraining"][name]["pretraining_tflop"] for name in ("rtd", "mlm"))
    assert mlm == pytest.approx(rtd, rel=1 / mlm_steps)
    # No dev or test text of the task went into the pretraining corpus; its training texts may.
    splits = load_class_splits(compose_train_config([*results["runs"][0]["overrides"]], CONF).data)
    corpus = {
        json.loads(line)["text"]
        for line in (out / "corpus" / "korean_mix.jsonl").read_text(encoding="utf-8").splitlines()
    }
    assert not corpus & {t.text for t in splits["dev"] + splits["test"]}
    assert corpus & {t.text for t in splits["train"]}
    markdown = (out / "results.md").read_text(encoding="utf-8")
    assert "### nsmc (ranked by accuracy)" in markdown and "| KcBERT-Base | accuracy |" in markdown
    assert "| rtd − mlm | full | accuracy |" in markdown
    assert (out / "results.png").read_bytes()[:4] == b"\x89PNG"


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
