"""Train / dev / test splits that keep near-duplicate messages on one side.

Spam arrives in thousands of copies of one template that differ only in a phone number, a link or
an amount. Splitting message by message would put copies of one template on both sides and let a
tagger score well by memorising it, so whole groups of near-duplicates go to one split.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from random import Random
from typing import Protocol, TypeVar

from electra_rtd.text.normalise import normalise
from electra_rtd.text.privacy import mask_pii

logger = logging.getLogger(__name__)

SPLIT_NAMES = ("train", "dev", "test")


class HasText(Protocol):
    """Anything with a message text: LabelledMessage, SyntheticMessage, ..."""

    @property
    def text(self) -> str: ...


T = TypeVar("T")
GroupKey = Callable[[T], str]


def exact_text_key(message: HasText) -> str:
    """Equal for messages that differ only in Unicode form (NFKC), whitespace or letter case."""
    return " ".join(unicodedata.normalize("NFKC", message.text).split()).casefold()


def template_key(message: HasText) -> str:
    """Equal for copies of one template: cleaned by `normalise`, variable data masked by `mask_pii`.

    It starts from `exact_text_key`, so exact duplicates always share a template key.
    """
    return mask_pii(normalise(exact_text_key(message)).text).text


def split_messages(
    messages: Sequence[T],
    fractions: Sequence[float] = (0.8, 0.1, 0.1),
    seed: int = 0,
    group_key: GroupKey = template_key,
) -> dict[str, list[T]]:
    """Split into {"train", "dev", "test"} by group, deterministically for a seed.

    Groups are shuffled (after sorting their keys, so input order does not matter) and each goes
    to the split furthest below its target size; sizes then miss the fractions by at most about
    one group. Messages keep their input order within a split. Any `group_key` returning strings
    works, e.g. `lambda m: m.meta["template_id"]` for synthetic messages, which holds out whole
    templates.
    """
    targets = _targets(fractions, len(messages))
    groups: dict[str, list[int]] = defaultdict(list)
    for index, message in enumerate(messages):
        groups[group_key(message)].append(index)
    order = sorted(groups)
    Random(seed).shuffle(order)
    sizes = dict.fromkeys(SPLIT_NAMES, 0)
    indices: dict[str, list[int]] = {name: [] for name in SPLIT_NAMES}
    open_splits = [name for name in SPLIT_NAMES if targets[name] > 0]
    for key in order:
        name = max(open_splits, key=lambda split: targets[split] - sizes[split])
        indices[name] += groups[key]
        sizes[name] += len(groups[key])
    for name in open_splits:
        if not indices[name]:
            logger.warning(
                "the %s split is empty: %d messages form only %d groups",
                name,
                len(messages),
                len(groups),
            )
    logger.info(
        "split %d messages in %d groups into %s",
        len(messages),
        len(groups),
        ", ".join(f"{name} {sizes[name]}" for name in SPLIT_NAMES),
    )
    return {name: [messages[i] for i in sorted(indices[name])] for name in SPLIT_NAMES}


def leaked_groups(
    splits: Mapping[str, Sequence[T]], group_key: GroupKey = template_key
) -> set[str]:
    """Group keys found in more than one split: empty for a leak-free split."""
    seen: dict[str, str] = {}
    leaked = set()
    for name, messages in splits.items():
        for key in {group_key(message) for message in messages}:
            if key in seen:
                leaked.add(key)
            seen[key] = name
    return leaked


def _targets(fractions: Sequence[float], total: int) -> dict[str, float]:
    if len(fractions) != len(SPLIT_NAMES):
        raise ValueError(
            f"fractions needs {len(SPLIT_NAMES)} values (train, dev, test), got {fractions}"
        )
    if any(fraction < 0 for fraction in fractions) or not math.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must be non-negative and sum to 1, got {fractions}")
    return {name: fraction * total for name, fraction in zip(SPLIT_NAMES, fractions, strict=True)}
