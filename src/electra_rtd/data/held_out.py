"""The evaluation-only rows of a dump, and every other row that repeats their text.

Spam repeats: a message of the held-out KISA day (2022-12-31) is often sent again on other days,
sometimes with another spacing or spelling. Dropping only the day's rows would still train on
its texts, so a row is held out when its value is excluded (``{"file_date": ["2022-12-31"]}``)
or when its normalised text (the exact de-duplication key, spaces removed) equals that of such
a row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from electra_rtd.data.hashed_labels import text_sha256
from electra_rtd.text.keys import exact_key

log = logging.getLogger(__name__)

Exclude = Mapping[str, Sequence[str]]


def normalised_key(text: str) -> str:
    """The text two copies of one message share: the exact de-duplication key without spaces
    (spam varies its spacing, "비트 코인" / "비트코인")."""
    return "".join(exact_key(text).split())


@dataclass(frozen=True)
class HeldOut:
    """The excluded values (as sets of strings) and the normalised texts they hold out."""

    values: Mapping[str, frozenset[str]]
    banned: frozenset[str]

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, object]],
        exclude: Exclude,
        hashes: Set[str] = frozenset(),
    ) -> HeldOut:
        """Held out: rows with an excluded value, rows whose text's SHA-256 is listed in
        ``hashes`` (e.g. hand-labelled dev and test messages), and every recurrence of their
        normalised texts."""
        values = {column: frozenset(map(str, listed)) for column, listed in exclude.items()}
        held_out = cls(values, frozenset())
        banned = frozenset(
            normalised_key(str(row["text"]))
            for row in records
            if held_out.excludes(row) or (hashes and text_sha256(str(row["text"])) in hashes)
        )
        return cls(values, banned)

    def excludes(self, row: Mapping[str, object]) -> bool:
        """Whether a row carries an excluded value in one of the columns."""
        return any(str(row[column]) in listed for column, listed in self.values.items())

    def keeps(self, row: Mapping[str, object]) -> bool:
        """Whether a row may be trained on."""
        return not self.excludes(row) and normalised_key(str(row["text"])) not in self.banned


def keep_for_training(
    records: Sequence[Mapping[str, object]], exclude: Exclude, hashes: Set[str] = frozenset()
) -> list[Mapping[str, object]]:
    """Rows outside the excluded values whose normalised text never occurs among them, nor
    among the messages listed by hash (e.g. hand-labelled dev and test messages)."""
    held_out = HeldOut.from_records(records, exclude, hashes)
    kept = [row for row in records if held_out.keeps(row)]
    log.info(
        "%d of %d rows kept for training (%d held-out texts, their recurrences dropped too)",
        len(kept),
        len(records),
        len(held_out.banned),
    )
    return kept
