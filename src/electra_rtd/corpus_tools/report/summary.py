"""What a corpus report says, as plain data: renderers and topics.json read only this.

Everything here is safe to publish: examples are masked and shortened (`mask_for_display`),
keywords never hold personal data, and no full message text is kept.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from electra_rtd.corpus_tools.report.keywords import KeywordCount

# Keywords that name a topic in charts and headings.
LABEL_KEYWORDS = 3


@dataclass(frozen=True)
class TopicSummary:
    """One topic: its size, share of the messages with text, keywords, example and trend."""

    rank: int
    count: int
    share: float
    # Families: groups of copies of one message (de-duplication clusters) in the topic.
    families: int
    keywords: tuple[KeywordCount, ...]
    example: str
    # Messages per period of `CorpusReport.periods`, and the relative change of the share.
    trend: tuple[int, ...] | None = None
    change: float | None = None

    @property
    def label(self) -> str:
        """A short name: the first keywords, or the example when the topic has none."""
        if self.keywords:
            return " · ".join(keyword.keyword for keyword in self.keywords[:LABEL_KEYWORDS])
        return self.example


@dataclass(frozen=True)
class CorpusReport:
    """The whole report: corpus counts, overall keywords and the top topics with their trends."""

    source: str
    messages: int
    excluded: int
    # Messages whose text is empty once normalised (e.g. voice-call reports with no text).
    without_text: int
    families: int
    topic_count: int
    methods: tuple[str, ...]
    keyword_source: str
    keywords: tuple[KeywordCount, ...]
    topics: tuple[TopicSummary, ...]
    period: str | None = None
    periods: tuple[str, ...] = ()
    period_totals: tuple[int, ...] = ()
    # 2-D positions of `topics` for the map (one row each), when there are at least two topics.
    map_coordinates: np.ndarray | None = field(default=None, compare=False)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def with_text(self) -> int:
        return self.messages - self.without_text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (topics.json): every field but the map, topic labels included."""
        document = {
            name: value for name, value in asdict(self).items() if name != "map_coordinates"
        }
        document["with_text"] = self.with_text
        for topic, record in zip(self.topics, document["topics"], strict=True):
            record["label"] = topic.label
        return document
