"""Typed schemas of the training config groups, checked once when a run starts.

Why: a misspelt key (``trainer.max_step``), a value of the wrong type or outside its choices, or
a labelled set where a pretraining corpus belongs used to be read as written and fail (or not)
deep inside a run. ``checked`` stops such a config at start with one line that names the key and
what is allowed.

The values live in ``conf/``, one YAML per option, and the code reads them without a fallback
of its own; a schema field has a default here only where an option leaves out a key its kind
does not read (``None``: not used), so each default is written once. The functions
that read a group take its dataclass as their type; at run time they get the ``DictConfig``
that ``checked`` typed with it (Hydra's structured-config idiom).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, get_args, get_type_hints

from omegaconf import MISSING, DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

TASKS = ("pretrain", "finetune_tagger", "finetune_classifier", "silver_tagger", "kisa_tagger")
CLASSIFIER_TASK = "finetune_classifier"
# How fine-tuning picks its best weights on dev: keyword scores for the tagging tasks,
# class scores for task=finetune_classifier.
TAGGING_METRICS = ("span_f1", "kwset_f1", "partial_f1")
CLASS_METRICS = ("accuracy", "macro_f1")


class ConfigError(ValueError):
    """A config key, value or group that the schemas do not allow."""


def one_of(*choices: Any, default: Any = MISSING) -> Any:
    """A field whose value must be one of ``choices``."""
    return field(default=default, metadata={"choices": choices})


def may_be_absent() -> Any:
    """A field an option may leave out: ``${oc.select:...}`` then falls back to its default."""
    return field(default=MISSING, metadata={"may_be_absent": True})


@dataclass
class TrainerConfig:
    """``conf/trainer/``: the optimisation loop, batches, precision and checkpoints."""

    max_steps: int = MISSING
    batch_size: int = MISSING
    eval_batch_size: int = MISSING
    gradient_accumulation_steps: int = MISSING
    max_grad_norm: float = MISSING
    mixed_precision: str = one_of("auto", "no", "bf16", "fp16")
    pad_to_multiple_of: int | None = MISSING
    group_by_length: bool = MISSING
    log_every: int = MISSING
    save_every: int = MISSING
    keep_last: int = MISSING
    num_workers: int = MISSING
    compile: bool = MISSING
    cpu: bool = MISSING


@dataclass
class OptimConfig:
    """``conf/optim/``: AdamW and its warmup."""

    lr: float = MISSING
    weight_decay: float = MISSING
    betas: list[float] = MISSING
    eps: float = MISSING
    warmup_ratio: float = MISSING
    warmup_steps: int | None = MISSING
    fused: Any = one_of("auto", True, False)


@dataclass
class MlmObjectiveConfig:
    """``conf/objective/mlm.yaml``: BERT masked language modelling."""

    name: str = one_of("rtd", "mlm")
    mask_probability: float = MISSING
    max_predictions: int | None = MISSING
    whole_word_masking: bool = MISSING


@dataclass
class RtdObjectiveConfig(MlmObjectiveConfig):
    """``conf/objective/rtd.yaml``: ELECTRA replaced-token detection."""

    mask_fraction: float = MISSING
    generator_weight: float = MISSING
    discriminator_weight: float = MISSING
    temperature: float = MISSING
    generator_projection: str = one_of("masked", "all")


@dataclass
class ArchitectureConfig:
    """The size of a model trained from scratch (``ElectraConfig`` fields)."""

    embedding_size: int = MISSING
    hidden_size: int = MISSING
    num_hidden_layers: int = MISSING
    num_attention_heads: int = MISSING
    intermediate_size: int = MISSING
    max_position_embeddings: int = MISSING
    hidden_dropout_prob: float = MISSING
    attention_probs_dropout_prob: float = MISSING


@dataclass
class PretrainingRecipe:
    """A model's own pretraining recipe, applied to objective, optim and trainer."""

    mask_probability: float = may_be_absent()
    lr: float = may_be_absent()
    warmup_steps: int = may_be_absent()
    batch_size: int = may_be_absent()
    max_steps: int = may_be_absent()


@dataclass
class ModelConfig:
    """``conf/model/``: a size to train from scratch or a checkpoint to continue from."""

    name: str = MISSING
    path: str | None = MISSING
    generator_path: str | None = MISSING
    tokenizer: str | None = MISSING
    vocab_size: int | None = MISSING
    generator_fraction: float | None = MISSING
    share_embeddings: bool = MISSING
    architecture: ArchitectureConfig | None = MISSING
    hangul_syllables: bool = MISSING
    pretraining: PretrainingRecipe | None = None  # only the sizes that bring a recipe


@dataclass
class LoraConfig:
    """LoRA adapters of ``tagging.mode=lora``."""

    r: int = MISSING
    alpha: int = MISSING
    dropout: float = MISSING
    target_modules: list[str] | None = MISSING


@dataclass
class TaggingConfig:
    """``conf/tagging/``: fine-tuning, for keyword tagging (token classification with BIO labels)
    and for task=finetune_classifier, which reads mode, lora, eval_every, select_metric and
    early_stopping_patience (one group, so a suite's ``tagging.mode=lora`` serves both)."""

    mode: str = one_of("full", "lora")
    label_all_subwords: bool = MISSING
    eval_every: int = MISSING
    select_metric: str = one_of(*TAGGING_METRICS, *CLASS_METRICS)
    keyword_form: str = one_of("surface", "norm")
    early_stopping_patience: int = MISSING
    lora: LoraConfig = MISSING


@dataclass
class CorpusConfig:
    """``conf/corpus/``: unlabelled messages for pretraining."""

    source: str = one_of("synthetic", "files")
    text_column: str = MISSING
    max_length: int = MISSING
    eval_size: int = MISSING
    num_proc: int | None = MISSING
    streaming: bool = MISSING
    exclude: dict[str, list[str]] = MISSING
    path: str | None = MISSING
    num_messages: int | None = None  # source=synthetic
    seed: int | None = None  # source=synthetic


@dataclass
class LabelledSetConfig:
    """``conf/data/``: labelled messages for keyword tagging."""

    source: str = one_of("synthetic", "files", "hashed")
    max_length: int = MISSING
    stride: Any = MISSING  # auto | null (truncate) | tokens shared by neighbouring windows
    # Each source reads its own keys; an option leaves out the keys its source does not read.
    path: str | None = None  # source=files: JSONL or BIO
    split: list[float] | None = None  # train/dev/test fractions (not source=hashed)
    split_seed: int | None = None
    on_error: str | None = one_of("raise", "warn", None, default=None)  # source=files
    num_messages: int | None = None  # source=synthetic
    seed: int | None = None  # source=synthetic
    labels: str | None = None  # source=hashed: the label folder
    corpus: str | None = None  # source=hashed: the corpus the hashes are joined with
    text_column: str | None = None  # source=hashed


@dataclass
class TextClassesConfig:
    """``conf/data/`` with ``source: classes``: texts with one class each, for
    task=finetune_classifier (read by `electra_rtd.data.text_classes`)."""

    source: str = one_of("classes")
    path: str = MISSING  # a .tsv/.csv/.jsonl file (optionally .gz) with a text and a label column
    text_column: str = MISSING
    label_column: str = MISSING
    labels: dict[str, list[str]] = MISSING  # class -> the label values that mean it, in id order
    drop: list[str] = MISSING  # label values left out; any value listed nowhere is an error
    test_path: str | None = MISSING  # a file of its own as the test split; null: drawn from path
    sizes: list[int | None] = MISSING  # train, dev, test texts; null: all that remain
    balance: bool = MISSING  # the same number of texts of every class in each split
    split_seed: int = MISSING
    max_length: int = MISSING


@dataclass
class SilverJobConfig:
    """``silver:`` of task=silver_tagger and task=kisa_tagger: the raw messages silver-labelled
    (and RTD-pretrained on) against ordinary background text, and the updates of those stages."""

    corpus: str = MISSING  # a corpus file or folder, or a dataset name (`data.corpus`)
    text_column: str = MISSING
    exclude: dict[str, list[str]] = MISSING  # column -> values whose rows (and texts) stay out
    exclude_hashes: list[str] = MISSING  # label files whose messages stay out (dev and test)
    background: str = MISSING
    background_column: str = MISSING
    max_messages: int = MISSING
    max_background: int = MISSING
    seed: int = MISSING
    pretrain_steps: int = MISSING  # RTD pretraining on the messages; 0 keeps model.path
    labeller: dict[str, Any] = MISSING  # `corpus_tools.silver.SilverConfig`'s fields
    tagging_steps: int | None = None  # task=kisa_tagger: stage 2, fine-tuning on silver labels


@dataclass
class RankerConfig:
    """``ranker:`` of task=kisa_tagger with design=ranker: kiwipiepy compound candidates ranked
    over the tagger's token scores."""

    max_tokens: int = MISSING  # candidates: noun runs and their sub-runs up to this many morphemes
    cross_fit_steps: int = MISSING  # updates of each half-train copy of the tagger; 0: none


GROUPS: dict[str, type] = {
    "trainer": TrainerConfig,
    "optim": OptimConfig,
    "model": ModelConfig,
    "tagging": TaggingConfig,
}
OBJECTIVES: dict[str, type] = {"rtd": RtdObjectiveConfig, "mlm": MlmObjectiveConfig}
# The groups only some tasks read, and task=kisa_tagger's stage-3 designs (README, "Keywords on
# real messages").
TASK_GROUPS: dict[str, dict[str, type]] = {
    "silver_tagger": {"silver": SilverJobConfig},
    "kisa_tagger": {"silver": SilverJobConfig, "ranker": RankerConfig},
}
KISA_DESIGNS = ("ranker", "tagger")
# Which group holds a task's messages, and the group it must not have.
PRETRAINING_GROUP, LABELLED_GROUP = "corpus", "data"


def checked(cfg: DictConfig) -> DictConfig:
    """Type ``cfg``'s groups in place with their schemas; raise `ConfigError` on the first key or
    value they do not allow. Returns ``cfg``."""
    if cfg.get("task") not in TASKS:
        raise ConfigError(f"task={cfg.get('task')!r}: allowed values are {', '.join(TASKS)}")
    objective = cfg.objective.get("name")
    if objective not in OBJECTIVES:
        raise ConfigError(f"objective.name={objective!r}: allowed values are rtd, mlm")
    if cfg.task == "kisa_tagger" and cfg.get("design") not in KISA_DESIGNS:
        raise ConfigError(
            f"design={cfg.get('design')!r}: allowed values are {', '.join(KISA_DESIGNS)}"
        )
    schemas = {**GROUPS, **TASK_GROUPS.get(cfg.task, {}), "objective": OBJECTIVES[objective]}
    wanted, unwanted = (PRETRAINING_GROUP, LABELLED_GROUP)
    if cfg.task != "pretrain":
        wanted, unwanted = unwanted, wanted
    if cfg.get(unwanted) is not None:
        raise ConfigError(
            f"{unwanted}: task={cfg.task} reads {_kind(wanted)}, not {_kind(unwanted)}"
        )
    if cfg.get(wanted) is None:
        raise ConfigError(f"{wanted}: task={cfg.task} needs {_kind(wanted)}")
    schemas[wanted] = CorpusConfig if wanted == PRETRAINING_GROUP else _labelled_schema(cfg)
    for group, schema in schemas.items():
        _check_keys(OmegaConf.to_container(cfg[group]), schema, group)
        try:
            typed = OmegaConf.merge(OmegaConf.structured(schema), cfg[group])
            with open_dict(cfg):
                cfg[group] = typed
            resolved = OmegaConf.to_container(cfg[group], resolve=True)
        except OmegaConfBaseException as error:
            key = str(error.full_key or "")
            key = key if key.startswith(f"{group}.") else f"{group}.{key}".rstrip(".")
            raise ConfigError(f"{key}: {str(error.msg).splitlines()[0]}") from None
        _check_values(resolved, schema, group)
    return cfg


def _labelled_schema(cfg: DictConfig) -> type:
    """Texts with classes for the classifier, keyword spans for the tagging tasks; the metric
    that picks the best dev weights must be one the task computes."""
    source = cfg.data.get("source")
    classes = source == "classes"
    if classes and cfg.task != CLASSIFIER_TASK:
        raise ConfigError(
            f"data.source='classes': task={cfg.task} reads keyword spans; texts with classes "
            f"are for task={CLASSIFIER_TASK}"
        )
    if not classes and cfg.task == CLASSIFIER_TASK:
        raise ConfigError(
            f"data.source={source!r}: task={CLASSIFIER_TASK} reads texts with classes "
            "(source: classes, e.g. data=nsmc)"
        )
    allowed = CLASS_METRICS if classes else TAGGING_METRICS
    metric = cfg.get("tagging", {}).get("select_metric")
    if metric not in allowed:
        raise ConfigError(
            f"tagging.select_metric={metric!r}: allowed values are {', '.join(allowed)} "
            f"(task={cfg.task})"
        )
    return TextClassesConfig if classes else LabelledSetConfig


def _kind(group: str) -> str:
    if group == PRETRAINING_GROUP:
        return "a pretraining corpus (corpus=NAME, conf/corpus/)"
    return "a labelled set (data=NAME, conf/data/)"


def _check_keys(node: Any, schema: type, where: str) -> None:
    """Every key of ``node`` is a field of ``schema``, recursively."""
    if not isinstance(node, dict):
        return
    allowed = {f.name: f for f in fields(schema)}
    for key, value in node.items():
        if key not in allowed:
            raise ConfigError(
                f"{where}.{key}: no such key; allowed keys are {', '.join(sorted(allowed))}"
            )
        nested = _dataclass_of(schema, key)
        if nested is not None:
            _check_keys(value, nested, f"{where}.{key}")


def _check_values(node: Any, schema: type, where: str) -> None:
    """Every field of ``schema`` has a value, within its choices when it has some."""
    if not isinstance(node, dict):
        return
    for spec in fields(schema):
        value, key = node.get(spec.name), f"{where}.{spec.name}"
        if value == MISSING and not spec.metadata.get("may_be_absent"):
            raise ConfigError(f"{key}: no value; set {key}=...")
        choices = spec.metadata.get("choices")
        if choices and not any(value == c and type(value) is type(c) for c in choices):
            allowed = ", ".join(str(c).lower() if isinstance(c, bool) else c for c in choices)
            raise ConfigError(f"{key}={value!r}: allowed values are {allowed}")
        nested = _dataclass_of(schema, spec.name)
        if nested is not None:
            _check_values(value, nested, key)


def _dataclass_of(schema: type, name: str) -> type | None:
    """The dataclass field ``name`` of ``schema`` holds (``X`` or ``X | None``), else None."""
    kind = get_type_hints(schema)[name]
    for candidate in (kind, *get_args(kind)):
        if is_dataclass(candidate):
            return candidate
    return None
