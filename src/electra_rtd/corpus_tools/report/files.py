"""Write a report's files: report.md with its PNG charts, a self-contained report.html, topics.json."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from electra_rtd.corpus_tools.report import plots
from electra_rtd.corpus_tools.report.render import CHARTS, render_html, render_markdown
from electra_rtd.corpus_tools.report.summary import CorpusReport
from electra_rtd.outputs import check_output, write_bytes, write_text

logger = logging.getLogger(__name__)

REPORT_MD, REPORT_HTML, TOPICS_JSON = "report.md", "report.html", "topics.json"
CHART_FILES = {key: f"{key}.png" for key in CHARTS}
REPORT_FILES = (REPORT_MD, REPORT_HTML, TOPICS_JSON, *CHART_FILES.values())
# Lines on one trend chart; more would not be told apart.
TREND_LINES = 8


def draw_charts(report: CorpusReport) -> dict[str, bytes]:
    """PNG bytes per chart key; the map needs two topics and the trends two periods."""
    labels = [f"{topic.rank}. {topic.label}" for topic in report.topics]
    charts = {
        "topics": plots.horizontal_bars(
            labels, [topic.count for topic in report.topics], CHARTS["topics"], "messages"
        ),
        "keywords": plots.horizontal_bars(
            [k.keyword for k in report.keywords],
            [k.count for k in report.keywords],
            CHARTS["keywords"],
            "messages containing the keyword",
        ),
    }
    if report.map_coordinates is not None:
        charts["map"] = plots.topic_map(
            report.map_coordinates,
            [topic.count for topic in report.topics],
            [topic.label for topic in report.topics],
            CHARTS["map"],
        )
    if len(report.periods) >= 2:
        shown = report.topics[:TREND_LINES]
        totals = [max(total, 1) for total in report.period_totals]
        shares = np.array([topic.trend for topic in shown]) / np.array(totals)
        charts["trends"] = plots.trend_lines(
            report.periods, shares, labels[: len(shown)], CHARTS["trends"]
        )
    return charts


def write_report(report: CorpusReport, out_dir: str | Path) -> list[Path]:
    """Write every file of the report into `out_dir` (created if missing); returns their paths."""
    out_dir = check_output(out_dir, files=REPORT_FILES)
    charts = draw_charts(report)
    written = []
    for key, png in charts.items():
        written.append(write_bytes(out_dir / CHART_FILES[key], png))
    names = {key: CHART_FILES[key] for key in charts}
    documents = {
        REPORT_MD: render_markdown(report, names),
        REPORT_HTML: render_html(report, charts),
        TOPICS_JSON: json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n",
    }
    for name, text in documents.items():
        written.append(write_text(out_dir / name, text))
    logger.info("wrote the report to %s (%s)", out_dir, ", ".join(p.name for p in written))
    return written
