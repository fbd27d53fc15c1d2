"""End-to-end pretraining: configs compose, runs export loadable models, resume is exact."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf
from safetensors.torch import load_file
from transformers import (
    AutoModelForMaskedLM,
    AutoModelForPreTraining,
    AutoModelForTokenClassification,
    AutoTokenizer,
    ElectraForPreTraining,
)

from conftest import REPO_ROOT
from electra_rtd.config import register_resolvers
from electra_rtd.models.electra import WeightsNotFoundError, electra_config, generator_config
from electra_rtd.tasks import run_task

# Small and quick: 1,200 synthetic messages, a 1,000-token vocabulary, batches of 16.
FAST_TRAINER = [
    "model=tiny",  # hidden size 32 (the experiments default to model=mini)
    "logger=none",
    "model.vocab_size=1000",
    "trainer.batch_size=16",
    "trainer.eval_batch_size=64",
    "trainer.log_every=5",
]
FAST = [*FAST_TRAINER, "corpus.num_messages=1200", "corpus.eval_size=200"]


def compose_cfg(*overrides: str) -> DictConfig:
    register_resolvers()
    with initialize_config_dir(str(REPO_ROOT / "conf"), version_base="1.3"):
        return compose("train", overrides=[f"paths.root_dir={REPO_ROOT}", *overrides])


@pytest.mark.parametrize(
    "experiment", sorted(p.stem for p in (REPO_ROOT / "conf" / "experiment").glob("*.yaml"))
)
def test_every_experiment_composes(experiment: str) -> None:
    cfg = compose_cfg(f"+experiment={experiment}")
    resolved = OmegaConf.to_container(cfg, resolve=True)
    assert resolved["task"] and resolved["task_name"]


# Clark et al. (2020), Table 6: generator (hidden, heads, FFN), mask, lr, batch, ELECTRA steps.
PAPER = {
    "electra_small": ((64, 1, 256), 0.15, 5e-4, 128, 1_000_000),
    "electra_base": ((256, 4, 1024), 0.15, 2e-4, 256, 766_000),
    "electra_large": ((256, 4, 1024), 0.25, 2e-4, 2048, 400_000),
}


@pytest.mark.parametrize("size", sorted(PAPER))
def test_paper_sizes_bring_table_6(size: str) -> None:
    generator, mask, lr, batch, steps = PAPER[size]
    cfg = compose_cfg(f"model={size}")
    config = generator_config(
        electra_config(32000, 0, cfg.model.architecture), cfg.model.generator_fraction
    )
    assert (config.hidden_size, config.num_attention_heads, config.intermediate_size) == generator
    assert cfg.objective.mask_probability == mask
    assert (cfg.optim.lr, cfg.optim.warmup_steps, cfg.optim.eps) == (lr, 10_000, 1e-6)
    assert (cfg.trainer.batch_size, cfg.trainer.max_steps) == (batch, steps)
    assert cfg.model.architecture.hidden_dropout_prob == 0.1
    assert cfg.optim.weight_decay == 0.01
    assert cfg.objective.discriminator_weight == 50.0


def test_choosing_a_size_brings_its_optimisation_not_the_experiments_default() -> None:
    """The quick experiment keeps its run length; the size brings lr, warmup and masking."""
    base = compose_cfg("+experiment=rtd_pretrain", "model=electra_base")
    assert (base.optim.lr, base.optim.warmup_steps, base.trainer.max_steps) == (2e-4, 10_000, 1000)
    large = compose_cfg("+experiment=mlm_pretrain", "model=electra_large")
    assert (large.objective.mask_probability, large.optim.lr) == (0.25, 2e-4)
    mini = compose_cfg("+experiment=rtd_pretrain")  # the embedded default, as before
    assert (mini.optim.lr, mini.optim.warmup_steps, mini.optim.warmup_ratio) == (1e-3, None, 0.1)
    assert (mini.trainer.batch_size, mini.trainer.max_steps) == (64, 1000)
    assert mini.objective.mask_probability == 0.15
    explicit = compose_cfg("model=electra_base", "optim.lr=1e-4", "objective.mask_probability=0.2")
    assert (explicit.optim.lr, explicit.objective.mask_probability) == (1e-4, 0.2)


def test_rtd_run_exports_models_plain_transformers_can_load(tmp_path: Path) -> None:
    cfg = compose_cfg(
        "+experiment=rtd_pretrain", *FAST, "trainer.max_steps=10", "trainer.save_every=0"
    )
    metrics = run_task(cfg, tmp_path / "run")

    assert json.loads((tmp_path / "run" / "metrics.json").read_text()) == metrics
    assert 0.0 <= metrics["eval_rtd_roc_auc"] <= 1.0
    for role in ("discriminator", "generator"):
        card = (tmp_path / "run" / "export" / role / "README.md").read_text(encoding="utf-8")
        assert "library_name: transformers" in card and f"# {role} of electra-rtd run" in card
        assert "trained from scratch (`model=tiny`)" in card and "`synthetic`" in card
        assert re.search(r"eval_rtd_roc_auc\s+= ", card)
        assert "## Made with" in card
    assert metrics["eval_replaced_tokens"] > 0
    export = tmp_path / "run" / "export"
    discriminator = AutoModelForPreTraining.from_pretrained(export / "discriminator")
    assert isinstance(discriminator, ElectraForPreTraining)
    tagger = AutoModelForTokenClassification.from_pretrained(export / "discriminator", num_labels=3)
    torch.testing.assert_close(
        tagger.electra.embeddings.word_embeddings.weight,
        discriminator.electra.embeddings.word_embeddings.weight,
    )
    generator = AutoModelForMaskedLM.from_pretrained(export / "generator")
    assert generator.config.hidden_size == discriminator.config.hidden_size // 4
    tokenizer = AutoTokenizer.from_pretrained(export / "discriminator")
    encoded = tokenizer("택배 도착 안내", return_tensors="pt", return_token_type_ids=False)
    assert discriminator(**encoded).logits.shape == encoded["input_ids"].shape


def test_mlm_baseline_runs(tmp_path: Path) -> None:
    cfg = compose_cfg(
        "+experiment=mlm_pretrain", *FAST, "trainer.max_steps=5", "trainer.save_every=0"
    )
    metrics = run_task(cfg, tmp_path / "run")
    assert 0.0 <= metrics["eval_mlm_accuracy"] <= 1.0
    assert (tmp_path / "run" / "export" / "mlm" / "config.json").is_file()


def weights(run_dir: Path) -> dict[str, torch.Tensor]:
    found = {}
    for role in ("discriminator", "generator"):
        for key, value in load_file(run_dir / "export" / role / "model.safetensors").items():
            found[f"{role}.{key}"] = value
    return found


def test_resumed_run_reaches_the_weights_of_an_uninterrupted_one(tmp_path: Path) -> None:
    """Checkpoint mid-epoch (step 5 of 12, accumulation 2), resume in a new run, compare, with
    dropout on: every random draw after the resume must be the one the first run made."""
    common = [
        "+experiment=rtd_pretrain",
        *FAST,
        "trainer.max_steps=12",
        "trainer.save_every=5",
        "trainer.keep_last=0",
        "trainer.gradient_accumulation_steps=2",
    ]
    runs = tmp_path / "runs"
    first = compose_cfg(*common)
    assert first.model.architecture.hidden_dropout_prob == 0.1
    assert first.model.architecture.attention_probs_dropout_prob == 0.1
    run_task(first, runs / "a")
    checkpoint = runs / "a" / "checkpoints" / "step_00000005"
    assert (checkpoint / "progress.json").is_file()
    assert json.loads((checkpoint / "progress.json").read_text())["batch_in_epoch"] == 10

    run_task(compose_cfg(*common, f"resume={checkpoint}"), runs / "b")
    uninterrupted, resumed = weights(runs / "a"), weights(runs / "b")
    assert uninterrupted.keys() == resumed.keys()
    for key in uninterrupted:
        assert torch.equal(uninterrupted[key], resumed[key]), key


def test_resume_true_picks_the_newest_complete_checkpoint(tmp_path: Path) -> None:
    from electra_rtd.training.checkpointing import find_resume_checkpoint

    for run, steps in (("2026-01-01_00-00-00", 3), ("2026-01-02_00-00-00", 7)):
        folder = tmp_path / run / "checkpoints" / f"step_{steps:08d}"
        folder.mkdir(parents=True)
        (folder / "progress.json").write_text("{}")
        (folder.parent / "latest").write_text(folder.name)
    # A newer run whose save never finished: only a .tmp folder, no pointer.
    (tmp_path / "2026-01-03_00-00-00" / "checkpoints" / "step_00000009.tmp").mkdir(parents=True)
    found = find_resume_checkpoint(True, tmp_path)
    assert found == tmp_path / "2026-01-02_00-00-00" / "checkpoints" / "step_00000007"


def test_continued_pretraining_offline_fails_at_once_with_instructions(tmp_path: Path) -> None:
    cfg = compose_cfg("model=koelectra_base_v3", "logger=none")
    with pytest.raises(
        WeightsNotFoundError, match="hf download monologg/koelectra-base-v3-"
    ) as err:
        run_task(cfg, tmp_path / "run")
    assert "model.path=" in str(err.value)
    assert not (tmp_path / "run" / "data").exists(), "failed only after preparing data"


def logged_losses(log_text: str) -> list[float]:
    """The training loss of every ``step N: loss=...`` line of a run's log."""
    return [float(m) for m in re.findall(r"step \d+: loss=([\d.]+)", log_text)]


@pytest.mark.slow
def test_two_cpu_processes_match_one_process_with_the_same_global_batch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`accelerate launch` with two gloo processes on CPU: one run folder, both ranks agree, and
    the loss curve follows a single process that sees the same global batch of 16."""
    steps = ["trainer.max_steps=30", "trainer.log_every=10", "trainer.save_every=15"]
    command = [
        sys.executable, "-m", "accelerate.commands.launch",
        "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
        "--mixed_precision", "no", "--dynamo_backend", "no",
        str(REPO_ROOT / "train.py"), "+experiment=rtd_pretrain", *FAST, *steps,
        "trainer.cpu=true", "trainer.batch_size=8", f"paths.output_dir={tmp_path}",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    runs = [p for p in (tmp_path / "rtd_pretrain").iterdir() if not p.name.startswith(".")]
    assert len(runs) == 1, runs
    assert "batch 8 x 2 processes" in (runs[0] / "train.log").read_text()
    assert (runs[0] / "checkpoints" / "step_00000030" / "random_states_1.pkl").is_file()
    assert (runs[0] / "export" / "discriminator" / "model.safetensors").is_file()

    with caplog.at_level(logging.INFO, logger="electra_rtd"):
        run_task(
            compose_cfg("+experiment=rtd_pretrain", *FAST, *steps, "trainer.save_every=0"),
            tmp_path / "single",
        )
    two = logged_losses((runs[0] / "train.log").read_text())
    one = logged_losses(caplog.text)
    assert len(two) == len(one) == 3
    # Same data per update; masks differ by rank, so the curves agree closely but not exactly.
    for a, b in zip(two, one, strict=True):
        assert abs(a - b) / b < 0.05, (two, one)
    assert two[-1] < two[0]


@pytest.fixture
def fresh_wandb_settings() -> Iterator[None]:
    """W&B reads its environment once per process; these tests change it."""
    import wandb

    wandb.teardown()
    yield
    wandb.teardown()


@pytest.mark.slow
@pytest.mark.usefixtures("fresh_wandb_settings")
def test_wandb_offline_run_needs_no_account(tmp_path: Path, monkeypatch, caplog) -> None:
    monkeypatch.delenv("WANDB_MODE", raising=False)
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.setenv("WANDB_CONFIG_DIR", str(tmp_path / "no-wandb-settings"))
    cfg = compose_cfg(
        "+experiment=rtd_pretrain",
        *FAST,
        "logger=wandb",
        "trainer.max_steps=2",
        "trainer.save_every=0",
    )
    with caplog.at_level(logging.INFO):
        run_task(cfg, tmp_path / "run")
    offline_runs = list((tmp_path / "run" / "wandb").glob("offline-run-*"))
    assert len(offline_runs) == 1
    assert f"wandb sync {offline_runs[0]}" in caplog.text


@pytest.mark.slow
@pytest.mark.usefixtures("fresh_wandb_settings")
def test_wandb_mode_disabled_in_the_environment_writes_no_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WANDB_MODE", "disabled")
    cfg = compose_cfg(
        "+experiment=rtd_pretrain",
        *FAST,
        "logger=wandb",
        "trainer.max_steps=2",
        "trainer.save_every=0",
    )
    run_task(cfg, tmp_path / "run")
    assert not list((tmp_path / "run").rglob("*run-*"))


def test_streaming_corpus_trains(tmp_path: Path) -> None:
    """A corpus read as a stream (for dumps larger than memory) goes through the same loop."""
    corpus = tmp_path / "messages.txt"
    lines = [
        "택배 도착 안내 문자입니다",
        "오늘 저녁 같이 먹자 ㅋㅋ",
        "카드 승인 12,000원",
        "  ",
    ] * 150
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = compose_cfg(
        "+experiment=rtd_pretrain", *FAST_TRAINER, "corpus=files", f"corpus.path={corpus}",
        "corpus.streaming=true", "corpus.eval_size=50", "trainer.max_steps=12", "trainer.save_every=0",
    )  # fmt: skip
    metrics = run_task(cfg, tmp_path / "run")
    assert metrics["eval_scored_tokens"] > 0
