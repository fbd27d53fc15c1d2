"""Messages are built from labelled pieces; offsets are counted while the pieces are joined.

Noise is applied to each piece on its own, so a keyword's span is known exactly even after it was
obfuscated or the spaces around it were dropped — no searching in the final string.
"""

from __future__ import annotations

from enum import IntEnum

from electra_rtd.data.synthetic.records import KeywordSpan


class Role(IntEnum):
    """What noise may do to a piece and whether it becomes a span."""

    TEXT = 0  # template wording: spacing and casual-spelling noise allowed
    KEYWORD = 1  # a gold keyword: only obfuscation allowed
    VALUE = 2  # a number, code, URL, name or boilerplate: left exactly as made


Piece = tuple[str, Role]

_SPACES = " \n"


def assemble(pieces: list[Piece]) -> tuple[str, tuple[KeywordSpan, ...]]:
    """Join pieces into the final text and the spans of its keyword pieces.

    Whitespace is tidied only at the edges of TEXT pieces (an empty optional part can leave two
    spaces in a row, and the message must not start or end with a space); other pieces never
    start or end with whitespace, so no span moves.
    """
    parts: list[str] = []
    roles: list[Role] = []
    spans: list[KeywordSpan] = []
    length = 0
    after_space = True
    for text, role in pieces:
        if role is Role.TEXT and after_space:
            text = text.lstrip(_SPACES)
        if not text:
            continue
        if role is Role.KEYWORD:
            spans.append(KeywordSpan(length, length + len(text)))
        parts.append(text)
        roles.append(role)
        length += len(text)
        after_space = text[-1] in _SPACES
    while parts and roles[-1] is Role.TEXT and parts[-1][-1] in _SPACES:
        parts[-1] = parts[-1].rstrip(_SPACES)
        if not parts[-1]:
            parts.pop()
            roles.pop()
    return "".join(parts), tuple(spans)
