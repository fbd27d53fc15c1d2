"""Encoders with a task head, for fine-tuning: token classification (keyword tagging) or sequence
classification (a class per text); full fine-tuning or LoRA through peft; plain exports."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from peft import LoraConfig, PeftModel, TaskType, get_peft_model
from transformers import (
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
    ElectraForSequenceClassification,
    ElectraForTokenClassification,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from electra_rtd.models.electra import (
    check_vocab,
    count_parameters,
    electra_config,
    load_pretrained,
)
from electra_rtd.models.saving import save_model_folder

log = logging.getLogger(__name__)

Head = Literal["token", "sequence"]
# The model classes of each head: loaded from a checkpoint, or new from model.architecture.
HEADS: dict[str, tuple[type, type, TaskType]] = {
    "token": (AutoModelForTokenClassification, ElectraForTokenClassification, TaskType.TOKEN_CLS),
    "sequence": (
        AutoModelForSequenceClassification,
        ElectraForSequenceClassification,
        TaskType.SEQ_CLS,
    ),
}
# Attention and feed-forward projections of the encoder, by architecture (peft's own defaults
# adapt only query/value). The head is always trained and saved in full.
LORA_TARGETS: dict[str, str] = {
    "electra": r".*encoder\..*\.(query|key|value|dense)$",
    "bert": r".*encoder\..*\.(query|key|value|dense)$",
}


def build_tagger(
    model_cfg: Mapping[str, Any],
    tokenizer: PreTrainedTokenizerBase,
    label_names: Sequence[str],
) -> PreTrainedModel:
    """A token classifier on ``model.path`` (hub id, folder, or an RTD export) or a new one."""
    return build_with_head("token", model_cfg, tokenizer, label_names)


def build_classifier(
    model_cfg: Mapping[str, Any],
    tokenizer: PreTrainedTokenizerBase,
    class_names: Sequence[str],
) -> PreTrainedModel:
    """A sequence classifier on ``model.path`` (hub id, folder, or an RTD export) or a new one."""
    return build_with_head("sequence", model_cfg, tokenizer, class_names)


def build_with_head(
    head: Head,
    model_cfg: Mapping[str, Any],
    tokenizer: PreTrainedTokenizerBase,
    label_names: Sequence[str],
) -> PreTrainedModel:
    """The encoder of ``model.path`` (or a new one of ``model.architecture``) with a new ``head``
    over ``label_names``, whose names the config keeps (pipelines print them)."""
    auto_class, new_class, _ = HEADS[head]
    id2label = dict(enumerate(label_names))
    label2id = {name: index for index, name in id2label.items()}
    if model_cfg.get("path"):
        model = load_pretrained(
            auto_class,
            model_cfg["path"],
            "encoder",
            num_labels=len(label_names),
            id2label=id2label,
            label2id=label2id,
        )
    else:
        config = electra_config(len(tokenizer), tokenizer.pad_token_id, model_cfg["architecture"])
        config.num_labels, config.id2label, config.label2id = len(label_names), id2label, label2id
        model = new_class(config)
    check_vocab(model, len(tokenizer), "encoder")
    log.info(
        "%s classifier %.1fM parameters (%s)",
        head,
        count_parameters(model) / 1e6,
        model.config.model_type,
    )
    return model


def apply_lora(model: PreTrainedModel, lora_cfg: Mapping[str, Any], head: Head) -> PeftModel:
    """Wrap ``model`` with LoRA adapters; only adapters and the head stay trainable."""
    targets = lora_cfg.get("target_modules") or LORA_TARGETS.get(model.config.model_type)
    if not targets:
        raise ValueError(
            f"no LoRA target modules known for model_type {model.config.model_type!r}: "
            "set tagging.lora.target_modules"
        )
    config = LoraConfig(
        task_type=HEADS[head][2],
        r=lora_cfg["r"],
        lora_alpha=lora_cfg["alpha"],
        lora_dropout=lora_cfg["dropout"],
        target_modules=targets if isinstance(targets, str) else list(targets),
    )
    peft_model = get_peft_model(model, config)
    trainable = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
    log.info(
        "LoRA r=%d on %s: %.2fM trainable of %.1fM",
        lora_cfg["r"],
        targets,
        trainable / 1e6,
        count_parameters(peft_model) / 1e6,
    )
    return peft_model


def export_finetuned(
    model: PreTrainedModel | PeftModel, tokenizer: PreTrainedTokenizerBase, export_dir: Path
) -> Path:
    """Save a plain model (LoRA merged in) plus its tokenizer.

    A LoRA run also keeps its adapter in ``export_dir/adapter`` (load it onto the base model with
    ``PeftModel.from_pretrained``); ``export_dir/model`` is what users, pipelines and the
    extractor load.
    """
    if isinstance(model, PeftModel):
        save_model_folder(model, tokenizer, export_dir / "adapter")
        model = model.merge_and_unload()
    save_model_folder(model, tokenizer, export_dir / "model")
    log.info("exported %s to %s", type(model).__name__, export_dir / "model")
    return export_dir / "model"
