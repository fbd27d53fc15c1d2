"""Export trained models with ``save_pretrained`` so plain transformers can load them."""

from __future__ import annotations

import logging
from pathlib import Path

from torch import nn
from transformers import PreTrainedTokenizerBase

from electra_rtd.models.saving import save_model_folder
from electra_rtd.objectives.mlm import MaskedLanguageModeling
from electra_rtd.objectives.rtd import ReplacedTokenDetection

log = logging.getLogger(__name__)


def export_pretrained(
    objective: nn.Module, tokenizer: PreTrainedTokenizerBase, export_dir: Path
) -> dict[str, Path]:
    """Write each model with the tokenizer beside it: ``discriminator`` and ``generator`` for RTD,
    ``mlm`` for the MLM baseline. Returns the folders written, by role."""
    if isinstance(objective, ReplacedTokenDetection):
        models = {"discriminator": objective.discriminator, "generator": objective.generator}
    elif isinstance(objective, MaskedLanguageModeling):
        models = {"mlm": objective.model}
    else:
        raise TypeError(f"cannot export {type(objective).__name__}")
    written = {}
    for role, model in models.items():
        written[role] = save_model_folder(model, tokenizer, export_dir / role)
        log.info("exported %s to %s", role, written[role])
    return written
