"""Export trained models with ``save_pretrained`` so plain transformers can load them."""

from __future__ import annotations

import logging
from pathlib import Path

from torch import nn
from transformers import PreTrainedTokenizerBase

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
        folder = export_dir / role
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        written[role] = folder
        log.info("exported %s to %s", role, folder)
    return written
