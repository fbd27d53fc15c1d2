"""Corpus loading: every format, every bad-input error (naming file and line), blank counts, caching."""

from __future__ import annotations

import datetime
import gzip
import json
import logging
import re
from itertools import islice
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from electra_rtd.data.corpus import (
    CorpusError,
    HubCorpus,
    corpus_parts,
    find_corpus_files,
    iter_records,
    load_corpus,
    load_corpus_with_stats,
)

KISA = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "messages"
    / "kisa_spam_2022_reports.tsv.gz"
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def write_parquet(path: Path, columns: dict[str, list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)
    return path


def write_json_lines(path: Path, rows: list[dict]) -> Path:
    return write(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


@pytest.fixture
def datasets_cache(tmp_path, monkeypatch) -> Path:
    """`datasets.load_dataset` caches under the test's folder, not the user's home."""
    cache = tmp_path / "hf_datasets"
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache)
    return cache


def load(path: Path, tmp_path: Path, **kwargs):
    return load_corpus_with_stats(path, cache_dir=tmp_path / "cache", **kwargs)


def corpus_error(path: Path, tmp_path: Path, **kwargs) -> str:
    with pytest.raises(CorpusError) as raised:
        load(path, tmp_path, **kwargs)
    return str(raised.value)


# --- finding files ---------------------------------------------------------------------------


def test_find_corpus_files_recurses_sorts_and_ignores_other_files(tmp_path):
    root = tmp_path / "corpus"
    write(root / "b.txt", "x\n")
    write(root / "a" / "z.jsonl", "{}\n")
    write(root / "a" / "y.csv.gz", "text\nx\n")
    write(root / "notes.md", "not a corpus\n")
    write(root / "a" / "data.arrow", b"\0")
    write(root / "a" / "data.parquet.gz", b"\0")  # parquet compresses inside; not looked through
    write(root / "c.parquet", b"\0")

    assert find_corpus_files(root) == [
        root / "a" / "y.csv.gz",
        root / "a" / "z.jsonl",
        root / "b.txt",
        root / "c.parquet",
    ]


def test_find_corpus_files_rejects_empty_folder_unknown_file_and_missing_path(tmp_path):
    write(tmp_path / "empty" / "readme.md", "nothing here")
    with pytest.raises(CorpusError, match="no corpus files"):
        find_corpus_files(tmp_path / "empty")
    with pytest.raises(CorpusError, match="unsupported"):
        find_corpus_files(tmp_path / "empty" / "readme.md")
    with pytest.raises(FileNotFoundError):
        find_corpus_files(tmp_path / "missing")


# --- formats ---------------------------------------------------------------------------------


def test_txt_lines_are_messages_without_line_endings_or_bom(tmp_path):
    path = write(tmp_path / "m.txt", "\ufeff첫 문자\r\n둘째 문자  \n셋째")
    messages, stats = load(path, tmp_path)
    assert messages["text"] == ["첫 문자", "둘째 문자  ", "셋째"]
    assert messages.column_names == ["text"]
    assert stats.num_messages == 3


def test_blank_messages_are_skipped_counted_and_logged_per_file(tmp_path, caplog):
    path = write(tmp_path / "m.txt", "가\n\n나\n   \n\t\n다\n")
    with caplog.at_level(logging.WARNING, logger="electra_rtd.data.corpus"):
        messages, stats = load(path, tmp_path)
    assert messages["text"] == ["가", "나", "다"]
    assert stats.num_blank == 3
    assert stats.blank[path].count == 3
    assert stats.blank[path].first_lines == (2, 4, 5)
    assert "m.txt: skipped 3 empty or whitespace-only messages (lines 2, 4, 5)" in caplog.text


def test_blank_report_lists_only_the_first_lines(tmp_path, caplog):
    path = write(tmp_path / "m.txt", "가\n" + "\n" * 7 + "나\n")
    with caplog.at_level(logging.WARNING, logger="electra_rtd.data.corpus"):
        _, stats = load(path, tmp_path)
    assert stats.blank[path].count == 7
    assert stats.blank[path].first_lines == (2, 3, 4, 5, 6)
    assert "(lines 2, 3, 4, 5, 6, ...)" in caplog.text


def test_iter_records_skips_and_logs_blank_messages(tmp_path, caplog):
    path = write(tmp_path / "m.jsonl", '{"text": "가"}\n{"text": " "}\n\n{"text": "나"}\n')
    with caplog.at_level(logging.WARNING, logger="electra_rtd.data.corpus"):
        records = list(iter_records([path]))
    assert records == [{"text": "가"}, {"text": "나"}]
    assert "skipped 2 empty or whitespace-only messages (lines 2, 3)" in caplog.text


def test_jsonl_uses_the_text_column_and_keeps_named_columns_as_strings(tmp_path):
    path = write(
        tmp_path / "m.jsonl",
        '{"body": "대출 안내", "date": "2022-08-14", "n": 5}\n{"body": "당첨", "date": null, "n": 1.5}\n',
    )
    messages, _ = load(path, tmp_path, text_column="body", keep_columns=("date", "n"))
    assert messages.column_names == ["text", "date", "n"]
    assert messages.to_list() == [
        {"text": "대출 안내", "date": "2022-08-14", "n": "5"},
        {"text": "당첨", "date": None, "n": "1.5"},
    ]


def test_csv_multiline_fields_and_quoted_commas(tmp_path):
    path = write(tmp_path / "m.csv", 'id,text\n1,"첫 줄\n둘째 줄"\n2,"쉼표, 있음"\n3,끝\n')
    messages, _ = load(path, tmp_path)
    assert messages["text"] == ["첫 줄\n둘째 줄", "쉼표, 있음", "끝"]


def test_tsv_has_no_quoting_so_a_leading_quote_stays_in_its_row(tmp_path):
    # Real TSV exports hold messages that start with a literal quote; CSV quoting would glue rows.
    path = write(
        tmp_path / "m.tsv", 'date\ttext\nd1\t"B.T.C 2분거래"투자\nd2\t두번째\nd3\t"세번째\n'
    )
    messages, _ = load(path, tmp_path, keep_columns=("date",))
    assert messages["text"] == ['"B.T.C 2분거래"투자', "두번째", '"세번째']
    assert messages["date"] == ["d1", "d2", "d3"]


def test_gzipped_files_load_like_plain_ones(tmp_path):
    content = "id\ttext\n1\t가나다\n2\t라마바\n"
    plain, _ = load(write(tmp_path / "plain" / "m.tsv", content), tmp_path)
    zipped, _ = load(write(tmp_path / "zipped" / "m.tsv.gz", content), tmp_path)
    assert zipped["text"] == plain["text"] == ["가나다", "라마바"]


def test_folder_of_mixed_formats_loads_in_sorted_file_order(tmp_path):
    root = tmp_path / "corpus"
    write(root / "b.txt", "넷\n")
    write(root / "a" / "1.csv", "text,other\n하나,x\n둘,y\n")
    write(root / "a" / "2.jsonl.gz", '{"text": "셋"}\n')
    messages, stats = load(root, tmp_path)
    assert messages["text"] == ["하나", "둘", "셋", "넷"]
    assert len(stats.files) == 3


def test_streaming_yields_the_same_records(tmp_path):
    root = tmp_path / "corpus"
    write(root / "a.txt", "가\n\n나\n")
    write(root / "b.tsv.gz", "text\tdate\n다\t1\n  \t2\n라\t3\n")
    stored, _ = load(root / "b.tsv.gz", tmp_path, keep_columns=("date",))
    streamed = load_corpus(root / "b.tsv.gz", keep_columns=("date",), streaming=True)
    assert (
        list(streamed)
        == stored.to_list()
        == [{"text": "다", "date": "1"}, {"text": "라", "date": "3"}]
    )
    assert [r["text"] for r in load_corpus(root, streaming=True)] == ["가", "나", "다", "라"]


def test_parquet_rows_are_messages_with_kept_columns_as_strings(tmp_path, caplog):
    path = write_parquet(
        tmp_path / "m.parquet",
        {
            "message": ["가나", "  ", "다라"],
            "day": [datetime.date(2022, 12, 30), datetime.date(2022, 12, 31), None],
            "seq": [1, 2, 3],
        },
    )
    with caplog.at_level(logging.WARNING, logger="electra_rtd.data.corpus"):
        messages, stats = load(path, tmp_path, text_column="message", keep_columns=("day", "seq"))
    assert messages.to_list() == [
        {"text": "가나", "day": "2022-12-30", "seq": "1"},
        {"text": "다라", "day": None, "seq": "3"},
    ]
    assert stats.blank[path].first_lines == (2,), "the blank message is row 2"
    assert "m.parquet: skipped 1 empty" in caplog.text
    assert [r["text"] for r in iter_records([path], "message")] == ["가나", "다라"]


def test_parquet_errors_name_the_file_and_row(tmp_path):
    wrong_column = write_parquet(tmp_path / "a.parquet", {"body": ["가"]})
    assert "a.parquet:1: no column 'text'; columns are 'body'" in corpus_error(
        wrong_column, tmp_path
    )
    null = write_parquet(tmp_path / "b.parquet", {"text": ["가", None, "다"]})
    assert "b.parquet:2: text column 'text' holds NoneType" in corpus_error(null, tmp_path)
    garbage = write(tmp_path / "c.parquet", b"not parquet")
    assert re.match(r".*c\.parquet: cannot read the parquet file", corpus_error(garbage, tmp_path))


# --- datasets.load_dataset: hub ids and local dataset folders ---------------------------------


def test_corpus_parts_tell_files_from_datasets(tmp_path, monkeypatch):
    write(tmp_path / "corpus" / "a.txt", "가\n")
    write(tmp_path / "json_files" / "a.json", '{"text": "가"}\n')
    monkeypatch.chdir(tmp_path)
    assert corpus_parts("corpus") == [Path("corpus/a.txt")]
    assert corpus_parts("json_files") == [HubCorpus("json_files", "train")]
    assert corpus_parts("json_files:test") == [HubCorpus("json_files", "test")]
    assert corpus_parts("owner/sms") == [HubCorpus("owner/sms", "train")]
    assert corpus_parts("owner/sms:test[:10]") == [HubCorpus("owner/sms", "test[:10]")]
    for mistyped in ("messages.txt", "corpus/b.tsv.gz", "./corpus2", "a/b/c"):
        with pytest.raises(FileNotFoundError, match="corpus path does not exist"):
            corpus_parts(mistyped)


def test_local_dataset_folder_loads_through_load_dataset(tmp_path, datasets_cache):
    folder = tmp_path / "sms"
    write_json_lines(folder / "train.json", [{"body": "가나", "n": 1}, {"body": " ", "n": 2}])
    write_json_lines(folder / "test.json", [{"body": "다라", "n": 3}])

    messages, stats = load(folder, tmp_path, text_column="body", keep_columns=("n",))
    assert messages.to_list() == [{"text": "가나", "n": "1"}]
    assert stats.files == (HubCorpus(str(folder)),) and stats.num_blank == 1
    test_split = load_corpus(f"{folder}:test", "body", cache_dir=tmp_path / "cache")
    assert test_split["text"] == ["다라"]
    assert list(load_corpus(folder, "body", streaming=True)) == [{"text": "가나"}]
    assert any(datasets_cache.iterdir()), "load_dataset's cache went to the patched folder"


def test_dataset_rows_are_checked_like_file_rows(tmp_path, datasets_cache):
    folder = tmp_path / "sms"
    write_json_lines(folder / "train.json", [{"text": "가"}, {"text": None}])
    message = corpus_error(folder, tmp_path)
    assert f"{folder}[train]:2: text column 'text' holds NoneType" in message
    with pytest.raises(CorpusError, match=r"Unknown split"):
        list(iter_records(corpus_parts(f"{folder}:validation")))


def test_folder_neither_reader_can_read(tmp_path, datasets_cache):
    write(tmp_path / "notes" / "readme.md", "nothing here")
    message = corpus_error(tmp_path / "notes", tmp_path)
    assert "notes[train]: the folder holds no corpus files" in message
    assert "datasets.load_dataset cannot read it" in message


def test_hub_id_offline_names_the_dataset_and_hf_hub_offline(tmp_path, datasets_cache):
    message = corpus_error("someone/sms-corpus", tmp_path)
    assert message.startswith("someone/sms-corpus[train]: no file or folder has that name")
    assert "HF_HUB_OFFLINE=1" in message


# --- caching ---------------------------------------------------------------------------------


def test_changed_file_invalidates_the_cache_and_cache_hits_report_blanks_again(tmp_path, caplog):
    path = write(tmp_path / "m.txt", "가\n\n나\n")
    load(path, tmp_path)
    with caplog.at_level(logging.WARNING, logger="electra_rtd.data.corpus"):
        cached, stats = load(path, tmp_path)
    assert cached["text"] == ["가", "나"]
    assert stats.blank[path].first_lines == (2,)
    assert "skipped 1 empty" in caplog.text

    write(path, "다라\n")
    changed, stats = load(path, tmp_path)
    assert changed["text"] == ["다라"]
    assert stats.num_blank == 0


# --- bad input: each error names the file and the line ---------------------------------------


def test_malformed_json_names_file_and_line(tmp_path):
    path = write(tmp_path / "m.jsonl", '{"text": "가"}\n{"text": "나"\n')
    assert re.search(r"m\.jsonl:2: malformed JSON", corpus_error(path, tmp_path))


def test_json_line_that_is_not_an_object(tmp_path):
    path = write(tmp_path / "m.jsonl", '{"text": "가"}\n["나"]\n')
    assert "m.jsonl:2: expected a JSON object, got list" in corpus_error(path, tmp_path)


def test_missing_text_column_names_the_existing_columns(tmp_path):
    jsonl = write(tmp_path / "j" / "m.jsonl", '{"text": "가"}\n{"body": "나", "id": 1}\n')
    assert "m.jsonl:2: no column 'text'; columns are 'body', 'id'" in corpus_error(jsonl, tmp_path)
    csv_file = write(tmp_path / "c" / "m.csv", "id,body\n1,가\n")
    assert "m.csv:1: no column 'message'; columns are 'id', 'body'" in corpus_error(
        csv_file, tmp_path, text_column="message"
    )


def test_missing_keep_column_is_an_error(tmp_path):
    path = write(tmp_path / "m.tsv", "text\n가\n")
    assert "m.tsv:1: no column 'date'" in corpus_error(path, tmp_path, keep_columns=("date",))


def test_non_string_text_value(tmp_path):
    path = write(tmp_path / "m.jsonl", '{"text": "가"}\n{"text": null}\n')
    assert "m.jsonl:2: text column 'text' holds NoneType" in corpus_error(path, tmp_path)


def test_undecodable_bytes_name_file_and_line(tmp_path):
    path = write(tmp_path / "m.txt.gz", "가\n나\n".encode() + "다\n".encode("euc-kr"))
    assert "m.txt.gz:3: not valid UTF-8" in corpus_error(path, tmp_path)


def test_row_with_wrong_field_count_names_its_line_after_a_multiline_record(tmp_path):
    path = write(tmp_path / "m.csv", 'id,text\n1,"여러\n줄"\n2,가,덤\n')
    assert "m.csv:4: row has 3 fields, the header has 2" in corpus_error(path, tmp_path)


def test_tsv_row_with_a_stray_tab(tmp_path):
    path = write(tmp_path / "m.tsv", "id\ttext\n1\t가\n2\t나\t다\n")
    assert "m.tsv:3: row has 3 fields" in corpus_error(path, tmp_path)


def test_unterminated_csv_quote_names_the_line_where_the_record_starts(tmp_path):
    path = write(tmp_path / "m.csv", 'id,text\n1,가\n2,"열린 따옴표\n3,나\n')
    assert re.search(r"m\.csv:3: malformed CSV row", corpus_error(path, tmp_path))


def test_truncated_gzip_names_the_file(tmp_path):
    path = tmp_path / "m.txt.gz"
    path.write_bytes(gzip.compress("가\n나\n".encode() * 100)[:-12])
    assert re.search(r"m\.txt\.gz:\d+: cannot read the file", corpus_error(path, tmp_path))


def test_corpus_without_messages(tmp_path):
    write(tmp_path / "empty" / "m.txt", "")
    assert "holds no messages" in corpus_error(tmp_path / "empty", tmp_path)
    write(tmp_path / "blank" / "m.txt", "\n  \n")
    assert "holds no messages, only 2 blank ones" in corpus_error(tmp_path / "blank", tmp_path)


def test_keep_columns_on_a_txt_corpus(tmp_path):
    path = write(tmp_path / "m.txt", "가\n")
    assert "m.txt: a .txt corpus has no columns to keep (date)" in corpus_error(
        path, tmp_path, keep_columns=("date",)
    )


def test_error_raised_in_a_worker_process_still_names_file_and_line(tmp_path):
    root = tmp_path / "corpus"
    write(root / "a.txt", "가\n")
    write(root / "b.jsonl", '{"text": "나"}\n{"text": 3}\n')
    assert "b.jsonl:2: text column 'text' holds int" in corpus_error(root, tmp_path, num_proc=2)


def test_keep_columns_that_clash_with_the_output(tmp_path):
    path = write(tmp_path / "m.tsv", "message\ttext\n가\t나\n")
    with pytest.raises(ValueError, match="keep_columns cannot include"):
        load(path, tmp_path, text_column="message", keep_columns=("text",))
    with pytest.raises(TypeError, match="not the string"):
        load(path, tmp_path, keep_columns="message")


# --- real data (optional) --------------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.skipif(not KISA.is_file(), reason="../shared/data is not beside the repository")
def test_kisa_reports_stream_with_message_and_date_columns():
    records = list(
        islice(load_corpus(KISA, "message", keep_columns=("file_date",), streaming=True), 2000)
    )
    assert len(records) == 2000
    assert all(r["text"].strip() for r in records)
    assert all(re.fullmatch(r"2022-\d\d-\d\d", r["file_date"]) for r in records)


def test_corpus_mix_never_takes_a_held_out_text_a_held_out_day_or_a_duplicate(tmp_path):
    from electra_rtd.data.corpus_mix import MixPart, write_corpus_mix

    reports = write(
        tmp_path / "reports.tsv",
        "day\tmessage\n"
        "1\t대출 상담 문의\n"
        "2\t코인 리딩방 입장\n"  # held-out day
        "1\t코인  리딩방 입장\n"  # the held-out text again on another day, spaced otherwise
        "1\t택배가 도착했습니다\n"
        "1\t오늘 저녁 먹자\n",
    )
    chat = write(tmp_path / "chat.txt", "오늘 저녁 먹자\n내일 봐\n시험 잘 봐\n좋은 아침\n")
    parts = {
        "reports": MixPart(str(reports), "message", exclude={"day": ["2"]}),
        "chat": MixPart(str(chat), max_messages=2),
    }
    out = tmp_path / "mix" / "corpus.jsonl"
    counts = write_corpus_mix(parts, ["택배가  도착했습니다", "시험 잘 봐"], out, seed=0)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_part = {name: sorted(r["text"] for r in rows if r["source"] == name) for name in parts}
    # The day's text, its recurrence and the held-out texts (spacing aside) are never taken;
    # "오늘 저녁 먹자" comes once, from the first part that has it.
    assert by_part["reports"] == ["대출 상담 문의", "오늘 저녁 먹자"]
    assert len(by_part["chat"]) == 2 and set(by_part["chat"]) <= {"내일 봐", "좋은 아침"}
    assert counts == {"reports": 2, "chat": 2}
    # The same seed draws the same corpus.
    again = tmp_path / "again.jsonl"
    write_corpus_mix(parts, ["택배가  도착했습니다", "시험 잘 봐"], again, seed=0)
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="corpus part 'x': keys \\['column'\\]; allowed keys"):
        MixPart.from_spec("x", {"column": "text"})
