"""Build a corpus report: read, de-duplicate into families, find keywords, group into topics.

The order matters for cost: de-duplication reduces a dump to its families first, so keywords are
found once per family (Kiwi or the tagger runs on thousands of messages, not millions) and topics
compare families, not rows.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm.auto import tqdm

from electra_rtd.corpus_tools.dedup import COMBINED, DedupConfig, SemanticConfig, deduplicate
from electra_rtd.corpus_tools.report.keywords import (
    characteristic_keywords,
    keyword_counts,
    reportable,
    silver_keywords,
    synthetic_background,
    tagger_keywords,
    top_keywords,
)
from electra_rtd.corpus_tools.report.rows import ReportRows, read_report_rows
from electra_rtd.corpus_tools.report.summary import CorpusReport, TopicSummary
from electra_rtd.corpus_tools.report.topics import (
    Families,
    Topics,
    TopicSettings,
    group_families,
    map_coordinates,
)
from electra_rtd.corpus_tools.report.trends import Trends, topic_trends
from electra_rtd.corpus_tools.silver import SilverConfig
from electra_rtd.data.corpus import CorpusError
from electra_rtd.text.normalise import normalise
from electra_rtd.text.privacy import mask_for_display

if TYPE_CHECKING:
    from electra_rtd.tagging import KeywordTagger

logger = logging.getLogger(__name__)

STRUCTURAL_METHODS = ("exact", "lexical", "structural")


@dataclass(frozen=True)
class ReportConfig:
    """What is read, how much is shown, and the settings of each stage."""

    text_column: str = "text"
    date_column: str | None = None
    # Rows whose column holds one of the values are left out (e.g. {"file_date": ["2022-12-31"]}).
    exclude: Mapping[str, Collection[str]] = field(default_factory=dict)
    limit: int | None = None
    top_topics: int = 20
    top_keywords: int = 30
    keywords_per_topic: int = 8
    example_chars: int = 60
    period: str = "auto"
    topics: TopicSettings = field(default_factory=TopicSettings)
    # A larger vocabulary than for labelling: rarer keywords still tell topics apart.
    silver: SilverConfig = field(default_factory=lambda: SilverConfig(top_n=1000))
    # Processes for normalising, masking and noun analysis (overrides `silver.workers`).
    workers: int = 1

    def __post_init__(self) -> None:
        for name in ("top_topics", "top_keywords", "keywords_per_topic", "example_chars"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")


def build_report(
    path: str | Path,
    config: ReportConfig | None = None,
    *,
    tagger: KeywordTagger | None = None,
    encoder: str | Path | None = None,
    background: Sequence[str] | None = None,
    progress: bool = False,
) -> CorpusReport:
    """Report on a corpus file or folder.

    Keywords come from `tagger` when given, else from the silver labeller against `background`
    (default: ordinary synthetic messages). With `encoder` (a model folder), semantic clusters
    join the structural ones.
    """
    config = config or ReportConfig()
    rows = read_report_rows(
        path, config.text_column, config.date_column, config.exclude, config.limit, progress
    )
    dedup_config = _dedup_config(config, encoder)
    texts = tqdm(rows.texts, desc="de-duplicating", unit="msg", disable=not progress)
    result = deduplicate(texts, dedup_config)
    families = Families.from_labels(result.labels[COMBINED])
    with_text = np.array([bool(result.template(row)) for row in families.representatives])
    if not with_text.any():
        raise CorpusError(f"{path}: no message has any text once normalised")
    kept = np.flatnonzero(with_text)
    representatives = [rows.texts[row] for row in families.representatives[kept]]
    logger.info("finding keywords of %d families", kept.size)
    if tagger is not None:
        found = tagger_keywords(representatives, tagger, progress)
    else:
        silver = replace(config.silver, workers=config.workers)
        found = silver_keywords(representatives, background or synthetic_background(), silver)
    family_keywords = [reportable(keywords) for keywords in found]
    topics = group_families(family_keywords, families.sizes[kept], config.topics)
    analysis = _Analysis(rows, families, kept, family_keywords, topics)
    return _summarise(
        Path(path).name,
        config,
        analysis,
        dedup_config.methods,
        "tagger" if tagger is not None else "silver",
    )


@dataclass(frozen=True)
class _Analysis:
    """The rows and what was found in them.

    `kept` are the families with text (indices into `families`); keyword lists and topics are
    indexed by position in `kept`.
    """

    rows: ReportRows
    families: Families
    kept: np.ndarray
    family_keywords: list[list[str]]
    topics: Topics

    @property
    def sizes(self) -> np.ndarray:
        return self.families.sizes[self.kept]

    def row_topics(self) -> np.ndarray:
        """Every row's topic, -1 for rows without text."""
        family_topic = np.full(len(self.families), -1, dtype=np.int64)
        family_topic[self.kept] = self.topics.family_topic
        return family_topic[self.families.row_family]


def _dedup_config(config: ReportConfig, encoder: str | Path | None) -> DedupConfig:
    if encoder is None:
        return DedupConfig(methods=STRUCTURAL_METHODS, workers=config.workers)
    return DedupConfig(
        methods=(*STRUCTURAL_METHODS, "semantic"),
        semantic=SemanticConfig(model=str(encoder)),
        workers=config.workers,
    )


def _summarise(
    source: str,
    config: ReportConfig,
    analysis: _Analysis,
    methods: tuple[str, ...],
    keyword_source: str,
) -> CorpusReport:
    """Counts, keywords, examples and trends of the top topics."""
    topics, sizes = analysis.topics, analysis.sizes
    with_text = int(sizes.sum())
    shown = min(config.top_topics, len(topics))
    trends = _trends(config, analysis, shown)
    corpus_counts = keyword_counts(analysis.family_keywords, sizes)
    summaries = []
    for topic in range(shown):
        members = topics.families(topic)
        typical = topics.typical_family(topic)
        example_row = analysis.families.representatives[analysis.kept[typical]]
        keywords = characteristic_keywords(
            keyword_counts(analysis.family_keywords, sizes, members),
            corpus_counts,
            with_text,
            config.keywords_per_topic,
        )
        summaries.append(
            TopicSummary(
                rank=topic + 1,
                count=int(topics.sizes[topic]),
                share=float(topics.sizes[topic] / with_text),
                families=int(members.size),
                keywords=tuple(keywords),
                example=_example(analysis.rows.texts[example_row], config.example_chars),
                trend=tuple(int(n) for n in trends.counts[topic]) if trends else None,
                change=trends.change(topic) if trends else None,
            )
        )
    return CorpusReport(
        source=source,
        messages=len(analysis.rows.texts),
        excluded=analysis.rows.excluded,
        without_text=len(analysis.rows.texts) - with_text,
        families=int(analysis.kept.size),
        topic_count=len(topics),
        methods=methods,
        keyword_source=keyword_source,
        keywords=tuple(top_keywords(corpus_counts, config.top_keywords)),
        topics=tuple(summaries),
        period=trends.period if trends else None,
        periods=trends.labels if trends else (),
        period_totals=tuple(int(n) for n in trends.totals) if trends else (),
        map_coordinates=map_coordinates(topics.vectors[:shown]) if shown >= 2 else None,
        settings=_settings(config),
    )


def _trends(config: ReportConfig, analysis: _Analysis, shown: int) -> Trends | None:
    days = analysis.rows.days
    if days is None:
        return None
    row_topics = analysis.row_topics()
    has_text = np.flatnonzero(row_topics >= 0)
    return topic_trends(row_topics[has_text], [days[row] for row in has_text], shown, config.period)


def _example(text: str, max_chars: int) -> str:
    """The message with carrier boilerplate removed, personal data masked, shortened."""
    return mask_for_display(normalise(text).text, max_chars)


def _settings(config: ReportConfig) -> dict[str, object]:
    """The settings that decide the result, for the record in topics.json and the report."""
    return {
        "text_column": config.text_column,
        "date_column": config.date_column,
        "exclude": {column: sorted(values) for column, values in config.exclude.items()},
        "limit": config.limit,
        "topic_similarity": config.topics.similarity,
        "silver_vocabulary": config.silver.top_n,
    }
