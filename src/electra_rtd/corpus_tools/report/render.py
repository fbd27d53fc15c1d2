"""Render a `CorpusReport` as Markdown (charts beside it as PNG files) and as one HTML page.

The HTML page is self-contained: charts are embedded as base64 PNG, the style is inline, and it
loads nothing (no scripts, fonts or images from elsewhere), so it can be mailed or archived as is.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping, Sequence

from electra_rtd.corpus_tools.report.keywords import KeywordCount
from electra_rtd.corpus_tools.report.summary import CorpusReport, TopicSummary

# Chart keys, in the order the report shows them, with their titles.
CHARTS = {
    "topics": "Top topics",
    "keywords": "Top keywords",
    "map": "Map of topics (near topics share keywords; bubble area = messages)",
    "trends": "Share of each period's messages",
}
SPARK = "▁▂▃▄▅▆▇█"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
code { background: #f4f4f4; padding: 0 0.2em; }
img { max-width: 100%; }
"""


def render_markdown(report: CorpusReport, images: Mapping[str, str]) -> str:
    """Markdown that shows the charts `images` names (chart key -> file name beside it)."""
    lines = [f"# Corpus report: {_md(report.source)}", "", _overview(report), ""]
    lines += ["## Top topics", ""]
    lines += _markdown_table(
        ["#", "topic", "messages", "share", "families", "trend", "example"],
        [
            [
                str(topic.rank),
                _md(topic.label),
                f"{topic.count:,}",
                _percent(topic.share),
                f"{topic.families:,}",
                _trend_text(topic, report.period_totals),
                _code(topic.example),
            ]
            for topic in report.topics
        ],
    )
    lines += [*_markdown_images(images, ("topics", "map")), "## Topics in detail", ""]
    for topic in report.topics:
        lines += [
            f"### {topic.rank}. {_md(topic.label)}",
            "",
            f"- {topic.count:,} messages ({_percent(topic.share)}) in {topic.families:,} families",
            f"- keywords: {_md(_keyword_list(topic.keywords))}",
            f"- example: {_code(topic.example)}",
        ]
        if topic.trend is not None:
            lines.append(
                f"- trend: {_trend_text(topic, report.period_totals)} over {_period_range(report)}"
            )
        lines.append("")
    lines += ["## Top keywords", ""]
    lines += _markdown_table(
        ["keyword", "messages"], [[_md(k.keyword), f"{k.count:,}"] for k in report.keywords]
    )
    lines += _markdown_images(images, ("keywords", "trends"))
    return "\n".join(lines)


def render_html(report: CorpusReport, images: Mapping[str, bytes]) -> str:
    """One HTML page with the charts (`images`: chart key -> PNG bytes) embedded."""
    title = f"Corpus report: {report.source}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ko"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(_overview(report))}</p>",
        "<h2>Top topics</h2>",
        _html_table(
            ["#", "topic", "messages", "share", "families", "trend", "example"],
            [
                [
                    str(topic.rank),
                    html.escape(topic.label),
                    f"{topic.count:,}",
                    _percent(topic.share),
                    f"{topic.families:,}",
                    html.escape(_trend_text(topic, report.period_totals)),
                    f"<code>{html.escape(topic.example)}</code>",
                ]
                for topic in report.topics
            ],
            numeric=(0, 2, 3, 4),
        ),
        *_html_images(images, ("topics", "map")),
        "<h2>Topics in detail</h2>",
    ]
    for topic in report.topics:
        items = [
            f"{topic.count:,} messages ({_percent(topic.share)}) in {topic.families:,} families",
            f"keywords: {html.escape(_keyword_list(topic.keywords))}",
            f"example: <code>{html.escape(topic.example)}</code>",
        ]
        if topic.trend is not None:
            items.append(
                f"trend: {html.escape(_trend_text(topic, report.period_totals))} over "
                f"{html.escape(_period_range(report))}"
            )
        parts.append(f"<h3>{topic.rank}. {html.escape(topic.label)}</h3>")
        parts.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
    parts += [
        "<h2>Top keywords</h2>",
        _html_table(
            ["keyword", "messages"],
            [[html.escape(k.keyword), f"{k.count:,}"] for k in report.keywords],
            numeric=(1,),
        ),
        *_html_images(images, ("keywords", "trends")),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def sparkline(values: Sequence[float]) -> str:
    """One block character per value, scaled to the largest (all lowest when all are zero)."""
    top = max(values, default=0.0)
    if top <= 0:
        return SPARK[0] * len(values)
    return "".join(SPARK[round(value / top * (len(SPARK) - 1))] for value in values)


def _overview(report: CorpusReport) -> str:
    excluded = f" ({report.excluded:,} rows excluded)" if report.excluded else ""
    without_text = (
        f" {report.without_text:,} of them have no text once normalised (e.g. voice-call "
        f"reports) and belong to no topic."
        if report.without_text
        else ""
    )
    source = {"tagger": "the keyword tagger", "silver": "the silver labeller"}
    return (
        f"{report.messages:,} messages{excluded}.{without_text} The {report.with_text:,} "
        f"messages with text form {report.families:,} families of copies "
        f"({', '.join(report.methods)} de-duplication) and {report.topic_count:,} topics; "
        f"keywords from {source.get(report.keyword_source, report.keyword_source)}, a "
        f"topic's most characteristic first, with the messages holding each. Shares are of the "
        f"messages with text; a trend is the topic's share of each period and the fitted change "
        f"of that share from the first period to the last, relative to its mean share; "
        f"examples are masked and shortened."
    )


def _trend_text(topic: TopicSummary, totals: Sequence[int]) -> str:
    """A sparkline of the topic's share of each period and the relative change of that share."""
    if topic.trend is None:
        return ""
    shares = [count / max(total, 1) for count, total in zip(topic.trend, totals, strict=True)]
    change = "" if topic.change is None else f" {topic.change:+.0%}"
    return sparkline(shares) + change


def _period_range(report: CorpusReport) -> str:
    if not report.periods:
        return ""
    return f"{len(report.periods)} {report.period}s, {report.periods[0]} to {report.periods[-1]}"


def _keyword_list(keywords: Sequence[KeywordCount]) -> str:
    return ", ".join(f"{k.keyword} ({k.count:,})" for k in keywords) or "none found"


def _percent(share: float) -> str:
    return f"{share:.1%}"


def _md(text: str) -> str:
    """Text with Markdown's special characters escaped, safe in a table cell."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _code(text: str) -> str:
    """A code span (placeholders such as <URL> stay visible); pipes escaped for tables."""
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _markdown_images(images: Mapping[str, str], keys: Sequence[str]) -> list[str]:
    return [
        line for key in keys if key in images for line in (f"![{CHARTS[key]}]({images[key]})", "")
    ]


def _html_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()
) -> str:
    """A table of cells that are already HTML; `numeric` columns are right-aligned."""
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{cell}</td>' if index in numeric else f"<td>{cell}</td>"
            for index, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_images(images: Mapping[str, bytes], keys: Sequence[str]) -> list[str]:
    return [
        f'<figure><img alt="{html.escape(CHARTS[key])}" src="data:image/png;base64,'
        f'{base64.b64encode(images[key]).decode("ascii")}"><figcaption>'
        f"{html.escape(CHARTS[key])}</figcaption></figure>"
        for key in keys
        if key in images
    ]
