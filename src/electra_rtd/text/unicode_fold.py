"""Unicode NFKC with offset mapping, without breaking Korean jamo.

Spam hides words behind full-width letters, circled digits and invisible characters; NFKC folds
them. Plain NFKC would also turn compatibility jamo (ㅋㅋ, ㅠㅠ, ㅡㅡ) into conjoining jamo that
no tokenizer vocabulary holds, so those characters are left as they are.
"""

from __future__ import annotations

import unicodedata

from electra_rtd.text.text_offsets import combines_with_previous

# Zero-width characters and the soft hyphen: inserted to break keyword filters, never visible.
_INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff")
# Hangul filler characters render as blanks; spam uses them as spaces.
_BLANK_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")


def _is_conjoining_jamo(char: str) -> bool:
    code = ord(char)
    return 0x1100 <= code <= 0x11FF or 0xA960 <= code <= 0xA97F or 0xD7B0 <= code <= 0xD7FF


def _fold_char(char: str, nfkc: bool, remove_invisible: bool) -> str:
    if remove_invisible and char in _BLANK_FILLERS:
        return " "
    if remove_invisible and char in _INVISIBLE:
        return ""
    if not nfkc:
        return char
    folded = unicodedata.normalize("NFKC", char)
    if folded != char and any(_is_conjoining_jamo(c) for c in folded):
        return char
    return folded


class _FoldTable(dict):
    """`str.translate` table filled lazily, so each distinct character is normalised only once.

    `resizing` collects the characters whose folded form is not one character long; only texts
    containing one of them need their offsets rebuilt.
    """

    def __init__(self, nfkc: bool, remove_invisible: bool, keep_length: bool = False) -> None:
        super().__init__()
        self.nfkc = nfkc
        self.remove_invisible = remove_invisible
        self.keep_length = keep_length
        self.resizing: set[str] = set()

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = _fold_char(char, self.nfkc, self.remove_invisible)
        if len(folded) != 1:
            if self.keep_length:
                folded = char
            else:
                self.resizing.add(char)
        self[code] = folded
        return folded


_TABLES = {
    (nfkc, invisible): _FoldTable(nfkc, invisible)
    for nfkc in (True, False)
    for invisible in (True, False)
}
_SAME_LENGTH = _FoldTable(nfkc=True, remove_invisible=False, keep_length=True)


def fold_same_length(text: str) -> str:
    """Full-width, circled and other compatibility characters folded, positions unchanged.

    Pattern matchers run on this view of a message and report spans valid in the original.
    """
    return text.translate(_SAME_LENGTH)


def fold_unicode(
    text: str, offsets: list[int], nfkc: bool = True, remove_invisible: bool = True
) -> tuple[str, list[int]]:
    """NFKC (jamo-safe) and/or removal of invisible characters, with offsets."""
    table = _TABLES[nfkc, remove_invisible]
    folded = text.translate(table)
    if table.resizing.isdisjoint(text):
        new_offsets = offsets
    else:
        folded_parts: list[str] = []
        new_offsets = []
        for char, offset in zip(text, offsets, strict=True):
            part = table[ord(char)]
            folded_parts.append(part)
            new_offsets.extend([offset] * len(part))
        folded = "".join(folded_parts)
    if not nfkc or unicodedata.is_normalized("NFC", folded):
        return folded, new_offsets
    return _compose(folded, new_offsets)


def _compose(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """NFC per cluster (a starter plus the marks or jamo that combine with it): rare decomposed input."""
    parts: list[str] = []
    new_offsets: list[int] = []
    start = 0
    while start < len(text):
        end = start + 1
        while end < len(text) and combines_with_previous(text[end]):
            end += 1
        cluster = unicodedata.normalize("NFC", text[start:end])
        parts.append(cluster)
        if len(cluster) == end - start:
            new_offsets.extend(offsets[start:end])
        else:
            new_offsets.extend([offsets[start]] * len(cluster))
        start = end
    return "".join(parts), new_offsets
