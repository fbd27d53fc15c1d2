"""`KeywordTagger`: find keywords in users' own messages with an exported token-classification model.

Throughput comes from three things: messages are tokenized a chunk at a time (one call into the
Rust tokenizer), batches are formed from messages of similar token length so little compute goes
into padding, and the forward pass runs without autograd (bf16 autocast on CUDA). Results always
come back in input order. A message longer than ``max_length`` tokens (a long MMS notice) is read
in overlapping windows, each token's tag taken from the window where it sits farthest from an edge
(`window_parts`), so keywords at its end are found too; ``stride=None`` truncates instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import NamedTuple, overload

import numpy as np
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from electra_rtd.baselines.kiwi_nouns import KiwiNounExtractor
from electra_rtd.data.windows import AUTO, Stride, resolve_stride, window_parts
from electra_rtd.tagging.calibration import Calibration
from electra_rtd.tagging.decoding import Keyword, keywords_from_tokens
from electra_rtd.tagging.model_folder import TaggerError, load_tagging_model, resolve_model_folder
from electra_rtd.tagging.onnx_runtime import OnnxTagger, onnx_graph
from electra_rtd.tagging.options import BACKENDS, DECODES, Backend, Decode
from electra_rtd.tagging.ranker import CandidateRanker, compound_candidates, select
from electra_rtd.text.keyword_norm import keyword_norm, shared_kiwi
from electra_rtd.text.spans import OUTSIDE_TAG, Span

logger = logging.getLogger(__name__)

# Messages per chunk, as a multiple of the batch size: large enough that sorting by length leaves
# little padding, small enough that a chunk's encodings take a few megabytes.
CHUNK_BATCHES = 32
# Fewest tokens a message can keep: [CLS], one real token, [SEP].
MIN_MAX_LENGTH = 3
# A candidate is a keyword when its tokens' mean keyword probability reaches this.
CANDIDATE_THRESHOLD = 0.5


class TokenScores(NamedTuple):
    """One message's real tokens: character offsets and the model's outputs, token by token."""

    offsets: list[tuple[int, int]]
    label_ids: list[int]  # the most probable tag
    probabilities: list[float]  # its probability
    keyword_probabilities: list[float]  # 1 - P(O): the token belongs to some keyword
    begin_probabilities: list[float]  # P(B-*): the token opens a keyword


class KeywordTagger:
    """Batched keyword extraction; build it with `from_pretrained` from an exported model folder
    or hub id. Like KeyBERT's ``extract_keywords`` and HF pipelines, it takes one text or a list
    (``tagger("...")`` is ``tagger.extract("...")``)."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        tags: Sequence[str],
        *,
        batch_size: int = 64,
        max_length: int = 128,
        stride: Stride = AUTO,
        compile_model: bool = False,
        decode: Decode = "tags",
        calibration: Calibration | None = None,
        ranker: CandidateRanker | None = None,
    ) -> None:
        if decode not in DECODES:
            raise TaggerError(f"decode must be one of {DECODES}, got {decode!r}")
        if decode == "ranked" and ranker is None:
            raise TaggerError(
                "decode 'ranked' needs a candidate ranker (ranker.json) beside the model"
            )
        if batch_size < 1:
            raise TaggerError(f"batch_size must be at least 1, got {batch_size}")
        max_positions = getattr(model.config, "max_position_embeddings", None)
        if max_length < MIN_MAX_LENGTH or (max_positions and max_length > max_positions):
            raise TaggerError(
                f"max_length must be between {MIN_MAX_LENGTH} and the model's "
                f"{max_positions} positions, got {max_length}"
            )
        try:
            stride = resolve_stride(stride, max_length, tokenizer)
        except ValueError as error:
            raise TaggerError(str(error)) from None
        self.stride = stride
        self.decode = decode
        self.calibration = calibration
        self.ranker = ranker
        self._candidates = (
            KiwiNounExtractor(shared_kiwi()) if decode in ("candidates", "both") else None
        )
        self.tokenizer = tokenizer
        self.tags = list(tags)
        self._outside_id = self.tags.index(OUTSIDE_TAG)
        self._begin_ids = [index for index, tag in enumerate(self.tags) if tag.startswith("B-")]
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = model.device
        self._pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        # Tensor cores want widths in multiples of 8; on CPU the extra padding would only cost.
        self._pad_multiple = 8 if self.device.type == "cuda" else 1
        self._autocast = (
            self.device.type == "cuda"
            and model.dtype == torch.float32
            and torch.cuda.is_bf16_supported()
        )
        # dynamic=True: length-sorted batches have a new width almost every time.
        self._forward = torch.compile(model, dynamic=True) if compile_model else model

    @classmethod
    def from_pretrained(
        cls,
        model_name_or_path: str | Path,
        device: str | torch.device | None = None,
        batch_size: int = 64,
        max_length: int = 128,
        dtype: torch.dtype | str | None = None,
        compile_model: bool = False,
        stride: Stride = AUTO,
        backend: Backend = "torch",
        decode: Decode | None = None,
    ) -> KeywordTagger:
        """Load a model folder or hub id (model + fast tokenizer, BIO id2label) onto ``device``.

        A hub id (``owner/name``) is downloaded into the Hugging Face cache, or read from it when
        the hub is offline; a missing one fails with what to download.
        ``device`` None picks CUDA when available. ``dtype`` None keeps the saved dtype (fp32 runs
        under bf16 autocast on CUDA); ``"bfloat16"`` roughly doubles CPU throughput on CPUs with
        AVX512-BF16 or AMX, at the cost of bf16 rounding in the scores. ``backend`` "onnx" or
        "onnx-int8" runs the model in ONNX Runtime on the CPU (`onnx_runtime`), int8 about 3x
        faster than fp32 PyTorch on CPUs with AVX512-VNNI. ``decode`` picks how spans are formed
        (`DECODES`); None: "ranked" when the folder holds a candidate ranker, else "tags". A
        ``calibration.json`` in the folder maps scores to calibrated ones.
        """
        if backend not in BACKENDS:
            raise TaggerError(f"backend must be one of {BACKENDS}, got {backend!r}")
        onnx = backend != "torch"
        if onnx and (compile_model or (device is not None and torch.device(device).type != "cpu")):
            raise TaggerError(f"backend {backend!r} runs on the CPU, without torch.compile")
        if onnx and dtype not in (None, "float32", torch.float32):
            raise TaggerError(f"backend {backend!r} reads fp32 weights; got dtype {dtype}")
        device = torch.device(
            device or ("cuda" if torch.cuda.is_available() and not onnx else "cpu")
        )
        if device.type == "cuda" and not torch.cuda.is_available():
            raise TaggerError("device 'cuda' was asked for but no CUDA GPU is available")
        folder = resolve_model_folder(model_name_or_path)
        model, tokenizer, tags = load_tagging_model(folder, dtype)
        ranker = CandidateRanker.load(folder)
        tagger = cls(
            model.to(device),
            tokenizer,
            tags,
            batch_size=batch_size,
            max_length=max_length,
            stride=stride,
            compile_model=compile_model,
            decode=decode or ("ranked" if ranker else "tags"),
            calibration=Calibration.load(folder),
            ranker=ranker,
        )
        if onnx:
            graph = onnx_graph(model, folder, quantize=backend == "onnx-int8")
            tagger._forward = OnnxTagger(graph)
        return tagger

    @overload
    def extract(
        self, texts: str, top_n: int | None = None, threshold: float = 0.0
    ) -> list[Keyword]: ...

    @overload
    def extract(
        self, texts: Sequence[str], top_n: int | None = None, threshold: float = 0.0
    ) -> list[list[Keyword]]: ...

    def extract(
        self, texts: str | Sequence[str], top_n: int | None = None, threshold: float = 0.0
    ) -> list[Keyword] | list[list[Keyword]]:
        """The keywords of one text, or of each text of a list in input order; blank texts get
        none.

        ``top_n`` keeps a message's highest-scoring distinct keywords (by plain form, with every
        occurrence), ``threshold`` drops those scoring below it; the kept ones stay in text order.
        """
        if isinstance(texts, str):
            return self.extract([texts], top_n, threshold)[0]
        return list(self.iter_extract(texts, top_n=top_n, threshold=threshold))

    __call__ = extract

    def iter_extract(
        self,
        texts: Iterable[str],
        chunk_size: int | None = None,
        top_n: int | None = None,
        threshold: float = 0.0,
    ) -> Iterator[list[Keyword]]:
        """Stream keywords for any iterable of texts, holding one chunk of texts at a time.

        ``chunk_size`` (default 32 batches) bounds memory; results equal `extract`'s.
        """
        if isinstance(texts, str):
            # Iterating a str would tag it one character at a time.
            raise TypeError("iter_extract takes an iterable of texts, not one str: use extract")
        if top_n is not None and top_n < 1:
            raise TaggerError(f"top_n must be at least 1 (or None for all), got {top_n}")
        chunk_size = chunk_size or self.batch_size * CHUNK_BATCHES
        remaining = iter(texts)
        while chunk := list(islice(remaining, chunk_size)):
            for keywords in self._extract_chunk(chunk):
                yield _limited(keywords, top_n, threshold)

    def token_scores(self, texts: Sequence[str]) -> list[TokenScores]:
        """Per text, its real tokens' character offsets and the model's outputs for each: what
        every decoding (and the candidate ranker) reads. A long text's windows are stitched, each
        token taken from the window where it has most context."""
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text {index} is a {type(text).__name__}, not a str")
        windowed = self.stride is not None
        encodings = self.tokenizer(
            list(texts),
            truncation=True,
            max_length=self.max_length,
            stride=self.stride or 0,
            return_overflowing_tokens=windowed,
            return_offsets_mapping=True,
            return_special_tokens_mask=True,
            return_attention_mask=False,
            return_token_type_ids=False,
        )
        token_ids = encodings["input_ids"]
        real_tokens = [
            np.flatnonzero(np.asarray(mask) == 0) for mask in encodings["special_tokens_mask"]
        ]
        message_of = encodings["overflow_to_sample_mapping"] if windowed else range(len(texts))
        windows: list[list[int]] = [[] for _ in texts]
        for window, message in enumerate(message_of):
            windows[message].append(window)

        # Blank texts (no real token) never reach the model.
        taggable = [window for window, tokens in enumerate(real_tokens) if len(tokens)]
        taggable.sort(key=lambda window: len(token_ids[window]))
        predicted: dict[int, tuple[np.ndarray, ...]] = {}
        for start in range(0, len(taggable), self.batch_size):
            batch = taggable[start : start + self.batch_size]
            outputs = self._predict([token_ids[window] for window in batch])
            for row, window in enumerate(batch):
                positions = real_tokens[window]
                predicted[window] = tuple(output[row, positions] for output in outputs)

        scores = []
        for its_windows in windows:
            its_windows = [window for window in its_windows if window in predicted]
            parts = window_parts([len(real_tokens[w]) for w in its_windows], self.stride or 0)
            offsets: list[tuple[int, int]] = []
            outputs: list[list] = [[] for _ in range(len(TokenScores._fields) - 1)]
            for window, (first, last) in zip(its_windows, parts, strict=True):
                window_offsets = encodings["offset_mapping"][window]
                offsets += [tuple(window_offsets[p]) for p in real_tokens[window][first:last]]
                for kept, output in zip(outputs, predicted[window], strict=True):
                    kept += output[first:last].tolist()
            scores.append(TokenScores(offsets, *outputs))
        return scores

    def _extract_chunk(self, texts: list[str]) -> list[list[Keyword]]:
        if self.decode == "ranked":
            return self._ranked(texts)
        candidates = self._candidates.extract(texts) if self._candidates else None
        keywords: list[list[Keyword]] = []
        for message, (text, scores) in enumerate(zip(texts, self.token_scores(texts), strict=True)):
            found = []
            if self.decode != "candidates" and any(i != self._outside_id for i in scores.label_ids):
                found = keywords_from_tokens(
                    text, scores.offsets, scores.label_ids, scores.probabilities, self.tags
                )
            if candidates is not None:
                found = with_candidates(
                    found, text, candidates[message], scores.offsets, scores.keyword_probabilities
                )
            keywords.append([self._finished(keyword) for keyword in found])
        return keywords

    def _ranked(self, texts: list[str]) -> list[list[Keyword]]:
        """Kiwi compound candidates chosen by the candidate ranker (`ranker`)."""
        ranker = self.ranker
        keywords = []
        all_candidates = compound_candidates(texts, ranker.max_tokens)
        for text, candidates, scores in zip(
            texts, all_candidates, self.token_scores(texts), strict=True
        ):
            probabilities = ranker.probabilities(ranker.features(text, candidates, scores))
            chosen = select(candidates, probabilities, ranker.threshold)
            keywords.append(
                [
                    self._finished(Keyword(c.start, c.end, text[c.start : c.end], p, "KW"))
                    for c, p in chosen
                ]
            )
        return keywords

    def _finished(self, keyword: Keyword) -> Keyword:
        """The keyword with its plain form and, when the model has one, calibrated score."""
        score = self.calibration(keyword.score) if self.calibration else keyword.score
        return keyword._replace(score=score, norm=keyword_norm(keyword.text))

    @torch.inference_mode()
    def _predict(self, sequences: list[list[int]]) -> tuple[np.ndarray, ...]:
        """Predicted label ids, their probabilities, the probability of any keyword tag
        (1 - P(O)) and of a keyword's first token (any B- tag), each a ``(batch, width)`` array."""
        longest = max(map(len, sequences))
        width = -(-longest // self._pad_multiple) * self._pad_multiple
        input_ids = np.full((len(sequences), width), self._pad_id, dtype=np.int64)
        attention_mask = np.zeros((len(sequences), width), dtype=np.int64)
        for row, ids in enumerate(sequences):
            input_ids[row, : len(ids)] = ids
            attention_mask[row, : len(ids)] = 1
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self._autocast):
            logits = self._forward(
                input_ids=torch.from_numpy(input_ids).to(self.device),
                attention_mask=torch.from_numpy(attention_mask).to(self.device),
            ).logits
        distribution = logits.float().softmax(dim=-1)
        probabilities, label_ids = distribution.max(dim=-1)
        keyword_probabilities = 1.0 - distribution[..., self._outside_id]
        begin_probabilities = distribution[..., self._begin_ids].sum(dim=-1)
        return (
            label_ids.cpu().numpy(),
            probabilities.cpu().numpy(),
            keyword_probabilities.cpu().numpy(),
            begin_probabilities.cpu().numpy(),
        )


def with_candidates(
    tagged: list[Keyword],
    text: str,
    candidates: Sequence[Span],
    offsets: Sequence[tuple[int, int]],
    keyword_probabilities: Sequence[float],
) -> list[Keyword]:
    """Add the compound candidates the encoder believes in to the tagged keywords.

    A candidate (a Kiwi noun compound) scores the mean keyword probability of the tokens it
    covers; it is kept from `CANDIDATE_THRESHOLD` on, unless it overlaps a tagged keyword.
    """
    found = list(tagged)
    for candidate in candidates:
        covered = [
            probability
            for (start, end), probability in zip(offsets, keyword_probabilities, strict=True)
            if start < candidate.end and candidate.start < end
        ]
        if not covered or sum(covered) / len(covered) < CANDIDATE_THRESHOLD:
            continue
        if any(k.start < candidate.end and candidate.start < k.end for k in found):
            continue
        score = sum(covered) / len(covered)
        found.append(
            Keyword(
                candidate.start,
                candidate.end,
                text[candidate.start : candidate.end],
                score,
                candidate.label,
            )
        )
    return sorted(found)


def _limited(keywords: list[Keyword], top_n: int | None, threshold: float) -> list[Keyword]:
    """Keywords from ``threshold`` on, of the ``top_n`` best distinct plain forms (each form's
    every occurrence is kept: a brand named five times is one keyword, not five)."""
    kept = [keyword for keyword in keywords if keyword.score >= threshold]
    if top_n is not None:
        best: dict[str, float] = {}
        for keyword in kept:
            form = keyword.norm.casefold()
            best[form] = max(best.get(form, 0.0), keyword.score)
        chosen = set(sorted(best, key=lambda form: -best[form])[:top_n])
        kept = [keyword for keyword in kept if keyword.norm.casefold() in chosen]
    return kept
