"""Write a model folder that plain transformers loads: weights, config and tokenizer together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from peft import PeftModel
from transformers import PreTrainedModel, PreTrainedTokenizerBase
from transformers.utils import logging as hf_logging


@contextmanager
def no_hf_progress_bars() -> Iterator[None]:
    """transformers' bars off for the block, as they were after it."""
    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


def save_model_folder(
    model: PreTrainedModel | PeftModel, tokenizer: PreTrainedTokenizerBase, folder: Path
) -> Path:
    """``save_pretrained`` of the model (safetensors) and its tokenizer into ``folder``.

    Without transformers' "Writing model shards" bar: our exports are one shard written in well
    under a second, and the bar only leaves lines in the log.
    """
    with no_hf_progress_bars():
        model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
