"""Build or load the ELECTRA generator and discriminator, from scratch or from a checkpoint.

Hub ids and local folders go through the real ``from_pretrained`` path. When weights are not
available (offline, nothing cached) we stop with a message that says what to download instead
of silently training from random weights.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from transformers import (
    AutoModelForMaskedLM,
    AutoModelForPreTraining,
    ElectraConfig,
    ElectraForMaskedLM,
    ElectraForPreTraining,
    PreTrainedModel,
)

log = logging.getLogger(__name__)


class WeightsNotFoundError(RuntimeError):
    """A pretrained checkpoint could not be loaded (offline and not cached, or a bad path)."""


def hub_offline() -> bool:
    """Whether the Hugging Face hub may not be contacted (``HF_HUB_OFFLINE`` and friends)."""
    from huggingface_hub import constants

    flag = os.environ.get("HF_HUB_OFFLINE", os.environ.get("TRANSFORMERS_OFFLINE", ""))
    return constants.HF_HUB_OFFLINE or flag.lower() in ("1", "true", "yes", "on")


def missing_weights_message(name_or_path: str, role: str, reason: str) -> str:
    """What to download and which config key to point at a local copy instead."""
    return (
        f"Could not load the {role} weights '{name_or_path}' ({reason}).\n"
        f"On a machine with internet run `hf download {name_or_path}` (this fills "
        "~/.cache/huggingface, which you can copy here), or download the folder and point the "
        "config at it: model.path=/abs/folder for the discriminator or encoder, "
        "model.generator_path=/abs/folder for a generator, model.tokenizer=/abs/folder for its "
        "tokenizer."
    )


def require_weights(
    model_cfg: Mapping[str, Any], keys: tuple[str, ...] = ("path", "generator_path", "tokenizer")
) -> None:
    """Fail at once, before any data work, when a named checkpoint cannot be loaded offline.

    ``keys`` names the config entries the job will load (fine-tuning needs no generator).
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    roles = {"path": "model", "generator_path": "generator", "tokenizer": "tokenizer"}
    for key in keys:
        name = model_cfg.get(key)
        if not name or os.path.isdir(name):
            continue
        if name.startswith((".", "/", "~")) or os.sep in name.strip("/").replace("/", "", 1):
            reason = "no such folder"
            raise WeightsNotFoundError(missing_weights_message(name, roles[key], reason))
        if not hub_offline():
            continue
        try:
            snapshot_download(name, local_files_only=True)
        except (LocalEntryNotFoundError, HFValidationError) as err:
            reason = "HF_HUB_OFFLINE is set and it is not in the local cache"
            raise WeightsNotFoundError(missing_weights_message(name, roles[key], reason)) from err


def load_pretrained(
    auto_class: type, name_or_path: str, role: str, **kwargs: Any
) -> PreTrainedModel:
    """``auto_class.from_pretrained`` with an actionable error when the weights are missing."""
    try:
        return auto_class.from_pretrained(name_or_path, **kwargs)
    except OSError as err:
        raise WeightsNotFoundError(missing_weights_message(name_or_path, role, str(err))) from err


def electra_config(
    vocab_size: int, pad_token_id: int, architecture: Mapping[str, Any]
) -> ElectraConfig:
    """An ElectraConfig for a from-scratch model (``architecture`` holds the size fields)."""
    return ElectraConfig(vocab_size=vocab_size, pad_token_id=pad_token_id, **dict(architecture))


def generator_config(discriminator: ElectraConfig, fraction: float) -> ElectraConfig:
    """Scale the discriminator's width by ``fraction`` as in the ELECTRA paper (depth unchanged).

    The embedding size stays the discriminator's so that the two models can share embeddings.
    """
    hidden = max(1, round(discriminator.hidden_size * fraction))
    heads = max(1, round(discriminator.num_attention_heads * fraction))
    while hidden % heads:
        heads -= 1
    config = ElectraConfig(**discriminator.to_dict())
    config.hidden_size = hidden
    config.num_attention_heads = heads
    config.intermediate_size = max(1, round(discriminator.intermediate_size * fraction))
    config.embedding_size = discriminator.embedding_size
    return config


def share_embeddings(generator: ElectraForMaskedLM, discriminator: PreTrainedModel) -> None:
    """Make the generator use the discriminator's embeddings (tokens, positions, types).

    The generator's output projection is tied to the word embeddings, so it is re-tied to the
    shared matrix; otherwise it would keep pointing at the generator's discarded copy.
    """
    shared = discriminator.base_model.embeddings
    if (
        generator.electra.embeddings.word_embeddings.weight.shape
        != shared.word_embeddings.weight.shape
    ):
        raise ValueError(
            "generator and discriminator embeddings differ in shape "
            f"{tuple(generator.electra.embeddings.word_embeddings.weight.shape)} vs "
            f"{tuple(shared.word_embeddings.weight.shape)}: they need the same vocabulary and "
            "embedding_size to be shared"
        )
    generator.electra.embeddings = shared
    generator.generator_lm_head.weight = shared.word_embeddings.weight


def build_rtd_models(
    model_cfg: Mapping[str, Any], vocab_size: int, pad_token_id: int
) -> tuple[ElectraForMaskedLM, ElectraForPreTraining]:
    """Generator and discriminator for RTD, loaded from ``model.path``/``generator_path`` or new."""
    if model_cfg.get("path"):
        discriminator = load_pretrained(AutoModelForPreTraining, model_cfg["path"], "discriminator")
    else:
        discriminator = ElectraForPreTraining(
            electra_config(vocab_size, pad_token_id, model_cfg["architecture"])
        )
    if model_cfg.get("generator_path"):
        generator = load_pretrained(AutoModelForMaskedLM, model_cfg["generator_path"], "generator")
    else:
        generator = ElectraForMaskedLM(
            generator_config(discriminator.config, model_cfg["generator_fraction"])
        )
    check_vocab(discriminator, vocab_size, "discriminator")
    check_vocab(generator, vocab_size, "generator")
    if model_cfg["share_embeddings"]:
        share_embeddings(generator, discriminator)
    log.info(
        "generator %.1fM params (hidden %d), discriminator %.1fM params (hidden %d)",
        count_parameters(generator) / 1e6,
        generator.config.hidden_size,
        count_parameters(discriminator) / 1e6,
        discriminator.config.hidden_size,
    )
    return generator, discriminator


def build_mlm_model(
    model_cfg: Mapping[str, Any], vocab_size: int, pad_token_id: int
) -> ElectraForMaskedLM:
    """A BERT-style masked LM of the discriminator's size: the MLM baseline for RTD."""
    if model_cfg.get("path"):
        model = load_pretrained(AutoModelForMaskedLM, model_cfg["path"], "masked LM")
    else:
        model = ElectraForMaskedLM(
            electra_config(vocab_size, pad_token_id, model_cfg["architecture"])
        )
    check_vocab(model, vocab_size, "masked LM")
    log.info("masked LM %.1fM params", count_parameters(model) / 1e6)
    return model


def check_vocab(model: PreTrainedModel, vocab_size: int, role: str) -> None:
    """Refuse a model whose embedding table is smaller than the tokenizer's vocabulary."""
    if model.config.vocab_size < vocab_size:
        raise ValueError(
            f"the {role} has vocab_size {model.config.vocab_size} but the tokenizer has "
            f"{vocab_size} tokens: use the tokenizer that came with the checkpoint (model.tokenizer)"
        )


def count_parameters(model: PreTrainedModel) -> int:
    """Number of distinct parameters (shared tensors counted once)."""
    return sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())
