"""Write and read the synthetic corpus as JSONL, one `SyntheticMessage.to_record()` per line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from electra_rtd.data.synthetic.records import KeywordSpan, SyntheticMessage

logger = logging.getLogger(__name__)


def write_jsonl(messages: Iterable[SyntheticMessage], path: str | Path) -> Path:
    """Write UTF-8 JSONL with Korean kept readable (ensure_ascii=False); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for message in messages:
            handle.write(json.dumps(message.to_record(), ensure_ascii=False) + "\n")
            count += 1
    logger.info("wrote %d synthetic messages to %s", count, path)
    return path


def read_jsonl(path: str | Path) -> list[SyntheticMessage]:
    """Read a file written by `write_jsonl`; bad lines fail with the file and line number."""
    path = Path(path)
    messages: list[SyntheticMessage] = []
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                messages.append(_from_record(json.loads(line)))
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(
                    f"{path}:{line_number}: not a synthetic message record ({error})"
                ) from error
    return messages


def _from_record(record: dict[str, Any]) -> SyntheticMessage:
    text = record["text"]
    if not isinstance(text, str):
        raise TypeError("'text' must be a string")
    spans = tuple(
        KeywordSpan(int(span["start"]), int(span["end"]), str(span.get("label", "KW")))
        for span in record["spans"]
    )
    for span in spans:
        if not 0 <= span.start < span.end <= len(text):
            raise ValueError(f"span {span.start}:{span.end} outside a text of length {len(text)}")
    return SyntheticMessage(
        text, str(record["kind"]), str(record["template_id"]), str(record["date"]), spans
    )
