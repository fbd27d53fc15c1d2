"""Registers: how each family of messages is dressed — boilerplate, obfuscation, spacing, slang.

A kind names its register (see `kinds.py`); the register decides what noise its pieces get.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from random import Random

from electra_rtd.data.synthetic import boilerplate
from electra_rtd.data.synthetic.noise import casualize, obfuscate, slip_space, squash_spaces
from electra_rtd.data.synthetic.pieces import Piece, Role
from electra_rtd.data.synthetic.vocabulary import EMOJI


@dataclass(frozen=True)
class Register:
    """Probabilities of each kind of dressing (per message unless noted)."""

    web_prefix: float = 0.0  # "[Web발신]"
    foreign_prefix: float = 0.0  # "[국제발신]" when there is no "[Web발신]"
    ad_marker: float = 0.0  # "(광고)"
    opt_out: float = 0.0  # "무료거부 080-..."
    obfuscate: float = 0.0  # per keyword piece
    squash: float = 0.0  # drop all spaces of the wording
    space_slip: float = 0.0  # per wording piece
    casual: float = 0.0  # per casual-spelling rule
    trailing_emoji: float = 0.0


REGISTERS: dict[str, Register] = {
    "notice": Register(web_prefix=0.5, space_slip=0.02),
    "ad": Register(
        web_prefix=0.6, ad_marker=0.9, opt_out=0.8, squash=0.15, space_slip=0.1, trailing_emoji=0.1
    ),
    "spam": Register(
        web_prefix=0.5,
        foreign_prefix=0.5,
        ad_marker=0.6,
        opt_out=0.55,
        obfuscate=0.5,
        squash=0.35,
        space_slip=0.2,
    ),
    "smishing": Register(
        web_prefix=0.4, foreign_prefix=0.7, obfuscate=0.05, squash=0.1, space_slip=0.1
    ),
    "chat": Register(space_slip=0.15, casual=0.35, trailing_emoji=0.15),
    "greeting": Register(web_prefix=0.2, space_slip=0.05, casual=0.1, trailing_emoji=0.3),
}


def dress(pieces: list[Piece], register: Register, rng: Random, today: date) -> list[Piece]:
    """Apply the register's noise to each piece, then wrap the body in boilerplate."""
    squash = rng.random() < register.squash
    body: list[Piece] = []
    for text, role in pieces:
        if role is Role.KEYWORD:
            if register.obfuscate and rng.random() < register.obfuscate:
                text = obfuscate(text, rng)
        elif role is Role.TEXT:
            if register.casual:
                text = casualize(text, rng, register.casual)
            if squash:
                text = squash_spaces(text)
            elif register.space_slip and rng.random() < register.space_slip:
                text = slip_space(text, rng)
        body.append((text, role))
    if register.trailing_emoji and rng.random() < register.trailing_emoji:
        body.append((rng.choice(EMOJI), Role.VALUE))
    web = rng.random() < register.web_prefix
    foreign = not web and rng.random() < register.foreign_prefix
    head = boilerplate.prefix(rng, web, foreign, rng.random() < register.ad_marker)
    tail = boilerplate.opt_out(rng, today) if rng.random() < register.opt_out else []
    return head + body + tail
