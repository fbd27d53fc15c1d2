"""Semantic near-duplicates: sentence embeddings from an encoder and cosine nearest neighbours.

Any encoder folder of this project works (an RTD export `.../export/discriminator`, an MLM
export, a fine-tuned tagger, any Hugging Face encoder saved with its tokenizer): `AutoModel`
loads its encoder body. A message's embedding is the mean of its token vectors over real (not
padding) tokens, L2-normalised, so faiss's inner product is the cosine.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np
import torch
from transformers import AutoModel, PreTrainedModel, PreTrainedTokenizerBase

from electra_rtd.corpus_tools.dedup.clusters import UnionFind
from electra_rtd.data.tokenization import load_tokenizer

logger = logging.getLogger(__name__)


class SentenceEncoder:
    """Batched, gradient-free sentence embeddings; batches group messages of similar length."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        batch_size: int = 64,
        max_length: int = 128,
        device: str | None = None,
    ) -> None:
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_length = max_length

    @classmethod
    def from_pretrained(
        cls,
        folder: str | Path,
        batch_size: int = 64,
        max_length: int = 128,
        device: str | None = None,
    ) -> SentenceEncoder:
        """Load the encoder body and tokenizer saved in `folder`."""
        folder = Path(folder).expanduser()
        if not (folder / "config.json").is_file():
            raise FileNotFoundError(
                f"{folder}: no config.json; semantic de-duplication needs an encoder folder "
                f"written by save_pretrained, e.g. a run's export/discriminator"
            )
        tokenizer = load_tokenizer(folder)
        model = AutoModel.from_pretrained(folder)
        logger.info("loaded a %s encoder from %s", model.config.model_type, folder)
        return cls(model, tokenizer, batch_size, max_length, device)

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text, in input order."""
        embeddings = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        for start in range(0, len(order), self.batch_size):
            chosen = order[start : start + self.batch_size]
            embeddings[chosen] = self._encode_batch([texts[index] for index in chosen])
        return embeddings

    @torch.inference_mode()
    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        inputs = self.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        ).to(self.device)
        hidden = self.model(**inputs).last_hidden_state.float()
        mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return torch.nn.functional.normalize(mean, dim=-1).cpu().numpy()


def semantic_components(embeddings: np.ndarray, threshold: float, neighbours: int) -> np.ndarray:
    """Link each embedding to its `neighbours` nearest ones with cosine >= `threshold`.

    Returns the component (smallest member index) of every embedding. Exact search
    (`IndexFlatIP`): memory and time grow with the square of the number of distinct messages.
    """
    count = len(embeddings)
    components = UnionFind(count)
    if count < 2:
        return components.roots()
    vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    scores, ids = index.search(vectors, min(neighbours + 1, count))
    sources, columns = np.nonzero(scores >= threshold)
    for source, target in zip(sources.tolist(), ids[sources, columns].tolist(), strict=True):
        if target >= 0:
            components.union(source, target)
    return components.roots()
