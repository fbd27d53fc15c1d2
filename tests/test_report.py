"""The corpus report: families and topics, keyword counts, trends, rendering, and one whole report.

Unit tests use hand-made keyword sets, days and counts whose right answer follows from the rules.
The end-to-end test reports on a synthetic corpus whose kinds, templates and trends are known:
coin spam (growing over the year) outnumbers real-estate ads (fading).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from electra_rtd.corpus_tools.report import (
    CorpusReport,
    KeywordCount,
    ReportConfig,
    TopicSummary,
    build_report,
    synthetic_background,
    write_report,
)
from electra_rtd.corpus_tools.report.keywords import (
    characteristic_keywords,
    keyword_counts,
    reportable,
    top_keywords,
)
from electra_rtd.corpus_tools.report.plots import HANGUL_FAMILIES, hangul_font, horizontal_bars
from electra_rtd.corpus_tools.report.render import render_html, render_markdown, sparkline
from electra_rtd.corpus_tools.report.rows import read_report_rows
from electra_rtd.corpus_tools.report.topics import (
    Families,
    TopicSettings,
    group_families,
    map_coordinates,
)
from electra_rtd.corpus_tools.report.trends import choose_period, topic_trends
from electra_rtd.data.corpus import CorpusError
from electra_rtd.data.synthetic import generate_messages
from electra_rtd.text.normalise import normalise
from electra_rtd.text.privacy import PiiKind, find_pii, mask_for_display

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# Families and topics


def test_families_are_numbered_by_first_row_with_sizes() -> None:
    families = Families.from_labels(np.array([7, 7, 2, 7, 9, 2]))

    assert families.row_family.tolist() == [0, 0, 1, 0, 2, 1]
    assert families.representatives.tolist() == [0, 2, 4]
    assert families.sizes.tolist() == [3, 2, 1]


COIN = [{"btc", "단타", "입장"}, {"btc", "단타", "코드"}, {"비트", "단타", "btc"}]
GAMBLING = [{"카지노", "쿠폰", "가입"}, {"카지노", "슬롯", "쿠폰"}]
LOAN = [{"대출", "한도"}]


def test_families_sharing_keywords_form_one_topic_ranked_by_messages() -> None:
    keywords = [*COIN, *GAMBLING, *LOAN, set()]
    sizes = np.array([5, 4, 3, 10, 9, 30, 50])

    topics = group_families(keywords, sizes, TopicSettings(similarity=0.2))

    # The family without keywords (50 rows) cannot be compared: it is a topic alone, and first.
    assert topics.families(0).tolist() == [6]
    assert topics.families(1).tolist() == [5]  # the loan family (30) beats coin (12)
    assert topics.families(2).tolist() == [3, 4]  # gambling, 19 messages
    assert topics.families(3).tolist() == [0, 1, 2]  # coin, 12 messages
    assert topics.sizes.tolist() == [50, 30, 19, 12]


def test_families_beyond_the_seeds_join_the_nearest_topic_or_stay_alone() -> None:
    keywords = [*GAMBLING, COIN[0], COIN[1], LOAN[0]]
    sizes = np.array([10, 9, 8, 2, 1])

    topics = group_families(keywords, sizes, TopicSettings(similarity=0.2, max_seeds=3))

    # Seeds: the two gambling families and the first coin family. The second coin family joins
    # the coin topic; the loan family shares nothing and stays alone.
    assert [topics.families(t).tolist() for t in range(len(topics))] == [[0, 1], [2, 3], [4]]


def test_a_high_similarity_keeps_families_apart() -> None:
    topics = group_families(COIN, np.array([3, 2, 1]), TopicSettings(similarity=0.99))

    assert len(topics) == 3
    assert topics.sizes.tolist() == [3, 2, 1]


def test_equal_topics_are_ranked_by_their_first_family() -> None:
    topics = group_families([{"a"}, {"b"}, {"c"}], np.array([2, 2, 2]))

    assert topics.family_topic.tolist() == [0, 1, 2]


def test_a_topic_is_shown_by_a_family_like_the_others_not_a_large_outlier() -> None:
    # Three coin families and a larger gambling family that shares only "btc" with them: at a
    # low similarity all four are one topic, but the gambling family is no example of it.
    keywords = [*COIN, {"btc", "카지노", "쿠폰", "슬롯"}]

    topics = group_families(keywords, np.array([6, 5, 4, 12]), TopicSettings(similarity=0.05))

    assert topics.families(0).tolist() == [0, 1, 2, 3]
    assert topics.typical_family(0) in {0, 1, 2}


def test_group_families_rejects_mismatched_inputs() -> None:
    with pytest.raises(ValueError, match="keyword sets for 2 families"):
        group_families([{"a"}], np.array([1, 1]))


def test_the_map_puts_alike_topics_closer_than_different_ones() -> None:
    topics = group_families(
        [{"btc", "단타", "입장"}, {"btc", "단타", "코드", "관망"}, {"카지노", "쿠폰"}],
        np.array([3, 2, 1]),
        TopicSettings(similarity=0.99),
    )
    coordinates = map_coordinates(topics.vectors)

    assert coordinates.shape == (3, 2)
    near = np.linalg.norm(coordinates[0] - coordinates[1])
    far = min(np.linalg.norm(coordinates[2] - coordinates[i]) for i in (0, 1))
    assert near < far
    assert np.array_equal(coordinates, map_coordinates(topics.vectors)), "deterministic"


# Keywords


def test_keywords_count_messages_once_per_family_member() -> None:
    family_keywords = [["btc", "단타", "btc"], ["단타", "쿠폰"], ["쿠폰"]]
    sizes = np.array([5, 2, 4])

    counts = keyword_counts(family_keywords, sizes)

    assert counts == {"btc": 5, "단타": 7, "쿠폰": 6}
    assert top_keywords(counts, 2) == [KeywordCount("단타", 7), KeywordCount("쿠폰", 6)]
    assert keyword_counts(family_keywords, sizes, families=[1, 2]) == {"단타": 2, "쿠폰": 6}


def test_keyword_ties_are_broken_alphabetically() -> None:
    assert [k.keyword for k in top_keywords(Counter({"b": 1, "a": 1}), 2)] == ["a", "b"]


def test_a_topic_is_named_by_its_characteristic_keywords_not_the_dumps_common_ones() -> None:
    # "입장" is in 90 of the corpus's 100 messages, "월드컵" in 10: both in all 10 of the topic.
    corpus = Counter({"입장": 90, "월드컵": 10, "쿠폰": 40})
    topic = Counter({"입장": 10, "월드컵": 10, "쿠폰": 4})

    ranked = characteristic_keywords(topic, corpus, messages=100, top=3)

    # Weights: 월드컵 10 * ln(10) = 23.0, 쿠폰 4 * ln(2.5) = 3.7, 입장 10 * ln(1.11) = 1.1.
    assert ranked == [
        KeywordCount("월드컵", 10),
        KeywordCount("쿠폰", 4),
        KeywordCount("입장", 10),
    ]


def test_keywords_holding_personal_data_are_never_reported() -> None:
    keywords = ["비트코인", "010-1234-5678", "https://vo.la/ab12", "비트코인", "", "리딩방"]

    assert reportable(keywords) == ["비트코인", "리딩방"]


# Trends


def test_periods_are_days_for_a_month_and_months_for_a_year() -> None:
    month = [date(2022, 8, 1) + timedelta(days=i) for i in range(31)]
    year = [date(2022, 1, 1) + timedelta(days=i) for i in range(0, 365, 3)]

    assert choose_period(month) == "day"
    assert choose_period(year[:60]) == "week"  # 180 days: 26 weeks
    assert choose_period(year) == "month"


def test_trends_count_topics_per_period_and_read_change_from_shares() -> None:
    # Day 1: topic 0 once in 4 messages; day 2: twice in 4; day 3: three times in 4.
    days = ["2022-08-01"] * 4 + ["2022-08-02"] * 4 + ["2022-08-03"] * 4
    topics = np.array([0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1])

    trends = topic_trends(topics, days, topics=2)

    assert trends.period == "day"
    assert trends.labels == ("2022-08-01", "2022-08-02", "2022-08-03")
    assert trends.counts.tolist() == [[1, 2, 3], [3, 2, 1]]
    assert trends.totals.tolist() == [4, 4, 4]
    # Topic 0's share rises 0.25 -> 0.75 around a mean of 0.5: a change of +100%.
    assert trends.change(0) == pytest.approx(1.0)
    assert trends.change(1) == pytest.approx(-1.0)


def test_rows_of_unshown_topics_count_only_in_the_totals() -> None:
    trends = topic_trends(np.array([0, 5, 5]), ["2022-01-01"] * 3, topics=1)

    assert trends.counts.tolist() == [[1]]
    assert trends.totals.tolist() == [3]
    assert trends.change(0) is None, "one period has no trend"


# Reading rows


def test_rows_leave_out_excluded_values_and_stop_at_the_limit(tmp_path: Path) -> None:
    corpus = tmp_path / "messages.tsv"
    corpus.write_text(
        "message\tfile_date\n"
        "가\t2022-01-01\n나\t2022-12-31\n다\t2022-01-02 10:00:00\n\t2022-01-02\n라\t2022-01-03\n",
        encoding="utf-8",
    )

    rows = read_report_rows(corpus, "message", "file_date", {"file_date": ["2022-12-31"]}, limit=2)

    assert rows.texts == ["가", "다"]
    assert rows.days == ["2022-01-01", "2022-01-02"]
    assert rows.excluded == 1


def test_a_bad_date_names_the_file_and_message(tmp_path: Path) -> None:
    corpus = tmp_path / "messages.tsv"
    corpus.write_text("message\tday\n가\t2022-01-01\n나\tyesterday\n", encoding="utf-8")

    with pytest.raises(CorpusError, match=r"messages\.tsv: message 2: column 'day' holds 'yes"):
        read_report_rows(corpus, "message", "day")


def test_a_missing_date_column_names_the_file_and_header_line(tmp_path: Path) -> None:
    corpus = tmp_path / "messages.tsv"
    corpus.write_text("message\n가\n", encoding="utf-8")

    with pytest.raises(CorpusError, match=r"messages\.tsv:1: no column 'day'"):
        read_report_rows(corpus, "message", "day")


# Rendering


def hand_made_report(example: str = "비트코인 | 리딩방 <URL>") -> CorpusReport:
    topic = TopicSummary(
        rank=1,
        count=6,
        share=0.75,
        families=2,
        keywords=(KeywordCount("비트코인", 6), KeywordCount("리딩방", 4)),
        example=example,
        trend=(1, 2, 3),
        change=0.5,
    )
    return CorpusReport(
        source="messages.tsv",
        messages=10,
        excluded=1,
        without_text=2,
        families=3,
        topic_count=2,
        methods=("exact", "structural"),
        keyword_source="silver",
        keywords=(KeywordCount("비트코인", 6),),
        topics=(topic,),
        period="day",
        periods=("2022-01-01", "2022-01-02", "2022-01-03"),
        period_totals=(2, 2, 4),
    )


def test_sparkline_scales_to_the_largest_value() -> None:
    assert sparkline([0, 0.5, 1]) == "▁▅█"
    assert sparkline([0, 0]) == "▁▁"


def test_markdown_shows_topics_keeps_placeholders_and_escapes_pipes() -> None:
    text = render_markdown(hand_made_report(), {"topics": "topics.png"})

    assert "| 1 | 비트코인 · 리딩방 | 6 | 75.0% | 2 |" in text
    assert "`비트코인 \\| 리딩방 <URL>`" in text, "the pipe would split the table cell"
    assert "![Top topics](topics.png)" in text
    assert "+50%" in text
    # Shares per day: 1/2, 2/2, 3/4 -> the middle day is the highest.
    assert "▅█▆" in text


def test_html_is_self_contained_and_escaped() -> None:
    page = render_html(hand_made_report("<URL> & <PHONE>"), {"topics": PNG_MAGIC + b"..."})

    assert "&lt;URL&gt; &amp; &lt;PHONE&gt;" in page
    assert "<script" not in page
    assert not re.search(r"(src|href)=\"(?!data:)", page), "everything is embedded"
    assert "http" not in page
    assert 'src="data:image/png;base64,iVBORw0KGgo' in page


def test_charts_are_png_with_a_hangul_font_when_one_is_installed() -> None:
    png = horizontal_bars(["1. 비트코인 · 리딩방", "2. 카지노"], [10, 4], "Top topics", "messages")

    assert png.startswith(PNG_MAGIC)
    if hangul_font() is None:
        pytest.skip("no Hangul font installed: labels are drawn as boxes")
    assert hangul_font() in HANGUL_FAMILIES


# A whole report on a synthetic corpus


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[list, Path]:
    messages = generate_messages(500, 3, kinds=("coin_stock_spam", "real_estate_ad"))
    path = tmp_path_factory.mktemp("corpus") / "messages.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for message in messages:
            record = {"text": message.text, "date": message.date, "kind": message.kind}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return messages, path


@pytest.fixture(scope="module")
def report(synthetic) -> CorpusReport:
    _, path = synthetic
    config = ReportConfig(date_column="date", top_topics=8)
    return build_report(path, config, background=synthetic_background(500))


def examples_of(messages: list, kind: str) -> set[str]:
    """The masked example each message of `kind` would give, as the report builds them."""
    return {
        mask_for_display(normalise(message.text).text, 60)
        for message in messages
        if message.kind == kind
    }


def topic_kind(topic: TopicSummary, messages: list) -> str:
    """The kind of the topic's example message (each topic's example is one of its messages)."""
    kinds = ("coin_stock_spam", "real_estate_ad")
    matches = [kind for kind in kinds if topic.example in examples_of(messages, kind)]
    assert len(matches) == 1, f"example {topic.example!r} is not from exactly one kind"
    return matches[0]


def test_the_top_topic_is_of_the_kind_that_dominates(report, synthetic) -> None:
    messages, _ = synthetic
    coin_share = sum(m.kind == "coin_stock_spam" for m in messages) / len(messages)
    assert coin_share > 0.55, "the corpus is made mostly of coin spam"

    assert topic_kind(report.topics[0], messages) == "coin_stock_spam"
    assert report.topics[0].keywords, "a topic is named by its keywords"


def test_topics_are_ranked_counted_and_shared_consistently(report, synthetic) -> None:
    messages, _ = synthetic
    counts = [topic.count for topic in report.topics]

    assert counts == sorted(counts, reverse=True)
    assert report.messages == len(messages)
    assert sum(counts) <= report.with_text
    for topic in report.topics:
        assert topic.share == pytest.approx(topic.count / report.with_text)
        assert sum(topic.trend) == topic.count
    assert report.period == "month" and len(report.periods) == 12


def test_growing_and_fading_kinds_show_in_their_topics_trends(report, synthetic) -> None:
    """The generator makes coin spam grow over the year (trend +0.8), real estate fade (-0.7)."""
    messages, _ = synthetic
    by_kind: dict[str, list[TopicSummary]] = {"coin_stock_spam": [], "real_estate_ad": []}
    for topic in report.topics:
        by_kind[topic_kind(topic, messages)].append(topic)
    assert by_kind["coin_stock_spam"] and by_kind["real_estate_ad"]

    def halves(kind: str) -> tuple[int, int]:
        monthly = np.sum([topic.trend for topic in by_kind[kind]], axis=0)
        return int(monthly[:6].sum()), int(monthly[6:].sum())

    first, second = halves("coin_stock_spam")
    assert second > first
    first, second = halves("real_estate_ad")
    assert second < first
    assert by_kind["coin_stock_spam"][0].change > 0
    assert by_kind["real_estate_ad"][0].change < 0


def test_examples_are_masked_and_short(report) -> None:
    for topic in report.topics:
        assert len(topic.example) <= 60
        assert not find_pii(topic.example, {PiiKind.PHONE, PiiKind.URL, PiiKind.EMAIL})
        assert not re.search(r"https?://|\d{2,3}-\d{3,4}-\d{4}", topic.example)


def test_written_report_files(report, tmp_path: Path) -> None:
    written = {path.name for path in write_report(report, tmp_path)}

    assert {"report.md", "report.html", "topics.json", "topics.png", "keywords.png"} <= written
    assert {"map.png", "trends.png"} <= written
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    for image in re.findall(r"\]\(([^)]+\.png)\)", markdown):
        assert (tmp_path / image).read_bytes().startswith(PNG_MAGIC)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http" not in page
    assert page.count("data:image/png;base64,") == 4
    document = json.loads((tmp_path / "topics.json").read_text(encoding="utf-8"))
    assert [topic["rank"] for topic in document["topics"]] == list(range(1, 9))
    assert document["topics"][0]["label"] == report.topics[0].label
    assert document["settings"]["date_column"] == "date"
