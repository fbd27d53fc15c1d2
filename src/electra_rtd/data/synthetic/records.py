"""The generated message and its gold keyword spans, in memory and as a JSON-ready record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KeywordSpan:
    """A gold keyword: `text[start:end]` of the message it belongs to (end exclusive)."""

    start: int
    end: int
    label: str = "KW"


@dataclass(frozen=True)
class SyntheticMessage:
    """One generated message with the labels a keyword tagger and corpus reports need."""

    text: str
    kind: str
    template_id: str
    date: str
    spans: tuple[KeywordSpan, ...]

    @property
    def keywords(self) -> list[str]:
        """The surface strings of the spans, in text order (obfuscated spellings as they appear)."""
        return [self.text[span.start : span.end] for span in self.spans]

    def to_record(self) -> dict[str, Any]:
        """A plain dict for JSONL; `keywords` duplicates the spans so a reader can eyeball them."""
        return {
            "text": self.text,
            "kind": self.kind,
            "template_id": self.template_id,
            "date": self.date,
            "spans": [
                {"start": span.start, "end": span.end, "label": span.label} for span in self.spans
            ],
            "keywords": self.keywords,
        }
