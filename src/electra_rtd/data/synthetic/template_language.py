"""A tiny template language, compiled once so that generating a message is just random choices.

Syntax: `{slot_name}` inserts a slot; `{a|b|c}` picks one alternative (an empty one makes the
part optional); alternatives may nest both. Everything else is literal text, in which the
lexicon marks keywords at compile time — so labels follow the lexicon, never the template author.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import NamedTuple

from electra_rtd.data.synthetic.pieces import Piece, Role

_SLOT_NAME = re.compile(r"[a-z][a-z0-9_]*")


class TemplateError(ValueError):
    """A template that cannot be compiled; the message names the template and the position."""


class Literal(NamedTuple):
    """Template text, already cut into TEXT and KEYWORD pieces."""

    pieces: tuple[Piece, ...]


class SlotRef(NamedTuple):
    """A `{slot_name}` to fill from the slot table."""

    name: str


class Choice(NamedTuple):
    """A `{a|b|c}`: one option is rendered, picked uniformly."""

    options: tuple[tuple[Node, ...], ...]


Node = Literal | SlotRef | Choice
Sequence = tuple[Node, ...]


class Lexicon:
    """Finds keywords in literal text: leftmost, then longest match.

    An all-ASCII keyword matches only between non-ASCII-alphanumeric neighbours, so `KT` does not
    fire inside `SKT`; Hangul keywords match inside words because Korean attaches particles
    (`택배가` holds the keyword `택배`).
    """

    def __init__(self, words: Iterable[str]) -> None:
        by_first: dict[str, list[str]] = {}
        for word in dict.fromkeys(words):
            if len(word) < 2 or word != word.strip():
                raise ValueError(f"keyword {word!r} must be 2+ characters without outer spaces")
            by_first.setdefault(word[0], []).append(word)
        self._by_first = {
            first: tuple(sorted(group, key=len, reverse=True)) for first, group in by_first.items()
        }

    def find(self, text: str, start: int = 0) -> tuple[int, int] | None:
        """The (start, end) of the first keyword at or after `start`, or None."""
        for i in range(start, len(text)):
            for word in self._by_first.get(text[i], ()):
                end = i + len(word)
                if text.startswith(word, i) and self._bounded(text, i, end, word):
                    return i, end
        return None

    def split(self, text: str) -> tuple[Piece, ...]:
        """Cut literal text into TEXT and KEYWORD pieces."""
        pieces: list[Piece] = []
        position = 0
        while (match := self.find(text, position)) is not None:
            start, end = match
            if start > position:
                pieces.append((text[position:start], Role.TEXT))
            pieces.append((text[start:end], Role.KEYWORD))
            position = end
        if position < len(text):
            pieces.append((text[position:], Role.TEXT))
        return tuple(pieces)

    @staticmethod
    def _bounded(text: str, start: int, end: int, word: str) -> bool:
        if not word.isascii():
            return True
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        return not (_ascii_alnum(before) or _ascii_alnum(after))


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def compile_template(
    source: str, lexicon: Lexicon, slot_names: Collection[str], where: str = "template"
) -> Sequence:
    """Compile `source`; `where` names the template in errors (e.g. `parcel_delivery/03`)."""
    parser = _Parser(source, lexicon, slot_names, where)
    sequence, position = parser.sequence(0, top_level=True)
    if position != len(source):
        raise parser.error(position, f"unexpected {source[position]!r}")
    return sequence


class _Parser:
    def __init__(
        self, source: str, lexicon: Lexicon, slot_names: Collection[str], where: str
    ) -> None:
        self.source = source
        self.lexicon = lexicon
        self.slot_names = slot_names
        self.where = where

    def error(self, position: int, problem: str) -> TemplateError:
        return TemplateError(f"{self.where}, column {position + 1}: {problem} in {self.source!r}")

    def sequence(self, position: int, top_level: bool) -> tuple[Sequence, int]:
        nodes: list[Node] = []
        literal_start = position
        source = self.source
        while position < len(source):
            char = source[position]
            if char in "|}":
                if top_level:
                    raise self.error(position, f"stray {char!r}")
                break
            if char == "{":
                self._flush(nodes, source[literal_start:position])
                node, position = self.group(position)
                nodes.append(node)
                literal_start = position
            else:
                position += 1
        self._flush(nodes, source[literal_start:position])
        return tuple(nodes), position

    def group(self, open_position: int) -> tuple[Node, int]:
        options: list[Sequence] = []
        position = open_position
        while True:
            option, position = self.sequence(position + 1, top_level=False)
            options.append(option)
            if position >= len(self.source):
                raise self.error(open_position, "unclosed '{'")
            if self.source[position] == "}":
                break
        inner = self.source[open_position + 1 : position]
        if len(options) == 1:
            if not _SLOT_NAME.fullmatch(inner):
                raise self.error(open_position, f"{{{inner}}} is neither a slot nor a choice")
            if inner not in self.slot_names:
                raise self.error(open_position, f"unknown slot {inner!r}")
            return SlotRef(inner), position + 1
        return Choice(tuple(options)), position + 1

    def _flush(self, nodes: list[Node], text: str) -> None:
        if text:
            nodes.append(Literal(self.lexicon.split(text)))
