"""Load a keyword-tagging model folder and check it is one before any text is tagged.

A folder is an `AutoModelForTokenClassification` export (config.json with BIO `id2label`, the
weights) with its fast tokenizer saved beside it. Each way it can be wrong gets its own message,
because transformers' own failures are misleading here: a folder without tokenizer files loads as
an empty-vocabulary tokenizer that turns every message into [UNK], and a discriminator export
carries the default labels LABEL_0, LABEL_1.
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from transformers import (
    AutoConfig,
    AutoModelForTokenClassification,
    PretrainedConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from electra_rtd.data.hub_ids import looks_like_path
from electra_rtd.data.tokenization import TokenizerLoadError, load_tokenizer
from electra_rtd.models.electra import hub_offline, missing_weights_message
from electra_rtd.text.spans import OUTSIDE_TAG

logger = logging.getLogger(__name__)

# Any of these beside config.json means save_pretrained wrote a tokenizer there.
TOKENIZER_FILES = (
    "tokenizer.json",
    "vocab.txt",
    "vocab.json",
    "spiece.model",
    "sentencepiece.bpe.model",
    "tokenizer.model",
)
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


class TaggerError(ValueError):
    """A keyword tagger cannot be set up: a bad model folder or setting, said in words to fix it."""


def resolve_model_folder(name_or_path: str | Path) -> Path:
    """The local folder of a tagger: ``name_or_path`` itself, or a hub id's snapshot in the
    Hugging Face cache (downloaded unless the hub is offline).

    A path that does not exist is returned as it is, for `load_tagging_model` to say so.
    """
    folder = Path(name_or_path).expanduser()
    if folder.is_dir() or looks_like_path(str(name_or_path)):
        return folder
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError

    try:
        return Path(snapshot_download(str(name_or_path)))
    except HFValidationError:
        return folder  # not a hub id either: a folder name that does not exist
    except OSError as error:
        reason = (
            "no local folder has that name, HF_HUB_OFFLINE is set and it is not in the local cache"
            if hub_offline()
            else f"the hub could not provide it: {error}"
        )
        raise TaggerError(missing_weights_message(str(name_or_path), "tagger", reason)) from None


def load_tagging_model(
    model_dir: str | Path, dtype: torch.dtype | str | None = None
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase, list[str]]:
    """The model (in eval mode, on CPU), its fast tokenizer and its tags indexed by label id.

    ``dtype`` None keeps the dtype the weights were saved in.
    """
    folder = Path(model_dir).expanduser()
    if not folder.is_dir():
        raise TaggerError(f"model folder {folder} does not exist")
    if not (folder / "config.json").is_file():
        # A training export holds the model in model/ (and a LoRA adapter in adapter/).
        hint = f"; did you mean {folder / 'model'}?" if (folder / "model").is_dir() else ""
        raise TaggerError(
            f"{folder} has no config.json: expected a folder written by save_pretrained{hint}"
        )
    tags = bio_tags(AutoConfig.from_pretrained(folder), folder)
    tokenizer = _load_fast_tokenizer(folder)
    try:
        model = AutoModelForTokenClassification.from_pretrained(folder, dtype=resolve_dtype(dtype))
    except (OSError, ValueError) as error:
        raise TaggerError(
            f"{folder}: cannot load the token-classification model: {error}"
        ) from None
    logger.info("loaded a %s tagger with tags %s from %s", model.config.model_type, tags, folder)
    return model.eval(), tokenizer, tags


def bio_tags(config: PretrainedConfig, folder: Path) -> list[str]:
    """``config.id2label`` as a list indexed by id, after checking it is a BIO scheme.

    Needed: ids 0..n-1, one "O", and B-/I- tags whose every I-X has its B-X. Anything else is a
    model that was not trained for keyword tagging (e.g. a pretraining export, LABEL_0/LABEL_1).
    """
    id2label = {int(index): label for index, label in config.id2label.items()}
    tags = [id2label.get(index) for index in range(len(id2label))]
    begins = {tag[2:] for tag in tags if isinstance(tag, str) and tag.startswith("B-")}
    well_formed = (
        None not in tags
        and tags.count(OUTSIDE_TAG) == 1
        and bool(begins)
        and all(
            tag == OUTSIDE_TAG or (tag[:2] in ("B-", "I-") and len(tag) > 2 and tag[2:] in begins)
            for tag in tags
        )
    )
    if not well_formed:
        raise TaggerError(
            f"{folder}/config.json: id2label {config.id2label} is not a BIO tag set; a keyword "
            f"tagger needs ids 0..n-1 labelled 'O' and 'B-<label>'/'I-<label>', e.g. "
            f"{{0: 'O', 1: 'B-KW', 2: 'I-KW'}}"
        )
    return tags


def resolve_dtype(dtype: torch.dtype | str | None) -> torch.dtype | None:
    """A torch dtype from a dtype or its name ("bfloat16"), as the CLI passes it."""
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    if dtype not in DTYPES:
        raise TaggerError(f"unknown dtype {dtype!r}; expected one of {', '.join(DTYPES)}")
    return DTYPES[dtype]


def _load_fast_tokenizer(folder: Path) -> PreTrainedTokenizerBase:
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise TaggerError(
            f"{folder} holds no tokenizer (none of {', '.join(TOKENIZER_FILES)}): save the "
            f"tokenizer beside the model with tokenizer.save_pretrained"
        )
    try:
        tokenizer = load_tokenizer(folder)
    except TokenizerLoadError as error:
        raise TaggerError(str(error)) from None
    if not tokenizer.is_fast:
        raise TaggerError(
            f"{folder}: the tokenizer {type(tokenizer).__name__} is not a fast tokenizer; "
            f"keywords need its character offsets (save a tokenizer.json)"
        )
    return tokenizer
