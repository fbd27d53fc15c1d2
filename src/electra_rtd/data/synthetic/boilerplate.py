"""Carrier and legal boilerplate around a message body: `[Web발신]`, `(광고)`, `무료거부 080-...`.

These pieces are never keywords; they are VALUE pieces so noise leaves them as carriers print them.
"""

from __future__ import annotations

from datetime import date
from random import Random

from electra_rtd.data.synthetic.pieces import Piece, Role
from electra_rtd.data.synthetic.slot_values import opt_out_number

_WEB = ("[Web발신]",)
_FOREIGN = ("[국제발신]", "[국외발신]", "[해외발신]")
_AD_MARKERS = ("(광고)", "(광고)", "[광고]")
_OPT_OUT_LABELS = ("무료거부", "무료거부", "무료수신거부", "수신거부", "거부")
_LABEL_GAPS = ("", " ", ":", ": ")
_JOINERS = ("", " ", "\n")


def prefix(rng: Random, web: bool, foreign: bool, ad_marker: bool) -> list[Piece]:
    """Sender tag and ad marker, in the order carriers put them."""
    pieces: list[Piece] = []
    if web:
        pieces.append((_WEB[0], Role.VALUE))
    elif foreign:
        pieces.append((rng.choice(_FOREIGN), Role.VALUE))
    if ad_marker:
        pieces.append((rng.choice(_AD_MARKERS), Role.VALUE))
    if pieces:
        pieces.append((rng.choice(_JOINERS), Role.TEXT))
    return pieces


def opt_out(rng: Random, today: date) -> list[Piece]:
    """The opt-out line that Korean law requires at the end of an ad."""
    return [
        (rng.choice(_JOINERS), Role.TEXT),
        (rng.choice(_OPT_OUT_LABELS), Role.VALUE),
        (rng.choice(_LABEL_GAPS), Role.TEXT),
        (opt_out_number(rng, today), Role.VALUE),
    ]
