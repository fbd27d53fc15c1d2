"""Which real messages to label by hand, and which split each one serves.

A dump repeats a few campaigns thousands of times, so labelling a random sample of rows would
label the same spam again and again and put copies of one message on both sides of a split. Here
the dump is first grouped into families (exact, lexical and structural de-duplication combined);
one representative per family is labelled, families are drawn so that the largest campaigns,
every reporter category and long MMS are all present, and the split is decided per family, so no
near-duplicate crosses from train into dev or test.

Held-out evaluation rows never enter: every row of an excluded value (the KISA day 2022-12-31)
and every row whose normalised text also occurs among them are dropped before grouping.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from electra_rtd.corpus_tools.dedup import DedupConfig, deduplicate
from electra_rtd.data.hashed_labels import text_sha256

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SampleConfig:
    """How many families to label and how they are drawn."""

    messages: int = 3200
    largest: int = 600  # the most repeated families, always in
    per_category: int = 40  # at least this many families of every reporter category
    long_messages: int = 400  # at least this many long MMS
    long_chars: int = 200  # an MMS at least this long counts as long
    max_chars: int = 1500  # longer messages are not offered for labelling
    split: tuple[float, float, float] = (0.8, 0.1, 0.1)
    seed: int = 0


@dataclass(frozen=True)
class Family:
    """One de-duplicated family: its representative row and what describes the whole family."""

    id: int
    text: str
    rows: int
    category: str
    msg_type: str
    long: bool
    member_hashes: frozenset[str]  # SHA-256 of every distinct text in the family


def families(records: Sequence[Mapping[str, str]], config: SampleConfig) -> list[Family]:
    """Group rows into families; each family's category is its members' most common one."""
    result = deduplicate((row["text"] for row in records), DedupConfig(workers=2))
    found = []
    for cluster in result.clusters("combined"):
        first = records[cluster.id]
        categories = Counter(records[int(row)].get("spam_type", "") for row in cluster.members)
        text = first["text"]
        msg_type = first.get("msg_type", "")
        found.append(
            Family(
                id=cluster.id,
                text=text,
                rows=int(cluster.members.size),
                category=categories.most_common(1)[0][0],
                msg_type=msg_type,
                long=msg_type == "MMS" and len(text) >= config.long_chars,
                member_hashes=frozenset(
                    text_sha256(records[int(row)]["text"]) for row in cluster.members
                ),
            )
        )
    return found


def draw(candidates: Sequence[Family], config: SampleConfig) -> list[Family]:
    """The families to label: the largest, then category and long-MMS quotas, then at random."""
    rng = random.Random(config.seed)
    pool = [family for family in candidates if len(family.text) <= config.max_chars]
    chosen: dict[int, Family] = {}
    for family in sorted(pool, key=lambda f: (-f.rows, f.id))[: config.largest]:
        chosen[family.id] = family
    shuffled = pool[:]
    rng.shuffle(shuffled)
    for category in sorted({family.category for family in pool}):
        have = sum(f.category == category for f in chosen.values())
        for family in (f for f in shuffled if f.category == category and f.id not in chosen):
            if have >= config.per_category:
                break
            chosen[family.id] = family
            have += 1
    have = sum(f.long for f in chosen.values())
    for family in (f for f in shuffled if f.long and f.id not in chosen):
        if have >= config.long_messages:
            break
        chosen[family.id] = family
        have += 1
    for family in shuffled:
        if len(chosen) >= config.messages:
            break
        chosen.setdefault(family.id, family)
    return sorted(chosen.values(), key=lambda f: f.id)


def assign_split(key: str, config: SampleConfig) -> str:
    """A family's split from its representative's hash: fixed, whatever else is drawn."""
    position = int(hashlib.sha256(f"{config.seed}:{key}".encode()).hexdigest()[:8], 16) / 2**32
    train, dev, _ = config.split
    return "train" if position < train else "dev" if position < train + dev else "test"
