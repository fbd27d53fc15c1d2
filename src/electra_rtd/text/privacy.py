"""Masking of personal and variable data: phone numbers, links, accounts, codes, amounts, dates, names.

Two jobs. Privacy: no message sample may reach a log or report with a person's number or name in
it (`mask_for_display`). Templates: copies of one spam template differ only in these slots, so after
`mask_pii` they become the same string, which is what structural de-duplication groups on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum

from electra_rtd.text import pii_patterns as patterns
from electra_rtd.text.unicode_fold import fold_same_length


class PiiKind(str, Enum):
    """What a masked span held; the placeholder is the kind in angle brackets."""

    EMAIL = "EMAIL"
    URL = "URL"
    HANDLE = "HANDLE"
    CARD = "CARD"
    PHONE = "PHONE"
    DATE = "DATE"
    TIME = "TIME"
    ACCOUNT = "ACCOUNT"
    AMOUNT = "AMOUNT"
    PERCENT = "PERCENT"
    CODE = "CODE"
    NAME = "NAME"
    NUMBER = "NUMBER"

    @property
    def placeholder(self) -> str:
        return f"<{self.value}>"


@dataclass(frozen=True, slots=True)
class MaskSpan:
    """One masked slot: its kind and its [start, end) in the text given to `mask_pii`.

    The masked value itself is deliberately not stored, so spans are safe to log.
    """

    kind: PiiKind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class MaskedText:
    """The text with every slot replaced by its placeholder, and the slots in text order."""

    text: str
    spans: list[MaskSpan]


SpanFinder = Callable[[str], Iterable[tuple[int, int]]]


def _matches(pattern: re.Pattern[str]) -> SpanFinder:
    """Whole matches, or only the `value` group where the pattern has one (keyword kept, value masked)."""

    def find(text: str) -> Iterator[tuple[int, int]]:
        for match in pattern.finditer(text):
            yield match.span("value") if "value" in pattern.groupindex else match.span()

    return find


def _accounts(text: str) -> Iterator[tuple[int, int]]:
    """Hyphenated digit groups count as an account only with 10-14 digits (bank account lengths)."""
    for match in patterns.ACCOUNT.finditer(text):
        if match.group("value"):
            yield match.span("value")
        elif 10 <= sum(char != "-" for char in match.group("grouped")) <= 14:
            yield match.span("grouped")


def _spaced_digits(phone: bool) -> SpanFinder:
    """Digit runs written apart: a phone number when their digits read as one (0 then 9-11
    digits), else a number."""

    def find(text: str) -> Iterator[tuple[int, int]]:
        for match in patterns.SPACED_DIGITS.finditer(text):
            digits = sum(char.isdigit() for char in match.group())
            if (match.group().startswith("0") and 9 <= digits <= 11) == phone:
                yield match.span()

    return find


def _names(text: str) -> Iterator[tuple[int, int]]:
    yield from _matches(patterns.NAME_BEFORE_TITLE)(text)
    yield from _matches(patterns.NAME_AFTER_LABEL)(text)


_DIGITS = "0123456789"
# Earlier detectors win where spans overlap: a link's digits are not a phone number, a card number
# is not an account, a date is not an amount. The middle column lists characters of which one must
# occur for the detector to have a chance; it skips most regex scans on a typical message.
_DETECTORS: tuple[tuple[PiiKind, str, SpanFinder], ...] = (
    (PiiKind.EMAIL, "@", _matches(patterns.EMAIL)),
    (PiiKind.URL, ".", patterns.url_spans),
    (PiiKind.HANDLE, "@", _matches(patterns.HANDLE)),
    (PiiKind.HANDLE, "", _matches(patterns.MESSENGER_ID)),
    (PiiKind.CARD, _DIGITS, _matches(patterns.CARD)),
    (PiiKind.PHONE, _DIGITS, _matches(patterns.PHONE)),
    (PiiKind.PHONE, _DIGITS, _spaced_digits(phone=True)),
    (PiiKind.DATE, _DIGITS, _matches(patterns.DATE)),
    (PiiKind.TIME, "시:", _matches(patterns.TIME)),
    (PiiKind.ACCOUNT, "-계", _accounts),
    (PiiKind.AMOUNT, "원억만천백달엔위유USDKRWusdkrw₩$", _matches(patterns.AMOUNT)),
    (PiiKind.PERCENT, "%", _matches(patterns.PERCENT)),
    (PiiKind.CODE, _DIGITS, _matches(patterns.CODE)),
    (PiiKind.NAME, "", _names),
    (PiiKind.NUMBER, _DIGITS, _matches(patterns.NUMBER)),
    (PiiKind.NUMBER, _DIGITS, _spaced_digits(phone=False)),
)


def find_pii(text: str, kinds: Collection[PiiKind] | None = None) -> list[MaskSpan]:
    """Non-overlapping spans of personal or variable data, in text order."""
    if not isinstance(text, str):
        raise TypeError(f"find_pii expects a str, got {type(text).__name__}")
    view = fold_same_length(text)
    occupied = bytearray(len(view))
    spans = []
    for kind, triggers, finder in _DETECTORS:
        if kinds is not None and kind not in kinds:
            continue
        if triggers and not any(char in view for char in triggers):
            continue
        for start, end in finder(view):
            if start == end or occupied.find(1, start, end) != -1:
                continue
            occupied[start:end] = b"\x01" * (end - start)
            spans.append(MaskSpan(kind, start, end))
    spans.sort(key=lambda span: span.start)
    return spans


def mask_pii(text: str, kinds: Collection[PiiKind] | None = None) -> MaskedText:
    """Replace every detected slot with its placeholder (`<PHONE>`, `<URL>`, ...).

    `kinds` restricts masking to some kinds; by default all are masked.
    """
    spans = find_pii(text, kinds)
    pieces = []
    last = 0
    for span in spans:
        pieces.append(text[last : span.start])
        pieces.append(span.kind.placeholder)
        last = span.end
    pieces.append(text[last:])
    return MaskedText("".join(pieces), spans)


ERROR_EXCERPT_CHARS = 30


def excerpt_for_error(text: object) -> str:
    """All an error message may show of a message: a quoted, masked excerpt of at most 30
    characters (a header-less TSV's "column names" are its first message)."""
    return repr(mask_for_display(str(text), ERROR_EXCERPT_CHARS))


def mask_for_display(text: str, max_chars: int = 80) -> str:
    """A one-line, masked, shortened form of a message that is safe to log or print in a report."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    one_line = " ".join(mask_pii(fold_same_length(text)).text.split())
    if len(one_line) <= max_chars:
        return one_line
    return one_line[: max_chars - 1] + "…"
