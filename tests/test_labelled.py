"""Reading and writing labelled keyword data: every format, every kind of bad input."""

from __future__ import annotations

import gzip
import json
import logging
import re
from pathlib import Path

import pytest

from conftest import SHARED_DATA, requires_shared_data
from electra_rtd.data.corpus import CorpusError
from electra_rtd.data.labelled import (
    LabelledMessage,
    read_labelled,
    spans_for_keywords,
    synthetic_labelled,
    write_labelled,
)
from electra_rtd.data.synthetic import generate_messages
from electra_rtd.text.spans import Span

KLUE_DEV = SHARED_DATA / "ner" / "klue" / "klue-ner-v1.1_dev.tsv"


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def jsonl_file(path: Path, records: list[object]) -> Path:
    return write_lines(path, [json.dumps(record, ensure_ascii=False) for record in records])


# --- LabelledMessage ---------------------------------------------------------------------------


def test_message_sorts_its_spans_and_lists_keywords() -> None:
    message = LabelledMessage("무료 대출 상담", (Span(3, 5, "KW"), Span(0, 2, "KW")))
    assert message.spans == (Span(0, 2, "KW"), Span(3, 5, "KW"))
    assert message.keywords == ["무료", "대출"]


@pytest.mark.parametrize(
    ("spans", "problem"),
    [
        ((Span(0, 9, "KW"),), "ends past the text"),
        ((Span(3, 3, "KW"),), "start < end"),
        ((Span(-1, 2, "KW"),), "start < end"),
        ((Span(0, 5, "KW"), Span(3, 7, "KW")), "overlaps"),
        ((Span(0, 2, "KW"), Span(0, 2, "KW")), "overlaps"),
        ((Span(0, 3, "KW"),), "whitespace"),
        ((Span(0, 2, ""),), "label"),
        (((True, 2, "KW"),), "integers"),
    ],
)
def test_message_rejects_bad_spans(spans: tuple, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        LabelledMessage("무료 대출 상담", spans)


def test_message_rejects_blank_text() -> None:
    with pytest.raises(ValueError, match="non-blank"):
        LabelledMessage("  \n", ())


# --- keywords to spans -------------------------------------------------------------------------


def test_keywords_are_tagged_everywhere_longest_first() -> None:
    text = "서울시청 옆 서울역, 서울시청"
    spans = spans_for_keywords(text, ["서울", "서울시청"])
    assert [text[s.start : s.end] for s in spans] == ["서울시청", "서울", "서울시청"]
    assert [s.start for s in spans] == [0, 7, 12]


def test_keyword_occurrences_never_overlap_each_other() -> None:
    assert spans_for_keywords("ㅋㅋㅋ", ["ㅋㅋ"]) == (Span(0, 2, "KW"),)


def test_a_blocked_occurrence_does_not_hide_the_next_one() -> None:
    # "나나" first occurs at 1, inside "가나"; the next occurrence starts one character later.
    assert spans_for_keywords("가나나나", ["가나", "나나"]) == (Span(0, 2, "KW"), Span(2, 4, "KW"))


def test_missing_keyword_is_an_error() -> None:
    with pytest.raises(ValueError, match="does not occur"):
        spans_for_keywords("무료 대출", ["코인"])


# --- JSONL -------------------------------------------------------------------------------------


def test_jsonl_with_spans_keywords_meta_and_source(tmp_path: Path) -> None:
    path = jsonl_file(
        tmp_path / "labels.jsonl",
        [
            {"text": "무료 대출 상담", "spans": [{"start": 3, "end": 5, "label": "KW"}], "id": 7},
            {"text": "코인 리딩방 코인", "keywords": ["코인"], "source": "llm"},
            {"text": "안녕하세요", "spans": []},
            # Both given, as the synthetic corpus writes them: the spans win.
            {"text": "택배 도착", "spans": [{"start": 0, "end": 2}], "keywords": ["도착"]},
        ],
    )
    messages = read_labelled(path, source="gold")
    assert messages == [
        LabelledMessage("무료 대출 상담", (Span(3, 5, "KW"),), "gold", {"id": 7}),
        LabelledMessage("코인 리딩방 코인", (Span(0, 2, "KW"), Span(7, 9, "KW")), "llm"),
        LabelledMessage("안녕하세요", (), "gold"),
        LabelledMessage("택배 도착", (Span(0, 2, "KW"),), "gold"),
    ]


def test_jsonl_spans_are_trimmed_of_whitespace(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = jsonl_file(
        tmp_path / "a.jsonl", [{"text": "무료 대출", "spans": [{"start": 2, "end": 5}]}]
    )
    with caplog.at_level(logging.INFO, logger="electra_rtd.data.labelled"):
        (message,) = read_labelled(path)
    assert message.spans == (Span(3, 5, "KW"),)
    assert "trimmed whitespace from the ends of 1 spans" in caplog.text


def test_gzipped_json_lines_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(
            '{"text": "대출", "keywords": ["대출"]}\n\n   \n{"text": "코인", "spans": []}\n'
        )
    assert read_labelled(path) == [
        LabelledMessage("대출", (Span(0, 2, "KW"),)),
        LabelledMessage("코인", ()),
    ]


BAD_RECORDS = [
    ('{"text": "무료 대출", "spans": [{"start": 3, "end": 9}]}', "ends past the text"),
    ('{"text": "무료 대출", "spans": [{"start": 3, "end": 3}]}', "start < end"),
    (
        '{"text": "무료 대출", "spans": [{"start": 0, "end": 4}, {"start": 3, "end": 5}]}',
        "overlaps",
    ),
    ('{"text": "무료 대출", "spans": [{"start": "0", "end": 2}]}', "integers"),
    ('{"text": "무료 대출", "spans": [{"start": 2, "end": 3}]}', "only whitespace"),
    ('{"text": "무료 대출", "spans": [[0, 2]]}', "'start' and 'end'"),
    ('{"text": "무료 대출", "keywords": ["코인"]}', "does not occur"),
    ('{"text": "무료 대출", "keywords": "대출"}', "must be a list"),
    ('{"text": "무료 대출"}', "needs 'spans' or 'keywords'"),
    ('{"text": "   ", "spans": []}', "non-blank"),
    ('{"text": "무료", "spans": [], "source": 3}', "source must be a string"),
    ('["무료"]', "expected a JSON object"),
    ('{"text": "무료", ', "malformed JSON"),
]


@pytest.mark.parametrize(("line", "problem"), BAD_RECORDS)
def test_bad_jsonl_raises_with_file_and_line(tmp_path: Path, line: str, problem: str) -> None:
    path = write_lines(tmp_path / "bad.jsonl", ['{"text": "대출", "spans": []}', line])
    with pytest.raises(CorpusError, match=rf"^{re.escape(str(path))}:2: .*{re.escape(problem)}"):
        read_labelled(path)


def test_warn_drops_bad_examples_and_logs_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = '{"text": "대출", "keywords": ["대출"]}'
    lines = [good] + [line for line, _ in BAD_RECORDS] + [good]
    path = write_lines(tmp_path / "mixed.jsonl", lines)
    with caplog.at_level(logging.WARNING, logger="electra_rtd.data.labelled"):
        messages = read_labelled(path, on_error="warn")
    assert messages == [LabelledMessage("대출", (Span(0, 2, "KW"),))] * 2
    (record,) = caplog.records
    assert f"dropped {len(BAD_RECORDS)} bad labelled examples" in record.getMessage()
    assert "lines 2, 3, 4, 5, 6, ..." in record.getMessage()


def test_a_file_without_usable_examples_is_an_error(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bad.jsonl", ['{"text": "무료"}'])
    with pytest.raises(CorpusError, match=r"no usable labelled examples \(1 dropped"):
        read_labelled(path, on_error="warn")
    with pytest.raises(CorpusError, match="no usable"):
        read_labelled(write_lines(tmp_path / "empty.jsonl", []))


def test_unknown_suffix_missing_file_and_bad_options(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="unsupported labelled file"):
        read_labelled(write_lines(tmp_path / "labels.csv", ["text"]))
    with pytest.raises(FileNotFoundError):
        read_labelled(tmp_path / "absent.jsonl")
    with pytest.raises(ValueError, match="on_error"):
        read_labelled(tmp_path / "labels.csv", on_error="ignore")  # type: ignore[arg-type]


# --- BIO ---------------------------------------------------------------------------------------


def test_character_level_bio_in_klue_layout(tmp_path: Path) -> None:
    lines = [
        "## 토큰, 레이블 구분자 : \t",
        "## 칼럼명 : CHAR\tNE_TAG",
        "## doc-1\t<서울:LC> 가자",
        "서\tB-LC",
        "울\tI-LC",
        " \tI-LC",  # a space tagged inside the span: trimmed away
        "가\tO",
        "자\tO",
        "",
        "## doc-2\t#<1:QT>등",
        "#\tO",  # a literal '#' token, not a comment
        "1\tB-QT",
        "등\tO",
        "",
    ]
    path = write_lines(tmp_path / "ner.tsv", lines)
    assert read_labelled(path, source="gold") == [
        LabelledMessage("서울 가자", (Span(0, 2, "LC"),), "gold"),
        LabelledMessage("#1등", (Span(1, 2, "QT"),), "gold"),
    ]


def test_token_level_bio_with_columns_and_docstart(tmp_path: Path) -> None:
    lines = [
        "-DOCSTART- -X- O",
        "",
        "비트코인 NNP B-KW",
        "리딩방 NNG I-KW",
        "무료 NNG B-KW",
        "입장 NNG O",
        "",
        "# a comment line",
        "대출\tB-KW",
        "상담\tO  ",  # spaces after a tag are ignored
    ]
    path = write_lines(tmp_path / "tags.conll", lines)
    assert read_labelled(path) == [
        LabelledMessage("비트코인 리딩방 무료 입장", (Span(0, 8, "KW"), Span(9, 11, "KW"))),
        LabelledMessage("대출 상담", (Span(0, 2, "KW"),)),
    ]


def test_bio_level_auto_and_explicit(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "short.bio", ["a O", "b B-KW", ""])
    assert read_labelled(path)[0].text == "ab"
    assert read_labelled(path, bio_level="token")[0] == LabelledMessage("a b", (Span(2, 3, "KW"),))


@pytest.mark.parametrize(
    ("previous", "line", "problem"),
    [
        ("홍길동\tB-PS", "대출", "expected a token and a tag"),
        ("홍길동\tB-PS", "대출\tX-KW", "is not 'O'"),
        ("홍길동\tB-PS", "대출\tB_KW", "is not 'O'"),
        ("홍길동\tB-PS", "\tB-KW", "token is empty"),
        ("홍길동\tO", "대출\tI-KW", "does not continue a KW span (previous tag O)"),
        ("홍길동\tB-PS", "대출\tI-LC", "does not continue a LC span (previous tag B-PS)"),
    ],
)
def test_ill_formed_bio_line_raises_with_its_line(
    tmp_path: Path, previous: str, line: str, problem: str
) -> None:
    path = write_lines(tmp_path / "bad.bio", ["오늘\tO", "", previous, line, ""])
    with pytest.raises(CorpusError, match=rf"^{re.escape(str(path))}:4: .*{re.escape(problem)}"):
        read_labelled(path)


def test_bio_warn_drops_the_whole_sentence(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = ["대출\tB-KW", "상담\tBAD", "문의\tB-KW", "", " \tB-KW", " \tI-KW", "", "코인\tB-KW"]
    path = write_lines(tmp_path / "bad.tsv", lines)
    with caplog.at_level(logging.WARNING, logger="electra_rtd.data.labelled"):
        messages = read_labelled(path, on_error="warn", bio_level="token")
    assert messages == [LabelledMessage("코인", (Span(0, 2, "KW"),))]
    (record,) = caplog.records
    assert "dropped 2 bad labelled examples (lines 2, 5)" in record.getMessage()


# --- writing and synthetic data ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["out/labels.jsonl", "labels.jsonl.gz"])
def test_write_then_read_gives_equal_messages(tmp_path: Path, name: str) -> None:
    messages = [
        LabelledMessage("무료 대출 상담", (Span(0, 2, "KW"), Span(3, 5, "KW")), "silver", {"n": 1}),
        LabelledMessage("서울 가자", (Span(0, 2, "LC"),)),
    ]
    path = write_labelled(messages, tmp_path / name)
    assert read_labelled(path) == messages
    if not name.endswith(".gz"):
        assert "무료" in path.read_text(encoding="utf-8")  # ensure_ascii=False


def test_write_refuses_bio_names_and_clashing_meta(tmp_path: Path) -> None:
    message = LabelledMessage("대출", ())
    with pytest.raises(ValueError, match="written as JSONL"):
        write_labelled([message], tmp_path / "labels.conll")
    with pytest.raises(ValueError, match="clash"):
        write_labelled([LabelledMessage("대출", (), meta={"spans": 1})], tmp_path / "a.jsonl")


def test_synthetic_labelled_matches_the_generator() -> None:
    messages = synthetic_labelled(50, seed=3)
    generated = generate_messages(50, seed=3)
    assert messages == synthetic_labelled(50, seed=3)
    assert [m.keywords for m in messages] == [g.keywords for g in generated]
    assert {m.source for m in messages} == {"synthetic"}
    assert [m.meta["template_id"] for m in messages] == [g.template_id for g in generated]


# --- real data ---------------------------------------------------------------------------------


@pytest.mark.shared_data
@requires_shared_data("ner", "klue", "klue-ner-v1.1_dev.tsv")
def test_klue_ner_dev_agrees_with_its_own_markup() -> None:
    """Each KLUE sentence comes with a `## id<TAB>markup` line, e.g. `<서울:LC>에 가다`; the text
    and spans rebuilt from that markup must equal what the BIO reader builds from the tags."""
    messages = read_labelled(KLUE_DEV, source="gold")
    markups = [
        line.rstrip("\n").split("\t", 1)[1]
        for line in KLUE_DEV.read_text(encoding="utf-8").splitlines(keepends=True)
        if line.startswith("## klue-ner")
    ]
    assert len(messages) == len(markups) == 5000
    entity = re.compile(r"<([^<>]+?):(PS|LC|OG|DT|TI|QT)>")
    compared = 0
    for message, markup in zip(messages, markups, strict=True):
        if "<" in message.text or ">" in message.text:
            continue  # literal brackets make the markup ambiguous
        text, spans, last = "", [], 0
        for match in entity.finditer(markup):
            text += markup[last : match.start()]
            surface = match.group(1)
            start = len(text) + len(surface) - len(surface.lstrip())
            spans.append(Span(start, start + len(surface.strip()), match.group(2)))
            text += surface
            last = match.end()
        text += markup[last:]
        assert (message.text, message.spans) == (text, tuple(spans))
        compared += 1
    assert compared > 4900
    assert {span.label for m in messages for span in m.spans} == {
        "PS",
        "LC",
        "OG",
        "DT",
        "TI",
        "QT",
    }
