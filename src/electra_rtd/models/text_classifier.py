"""A fine-tuned sequence classifier as a function of texts: one class id per text.

Used for the dev scores during fine-tuning, the test scores of the export and the inference
timings of a suite. Texts are batched by length, so short messages are not padded to the longest
text of the whole set.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)


class TextClassifier:
    """``classifier(texts)`` gives the class id of each text; ``labels`` names them."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        batch_size: int = 64,
        max_length: int = 128,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_length = max_length
        self.labels = [model.config.id2label[i] for i in range(model.config.num_labels)]

    @classmethod
    def from_pretrained(
        cls, folder: str | Path, device: str | None = None, **options: int
    ) -> TextClassifier:
        """The exported classifier in ``folder`` (weights and tokenizer), in eval mode."""
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        model = AutoModelForSequenceClassification.from_pretrained(folder).to(device).eval()
        return cls(model, AutoTokenizer.from_pretrained(folder), **options)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @torch.inference_mode()
    def __call__(self, texts: Sequence[str]) -> list[int]:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        predicted = [0] * len(texts)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            encoded = self.tokenizer(
                [texts[i] for i in batch],
                truncation=True,
                max_length=self.max_length,
                padding=True,
                return_token_type_ids=False,
                return_tensors="pt",
            ).to(self.device)
            classes = self.model(**encoded).logits.argmax(-1).tolist()
            for index, label in zip(batch, classes, strict=True):
                predicted[index] = label
        return predicted
