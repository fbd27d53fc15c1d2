"""Generate the synthetic corpus: pick a kind, a template and a date, fill, dress, assemble.

Only `random.Random(seed)` drives the choices, and every table is iterated in a fixed order, so
the same (n, seed) gives the same messages in any process.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence as Seq
from datetime import date
from functools import cache
from random import Random

from electra_rtd.data.synthetic.dates import DateRange
from electra_rtd.data.synthetic.kinds import KINDS, PROFILES, KindProfile
from electra_rtd.data.synthetic.lexicon import TOPIC_KEYWORDS
from electra_rtd.data.synthetic.pieces import assemble
from electra_rtd.data.synthetic.records import SyntheticMessage
from electra_rtd.data.synthetic.registers import REGISTERS, dress
from electra_rtd.data.synthetic.renderer import Renderer, lexicon_for
from electra_rtd.data.synthetic.slots import SLOTS
from electra_rtd.data.synthetic.template_language import Sequence
from electra_rtd.data.synthetic.templates import TEMPLATES, template_id

logger = logging.getLogger(__name__)

DEFAULT_START = "2022-01-01"
DEFAULT_END = "2022-12-31"


@cache
def _compiled() -> tuple[Renderer, dict[str, tuple[tuple[str, Sequence], ...]]]:
    """Compile every template once per process (a few milliseconds)."""
    if set(TEMPLATES) != set(KINDS):
        raise ValueError(
            f"kinds without templates or templates without a kind: "
            f"{sorted(set(TEMPLATES) ^ set(KINDS))}"
        )
    renderer = Renderer(SLOTS, lexicon_for(SLOTS, TOPIC_KEYWORDS))
    compiled: dict[str, tuple[tuple[str, Sequence], ...]] = {}
    for kind in KINDS:
        compiled[kind] = tuple(
            (template_id(kind, i), renderer.compile(source, where=template_id(kind, i)))
            for i, source in enumerate(TEMPLATES[kind])
        )
    logger.debug("compiled %d templates of %d kinds", sum(map(len, compiled.values())), len(KINDS))
    return renderer, compiled


def generate_messages(
    n: int,
    seed: int = 0,
    *,
    start_date: str | date = DEFAULT_START,
    end_date: str | date = DEFAULT_END,
    kinds: Seq[str] | None = None,
) -> list[SyntheticMessage]:
    """`n` messages, deterministic for `seed`, dated within [start_date, end_date].

    `kinds` restricts the mix to some of `KINDS` (their relative weights are kept).
    """
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    dates = DateRange.parse(start_date, end_date)
    profiles = _select(kinds)
    renderer, compiled = _compiled()
    cum_weights = list(itertools.accumulate(profile.weight for profile in profiles))
    registers = [REGISTERS[profile.register] for profile in profiles]
    rng = Random(seed)
    messages: list[SyntheticMessage] = []
    for _ in range(n):
        index = rng.choices(range(len(profiles)), cum_weights=cum_weights)[0]
        profile = profiles[index]
        tid, sequence = rng.choice(compiled[profile.name])
        today = dates.sample(rng, profile.trend)
        pieces = dress(renderer.render(sequence, rng, today), registers[index], rng, today)
        text, spans = assemble(pieces)
        messages.append(SyntheticMessage(text, profile.name, tid, today.isoformat(), spans))
    return messages


def _select(kinds: Seq[str] | None) -> tuple[KindProfile, ...]:
    if kinds is None:
        return PROFILES
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown or not kinds:
        raise ValueError(f"unknown or no kinds {unknown or list(kinds)}; choose from {KINDS}")
    return tuple(profile for profile in PROFILES if profile.name in kinds)
