"""A report on what a message dump is about: its topics, their keywords, examples and trends.

`build_report` reads a corpus, groups copies of one message into families (de-duplication),
finds the families' keywords (a trained tagger or the silver labeller) and groups families that
share keywords into topics, ranked by how many messages they hold; `write_report` writes
report.md with PNG charts, a self-contained report.html and topics.json.
"""

from electra_rtd.corpus_tools.report.build import ReportConfig, build_report
from electra_rtd.corpus_tools.report.files import REPORT_FILES, write_report
from electra_rtd.corpus_tools.report.keywords import KeywordCount, synthetic_background
from electra_rtd.corpus_tools.report.summary import CorpusReport, TopicSummary
from electra_rtd.corpus_tools.report.topics import TopicSettings

__all__ = [
    "CorpusReport",
    "KeywordCount",
    "REPORT_FILES",
    "ReportConfig",
    "TopicSettings",
    "TopicSummary",
    "build_report",
    "synthetic_background",
    "write_report",
]
