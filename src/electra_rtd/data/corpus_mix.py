"""A pretraining corpus drawn from several text files, without a text any benchmark task scores.

Why: a model pretrained on the dev or test texts of the tasks it is then fine-tuned and scored
on has seen them; the comparison of pretraining objectives must not. Each part (KISA messages,
reviews, chatbot lines, comments) drops its excluded rows (the KISA held-out day) and every text
recurring from them (`electra_rtd.data.held_out`), then every text equal to a held-out text
(the tasks' dev and test texts, compared by the same normalised key), and texts already taken
from another part; a seeded sample of at most ``max_messages`` is kept per part. The keys are
computed only for the rows sampled, in shuffled order, until a part is full: normalising all of
NSMC's 712,404 reviews would take minutes.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from electra_rtd.data.corpus import corpus_parts, iter_records
from electra_rtd.data.held_out import HeldOut, normalised_key
from electra_rtd.outputs import atomic_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MixPart:
    """One file of the mix and how much of it to take."""

    path: str
    text_column: str = "text"
    exclude: Mapping[str, Sequence[str]] = field(default_factory=dict)  # column -> values
    max_messages: int | None = None  # None: every text that is left

    @classmethod
    def from_spec(cls, name: str, spec: Mapping[str, Any]) -> MixPart:
        """A part from its config entry; an unknown key is named."""
        try:
            return cls(**dict(spec))
        except TypeError:
            allowed = ", ".join(cls.__dataclass_fields__)
            raise ValueError(
                f"corpus part {name!r}: keys {sorted(spec)}; allowed keys are {allowed}"
            ) from None


def write_corpus_mix(
    parts: Mapping[str, MixPart], held_out_texts: Iterable[str], out: Path, seed: int
) -> dict[str, int]:
    """Write the mix as JSONL (``text``, ``source``: the part's name) to ``out``; return how many
    texts each part gave."""
    banned = {normalised_key(text) for text in held_out_texts}
    log.info("corpus mix: %d held-out texts are never taken", len(banned))
    seen: set[str] = set()
    taken: list[dict[str, str]] = []
    counts = {}
    for name, part in parts.items():
        texts = _sample(part, banned, seen, random.Random(f"{seed}:{name}"))
        taken += [{"text": text, "source": name} for text in texts]
        counts[name] = len(texts)
        log.info("corpus mix: %d texts from %s (%s)", len(texts), name, part.path)
    random.Random(seed).shuffle(taken)
    with atomic_path(out) as tmp, tmp.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in taken)
    return counts


def _sample(part: MixPart, banned: set[str], seen: set[str], rng: random.Random) -> list[str]:
    """Up to ``part.max_messages`` texts of the part, none held out or already ``seen`` (which
    gains the texts taken)."""
    exclude = {column: [str(v) for v in values] for column, values in part.exclude.items()}
    rows = list(iter_records(corpus_parts(part.path), part.text_column, tuple(exclude)))
    held_out = HeldOut.from_records(rows, exclude)
    candidates = [row["text"] for row in rows if not held_out.excludes(row)]
    rng.shuffle(candidates)
    limit = len(candidates) if part.max_messages is None else part.max_messages
    texts = []
    for text in candidates:
        if len(texts) >= limit:
            break
        key = normalised_key(text)
        if key in banned or key in held_out.banned or key in seen:
            continue
        seen.add(key)
        texts.append(text)
    return texts
