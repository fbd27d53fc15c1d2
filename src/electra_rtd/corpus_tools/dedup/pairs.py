"""Labelled duplicate and non-duplicate message pairs from the synthetic generator, and scores.

Messages generated from one template differ only in slot values and noise: those are the pairs a
de-duplicator should join. Messages of different kinds never should; two templates of one kind
(two different parcel notices) are the hard negatives, with the same vocabulary but a different
message. Pairs of identical texts are left out: any method joins them, so they measure nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from random import Random

import numpy as np

from electra_rtd.corpus_tools.dedup.clusters import DedupResult
from electra_rtd.data.synthetic import SyntheticMessage, generate_messages

SAME_TEMPLATE = "same_template"
SAME_KIND = "same_kind_other_template"
OTHER_KIND = "other_kind"
RELATIONS = (SAME_TEMPLATE, SAME_KIND, OTHER_KIND)
# Draws per wanted pair before giving up on a relation the corpus is too small for.
_ATTEMPTS = 20


@dataclass(frozen=True)
class MessagePair:
    """Two messages by index into `PairSet.texts`; duplicates exactly when of one template."""

    first: int
    second: int
    relation: str

    @property
    def duplicate(self) -> bool:
        return self.relation == SAME_TEMPLATE


@dataclass(frozen=True)
class PairSet:
    texts: tuple[str, ...]
    pairs: tuple[MessagePair, ...]


@dataclass(frozen=True)
class PairScores:
    """Pairs joined or not by one method; `joined` counts joined pairs per relation."""

    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    joined: Mapping[str, int]

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0


def synthetic_pairs(messages: int = 1000, pairs_per_relation: int = 300, seed: int = 0) -> PairSet:
    """Up to `pairs_per_relation` distinct pairs of each relation among `messages` generated."""
    generated = generate_messages(messages, seed=seed)
    sampler = _PairSampler(generated)
    rng = Random(seed)
    pairs: list[MessagePair] = []
    for relation in RELATIONS:
        seen: set[tuple[int, int]] = set()
        for _ in range(_ATTEMPTS * pairs_per_relation):
            if len(seen) == pairs_per_relation:
                break
            pair = sampler.draw(relation, rng)
            if pair is not None and pair not in seen:
                seen.add(pair)
                pairs.append(MessagePair(*pair, relation))
    return PairSet(tuple(message.text for message in generated), tuple(pairs))


def score_pairs(pairs: PairSet, labels: np.ndarray) -> PairScores:
    """Score cluster labels of `pairs.texts`: a pair is joined when both share a cluster id."""
    if len(labels) != len(pairs.texts):
        raise ValueError(f"{len(labels)} labels for {len(pairs.texts)} texts")
    counts = {(duplicate, joined): 0 for duplicate in (True, False) for joined in (True, False)}
    joined_by_relation = dict.fromkeys(RELATIONS, 0)
    for pair in pairs.pairs:
        joined = bool(labels[pair.first] == labels[pair.second])
        counts[pair.duplicate, joined] += 1
        joined_by_relation[pair.relation] += joined
    return PairScores(
        true_positives=counts[True, True],
        false_positives=counts[False, True],
        false_negatives=counts[True, False],
        true_negatives=counts[False, False],
        joined=joined_by_relation,
    )


def score_methods(pairs: PairSet, result: DedupResult) -> dict[str, PairScores]:
    """`score_pairs` for every method of a result computed on `pairs.texts`."""
    return {method: score_pairs(pairs, result.labels[method]) for method in result.methods}


class _PairSampler:
    """Draws an anchor message, then a partner from where the relation's partners are found."""

    def __init__(self, messages: list[SyntheticMessage]) -> None:
        self.messages = messages
        self.by_template: dict[str, list[int]] = defaultdict(list)
        self.by_kind: dict[str, list[int]] = defaultdict(list)
        for index, message in enumerate(messages):
            self.by_template[message.template_id].append(index)
            self.by_kind[message.kind].append(index)

    def draw(self, relation: str, rng: Random) -> tuple[int, int] | None:
        """A pair of the relation (smaller index first), or None when the draw missed it."""
        first = rng.randrange(len(self.messages))
        anchor = self.messages[first]
        if relation == SAME_TEMPLATE:
            second = rng.choice(self.by_template[anchor.template_id])
        elif relation == SAME_KIND:
            second = rng.choice(self.by_kind[anchor.kind])
        else:
            second = rng.randrange(len(self.messages))
        partner = self.messages[second]
        if partner.text == anchor.text or self._relation(anchor, partner) != relation:
            return None
        return min(first, second), max(first, second)

    @staticmethod
    def _relation(first: SyntheticMessage, second: SyntheticMessage) -> str:
        if first.template_id == second.template_id:
            return SAME_TEMPLATE
        return SAME_KIND if first.kind == second.kind else OTHER_KIND
