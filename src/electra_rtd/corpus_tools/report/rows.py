"""The rows a corpus report covers: each message's text and day, held-out rows left out.

Rows are read with the project's corpus readers, so a malformed file stops with `file:line`. The
date column is checked here because trends need real days: a value that is not an ISO date stops
the report with the file and the message's position, not a wrong chart later.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tqdm.auto import tqdm

from electra_rtd.data.corpus import CorpusError, CorpusPart, corpus_parts, iter_records
from electra_rtd.text.privacy import excerpt_for_error

logger = logging.getLogger(__name__)

# "2022-08-14" and "2022-08-14 09:30:00" both give the day 2022-08-14.
ISO_DAY_LENGTH = 10


@dataclass(frozen=True)
class ReportRows:
    """Texts in input order, with their ISO days when a date column was named."""

    texts: list[str]
    days: list[str] | None
    files: tuple[CorpusPart, ...]
    # Rows dropped because a column held an excluded value (the held-out day, say).
    excluded: int


def read_report_rows(
    path: str | Path,
    text_column: str = "text",
    date_column: str | None = None,
    exclude: Mapping[str, Collection[str]] | None = None,
    limit: int | None = None,
    progress: bool = False,
) -> ReportRows:
    """Read non-blank messages, dropping rows whose `exclude[column]` holds their value.

    `limit` keeps the first `limit` rows that survive the exclusion.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    exclude = {column: frozenset(values) for column, values in (exclude or {}).items()}
    files = tuple(corpus_parts(path))
    columns = list(dict.fromkeys([*([date_column] if date_column else []), *exclude]))
    texts: list[str] = []
    days: list[str] | None = [] if date_column else None
    excluded = 0
    with tqdm(desc="reading", unit="msg", disable=not progress) as bar:
        for file, position, record in _records(files, text_column, columns):
            if any(record[column] in values for column, values in exclude.items()):
                excluded += 1
                continue
            if limit is not None and len(texts) == limit:
                break
            texts.append(record["text"])
            if days is not None:
                days.append(_iso_day(record[date_column], file, position, date_column))
            bar.update()
    if not texts:
        raise CorpusError(f"{path}: no messages left to report on ({excluded} rows excluded)")
    logger.info("read %d messages from %s (%d rows excluded)", len(texts), path, excluded)
    return ReportRows(texts, days, files, excluded)


def _records(
    files: tuple[CorpusPart, ...], text_column: str, columns: list[str]
) -> Iterator[tuple[CorpusPart, int, dict]]:
    """(file, 1-based position among the file's messages, record) of every non-blank message."""
    for file in files:
        for position, record in enumerate(iter_records([file], text_column, columns), start=1):
            yield file, position, record


def _iso_day(value: str | None, file: CorpusPart, position: int, column: str) -> str:
    try:
        return date.fromisoformat((value or "")[:ISO_DAY_LENGTH]).isoformat()
    except ValueError:
        raise CorpusError(
            f"{file}: message {position}: column {column!r} holds {excerpt_for_error(value)}, not a date "
            f"(YYYY-MM-DD)"
        ) from None
