"""Carrier and report boilerplate around Korean messages: tags, opt-out lines, KISA report markers.

Thousands of copies of one spam differ in "[Web발신]" or "무료거부 080..." but not in their body;
removing these makes copies comparable. Each kind can be kept, since "(광고)" is itself a signal
for some tasks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from electra_rtd.text.text_offsets import sub_mapped


@dataclass(frozen=True)
class Boilerplate:
    """A boilerplate pattern and a substring all its matches contain (a cheap test to skip it)."""

    pattern: re.Pattern[str]
    trigger: str


CARRIER_TAG = Boilerplate(
    re.compile(
        r"\[\s*(?:web\s?발신|국제\s?발신|국외\s?발신|해외\s?발신|SMS|LMS|MMS|FW)\s*\]",
        re.IGNORECASE,
    ),
    "[",
)
# "(광고)", "[광고]", and a bare "광고)" opening the body (seen after "[Web발신]").
AD_TAG = Boilerplate(re.compile(r"[(\[]\s*광\s?고\s*[)\]]|(?<![가-힣])광고\s?\)"), "광")
_OPT_OUT_NUMBER = r"\s*[:.]?\s*\(?\d[\d\s\-.)]{6,14}\d"
# "무료거부 0801234567", "무료 수신거부: 080-123-4567", "[무료수신거부]"; a bare "수신거부" only
# with a number after it, since the word also appears in ordinary sentences.
OPT_OUT = Boilerplate(
    re.compile(
        rf"""
        \[?(?:무료\s?수신\s?거부|무료\s?거부)\]?(?:{_OPT_OUT_NUMBER})?
        | 수신\s?거부{_OPT_OUT_NUMBER}
        """,
        re.VERBOSE,
    ),
    "거부",
)

# The KISA report file wraps each message: "MMS 스팸신고" in front, often after "0000", and a
# channel marker with the MMS title at the end ("... SMS/-", "... MMS/<title>", "VoiceCall/-").
# "0000" counts as wrapper only before the report label or a carrier or ad tag (which the tag
# steps remove); elsewhere it may be content.
_REPORT_LABEL = r"(?:MMS|SMS|LMS|RCS|음성|영상)\s스팸신고"
_REPORT_PREFIX = re.compile(
    rf"\A(?:0000(?={_REPORT_LABEL}|\(광고\)|\[(?:Web|국제|국외|해외)발신\]))?(?:{_REPORT_LABEL}\s?)?"
)
# The space before the marker is left to whitespace collapsing; starting on the channel name lets
# the regex engine skip quickly to candidate positions.
_REPORT_SUFFIX = re.compile(
    r"(?:SMS|LMS|RCS|URLCB|VoiceCall|VideoCall)/\S*\s*\Z|MMS/(?P<title>.*)\Z", re.DOTALL
)
# Titles the reporting app fills in when the sender gave none.
_EMPTY_TITLES = frozenset({"", "-", "null", "제목없음", "[제목없음]"})


def strip_report_markers(
    text: str, offsets: list[int], keep_mms_title: bool
) -> tuple[str, list[int]]:
    """Remove the KISA wrapper; with `keep_mms_title` a real MMS title stays as the last line."""

    def suffix(match: re.Match[str]) -> str:
        title = match.group("title")
        if keep_mms_title and title is not None and title.strip() not in _EMPTY_TITLES:
            return title
        return ""

    text, offsets = sub_mapped(_REPORT_PREFIX, lambda match: "", text, offsets)
    return sub_mapped(_REPORT_SUFFIX, suffix, text, offsets)


def strip_tags(
    text: str, offsets: list[int], kinds: tuple[Boilerplate, ...]
) -> tuple[str, list[int]]:
    """Replace each boilerplate match by a space, so the words on either side stay apart."""
    for kind in kinds:
        if kind.trigger in text:
            text, offsets = sub_mapped(kind.pattern, lambda match: " ", text, offsets)
    return text, offsets
