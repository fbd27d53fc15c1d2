"""Pick and assemble the pretraining objective named in the config."""

from __future__ import annotations

from torch import nn
from transformers import PreTrainedTokenizerBase

from electra_rtd.models.electra import build_mlm_model, build_rtd_models
from electra_rtd.objectives.masking import continuation_table, reference_max_predictions
from electra_rtd.objectives.mlm import MaskedLanguageModeling
from electra_rtd.objectives.rtd import ReplacedTokenDetection
from electra_rtd.schema import MlmObjectiveConfig, ModelConfig, RtdObjectiveConfig


def build_objective(
    objective_cfg: RtdObjectiveConfig | MlmObjectiveConfig,
    model_cfg: ModelConfig,
    tokenizer: PreTrainedTokenizerBase,
    max_length: int,
) -> nn.Module:
    """``objective.name``: ``rtd`` (ELECTRA generator + discriminator) or ``mlm`` (BERT baseline).

    ``max_length`` (the data's sequence length) gives the reference's cap on masked positions per
    sequence when ``objective.max_predictions`` is null.
    """
    vocab_size = len(tokenizer)
    max_predictions = objective_cfg.max_predictions
    if max_predictions is None:
        max_predictions = reference_max_predictions(objective_cfg.mask_probability, max_length)
    continuation = (
        continuation_table(tokenizer.get_vocab(), vocab_size)
        if objective_cfg.whole_word_masking
        else None
    )
    if objective_cfg.name == "rtd":
        generator, discriminator = build_rtd_models(model_cfg, vocab_size, tokenizer.pad_token_id)
        return ReplacedTokenDetection(
            generator,
            discriminator,
            mask_token_id=tokenizer.mask_token_id,
            mask_probability=objective_cfg.mask_probability,
            max_predictions=max_predictions,
            mask_fraction=objective_cfg.mask_fraction,
            generator_weight=objective_cfg.generator_weight,
            discriminator_weight=objective_cfg.discriminator_weight,
            temperature=objective_cfg.temperature,
            continuation=continuation,
            generator_projection=objective_cfg.generator_projection,
        )
    if objective_cfg.name == "mlm":
        model = build_mlm_model(model_cfg, vocab_size, tokenizer.pad_token_id)
        return MaskedLanguageModeling(
            model,
            mask_token_id=tokenizer.mask_token_id,
            vocab_size=vocab_size,
            mask_probability=objective_cfg.mask_probability,
            max_predictions=max_predictions,
            continuation=continuation,
        )
    raise ValueError(f"unknown objective.name {objective_cfg.name!r}: expected 'rtd' or 'mlm'")
