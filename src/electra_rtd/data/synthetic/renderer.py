"""Turns compiled templates into labelled pieces for one message."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from random import Random

from electra_rtd.data.synthetic.pieces import Piece, Role
from electra_rtd.data.synthetic.slots import FragmentSlot, ListSlot, Slot
from electra_rtd.data.synthetic.template_language import (
    Choice,
    Lexicon,
    Literal,
    Sequence,
    compile_template,
)


def lexicon_for(slots: Mapping[str, Slot], topic_keywords: tuple[str, ...]) -> Lexicon:
    """Topic keywords plus every keyword-list value, so a brand written into template text is
    labelled just like the same brand filled in by a slot."""
    words = list(topic_keywords)
    for slot in slots.values():
        if isinstance(slot, ListSlot) and slot.keyword:
            words.extend(slot.values)
    return Lexicon(words)


class Renderer:
    """Fills compiled templates with slot values, keeping each piece's role."""

    def __init__(self, slots: Mapping[str, Slot], lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._slots = dict(slots)
        self._fragments = {
            name: compile_template(slot.template, lexicon, self._slots, where=f"slot {name!r}")
            for name, slot in self._slots.items()
            if isinstance(slot, FragmentSlot)
        }

    def compile(self, source: str, where: str) -> Sequence:
        """Compile a template against this renderer's slots and lexicon."""
        return compile_template(source, self.lexicon, self._slots, where)

    def render(self, sequence: Sequence, rng: Random, today: date) -> list[Piece]:
        """One random filling of `sequence`; `today` anchors the dates written in the text."""
        out: list[Piece] = []
        self._emit(sequence, rng, today, {}, out)
        return out

    def _emit(
        self,
        sequence: Sequence,
        rng: Random,
        today: date,
        memo: dict[str, list[Piece]],
        out: list[Piece],
    ) -> None:
        for node in sequence:
            if isinstance(node, Literal):
                out.extend(node.pieces)
            elif isinstance(node, Choice):
                self._emit(rng.choice(node.options), rng, today, memo, out)
            else:
                cached = memo.get(node.name)
                if cached is None:
                    cached = self._fill(node.name, rng, today, memo)
                out.extend(cached)

    def _fill(
        self, name: str, rng: Random, today: date, memo: dict[str, list[Piece]]
    ) -> list[Piece]:
        slot = self._slots[name]
        if isinstance(slot, FragmentSlot):
            pieces: list[Piece] = []
            self._emit(self._fragments[name], rng, today, memo, pieces)
        else:
            value = rng.choice(slot.values) if isinstance(slot, ListSlot) else slot.make(rng, today)
            pieces = [(value, Role.KEYWORD if slot.keyword else Role.VALUE)]
        if slot.memo:
            memo[name] = pieces
        return pieces
