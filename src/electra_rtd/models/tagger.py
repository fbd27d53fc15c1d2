"""Token-classification models for keyword tagging: full fine-tuning or LoRA through peft."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from peft import LoraConfig, PeftModel, TaskType, get_peft_model
from transformers import (
    AutoModelForTokenClassification,
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

# Attention and feed-forward projections, by architecture (peft's own defaults adapt only
# query/value). The classifier head is always trained and saved in full.
LORA_TARGETS: dict[str, list[str]] = {
    "electra": ["query", "key", "value", "dense"],
    "bert": ["query", "key", "value", "dense"],
}


def build_tagger(
    model_cfg: Mapping[str, Any],
    tokenizer: PreTrainedTokenizerBase,
    label_names: Sequence[str],
) -> PreTrainedModel:
    """A token classifier on ``model.path`` (hub id, folder, or an RTD export) or a new tiny one."""
    id2label = dict(enumerate(label_names))
    label2id = {name: index for index, name in id2label.items()}
    if model_cfg.get("path"):
        model = load_pretrained(
            AutoModelForTokenClassification,
            model_cfg["path"],
            "encoder",
            num_labels=len(label_names),
            id2label=id2label,
            label2id=label2id,
        )
    else:
        config = electra_config(len(tokenizer), tokenizer.pad_token_id, model_cfg["architecture"])
        config.num_labels, config.id2label, config.label2id = len(label_names), id2label, label2id
        model = ElectraForTokenClassification(config)
    check_vocab(model, len(tokenizer), "encoder")
    log.info("tagger %.1fM parameters (%s)", count_parameters(model) / 1e6, model.config.model_type)
    return model


def apply_lora(model: PreTrainedModel, lora_cfg: Mapping[str, Any]) -> PeftModel:
    """Wrap ``model`` with LoRA adapters; only adapters and the classifier stay trainable."""
    targets = lora_cfg.get("target_modules") or LORA_TARGETS.get(model.config.model_type)
    if not targets:
        raise ValueError(
            f"no LoRA target modules known for model_type {model.config.model_type!r}: "
            "set tagging.lora.target_modules"
        )
    config = LoraConfig(
        task_type=TaskType.TOKEN_CLS,
        r=lora_cfg["r"],
        lora_alpha=lora_cfg["alpha"],
        lora_dropout=lora_cfg["dropout"],
        target_modules=list(targets),
    )
    peft_model = get_peft_model(model, config)
    trainable = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
    log.info(
        "LoRA r=%d on %s: %.2fM trainable of %.1fM",
        lora_cfg["r"],
        list(targets),
        trainable / 1e6,
        count_parameters(peft_model) / 1e6,
    )
    return peft_model


def export_tagger(
    model: PreTrainedModel | PeftModel, tokenizer: PreTrainedTokenizerBase, export_dir: Path
) -> Path:
    """Save a plain token-classification model (LoRA merged in) plus its tokenizer.

    A LoRA run also keeps its adapter in ``export_dir/adapter`` (load it onto the base model with
    ``PeftModel.from_pretrained``); ``export_dir/model`` is what users and the extractor load.
    """
    if isinstance(model, PeftModel):
        save_model_folder(model, tokenizer, export_dir / "adapter")
        model = model.merge_and_unload()
    save_model_folder(model, tokenizer, export_dir / "model")
    log.info("exported tagger to %s", export_dir / "model")
    return export_dir / "model"
