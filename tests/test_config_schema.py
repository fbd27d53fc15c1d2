"""Typed config groups: every shipped config passes the schemas, and a misspelt key, a wrong type,
a value outside its choices or the wrong kind of data stops at start with one line naming it."""

from __future__ import annotations

import pytest
from hydra.errors import MissingConfigException
from omegaconf.errors import ValidationError
from test_pretrain import compose_cfg
from test_run_safety import train

from conftest import REPO_ROOT
from electra_rtd.schema import (
    CLASSIFIER_TASK,
    ConfigError,
    CorpusConfig,
    LabelledSetConfig,
    TextClassesConfig,
    TrainerConfig,
    checked,
)
from electra_rtd.tasks import run_task

CONF = REPO_ROOT / "conf"


def options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


@pytest.mark.parametrize("experiment", options("experiment"))
def test_every_experiment_passes_the_schemas(experiment: str) -> None:
    cfg = checked(compose_cfg(f"+experiment={experiment}"))
    assert cfg.trainer._metadata.object_type is TrainerConfig
    kind = CorpusConfig if cfg.task == "pretrain" else LabelledSetConfig
    if cfg.task == CLASSIFIER_TASK:
        kind = TextClassesConfig
    group = "corpus" if cfg.task == "pretrain" else "data"
    assert cfg[group]._metadata.object_type is kind


def labelled_experiment(data: str) -> str:
    """The experiment that reads a labelled set: texts with classes, or keyword spans."""
    source = (CONF / "data" / f"{data}.yaml").read_text(encoding="utf-8")
    return "text_classification" if "source: classes" in source else "keyword_tagging"


@pytest.mark.parametrize(
    "overrides",
    [[f"model={name}"] for name in options("model")]
    + [[f"corpus={name}", "++corpus.path=x"] for name in options("corpus")]
    + [
        [f"+experiment={labelled_experiment(name)}", f"data={name}", "++data.path=x"]
        for name in options("data")
    ],
    ids=lambda overrides: overrides[-2] if len(overrides) > 1 else overrides[0],
)
def test_every_group_option_passes_the_schemas(overrides: list[str]) -> None:
    checked(compose_cfg(*overrides))


def test_checked_values_keep_their_types() -> None:
    cfg = checked(compose_cfg("trainer.batch_size=8"))
    assert cfg.trainer.batch_size == 8
    with pytest.raises(ValidationError):
        cfg.trainer.batch_size = "many"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            ["+trainer.max_step=5"],
            "trainer.max_step: no such key; allowed keys are batch_size, compile, cpu, ",
        ),
        (
            ["+experiment=keyword_tagging", "+tagging.lora.rank=4"],
            "tagging.lora.rank: no such key; allowed keys are alpha, dropout, r, target_modules",
        ),
        (
            ["+model.architecture.hidden_sise=64"],
            "model.architecture.hidden_sise: no such key; allowed keys are attention_probs_",
        ),
        (["trainer.batch_size=many"], "trainer.batch_size: Value 'many' of type 'str' could not"),
        (["trainer.mixed_precision=fp8"], "trainer.mixed_precision='fp8': allowed values are auto"),
        (["optim.fused=maybe"], "optim.fused='maybe': allowed values are auto, true, false"),
        (
            ["+experiment=keyword_tagging", "tagging.select_metric=f1"],
            "tagging.select_metric='f1': allowed values are span_f1, kwset_f1, partial_f1",
        ),
        (["objective.generator_projection=some"], "objective.generator_projection='some': "),
        (["task=finetune"], "task='finetune': allowed values are pretrain, finetune_tagger, "),
        (["corpus=files"], "corpus.path: no value; set corpus.path=..."),
        (
            ["data=keywords_synthetic"],
            "data: task=pretrain reads a pretraining corpus (corpus=NAME, conf/corpus/), not a "
            "labelled set (data=NAME, conf/data/)",
        ),
        (
            ["+experiment=keyword_tagging", "corpus=kisa"],
            "corpus: task=finetune_tagger reads a labelled set (data=NAME, conf/data/), not a "
            "pretraining corpus",
        ),
        (
            ["task=finetune_tagger", "~corpus"],
            "data: task=finetune_tagger needs a labelled set (data=",
        ),
        (
            ["+experiment=kisa_tagger", "+ranker.cross_fit_step=600"],
            "ranker.cross_fit_step: no such key; allowed keys are cross_fit_steps, max_tokens",
        ),
        (
            ["+experiment=kisa_silver_tagger", "silver.max_messages=all"],
            "silver.max_messages: Value 'all' of type 'str' could not",
        ),
        (
            ["+experiment=kisa_tagger", "design=both"],
            "design='both': allowed values are ranker, tagger",
        ),
    ],
)
def test_a_bad_config_stops_with_its_key_and_the_allowed_values(
    overrides: list[str], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        checked(compose_cfg(*overrides))
    assert str(error.value).startswith(message), str(error.value)
    assert "\n" not in str(error.value)


def test_run_task_checks_before_it_runs(tmp_path) -> None:
    with pytest.raises(ConfigError, match="trainer.max_step: no such key"):
        run_task(compose_cfg("+trainer.max_step=5"), tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_a_pretraining_corpus_is_no_labelled_set() -> None:
    """`data=kisa` in a tagging run is refused by name, with the labelled sets listed."""
    with pytest.raises(MissingConfigException) as error:
        compose_cfg("+experiment=keyword_tagging", "data=kisa")
    assert "Could not find 'data/kisa'" in str(error.value)
    for name in options("data"):
        assert name in str(error.value)


def test_train_py_prints_a_misspelt_key_as_one_line(tmp_path) -> None:
    result = train("logger=none", "+trainer.max_step=5", f"hydra.run.dir={tmp_path}/r")
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("train.py: error: trainer.max_step: no such key; allowed keys are")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "r").exists()
