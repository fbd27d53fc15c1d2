"""`electra-rtd normalise | dedup | label | report`: outputs, options and clean errors.

The report runs with the rule tagger of test_extractor (B-KW on 비트/수익/택배/카드/대출, I-KW on
##코인), so its keywords, and hence its topics, follow from the hand-made messages below.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_extractor import save_rule_model
from transformers import BertTokenizer

from electra_rtd.cli import main
from electra_rtd.data.labelled import read_labelled

# Six copies of one coin spam (only the phone number differs), three parcel notices, two card
# notices; the last card notice is on the held-out day.
ROWS = [
    *[
        (f"[Web발신](광고) 비트코인 수익 문의 010-1234-{5670 + i}", f"2022-08-0{1 + i % 3}")
        for i in range(6)
    ],
    *[(f"택배가 도착 https://ab.cd/x{i}", "2022-08-02") for i in range(3)],
    ("카드 승인 내일 저녁", "2022-08-03"),
    ("카드 승인 내일 저녁", "2022-12-31"),
]


def write_tsv(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["message\tfile_date", *(f"{text}\t{day}" for text, day in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def user_error(argv: list[str], capsys) -> str:
    """Run a command that must fail on its input: exit code 2, one line on stderr, no traceback."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert "Traceback" not in error
    return error


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, small_tokenizer: BertTokenizer) -> Path:
    return save_rule_model(tmp_path_factory.mktemp("rule_model"), small_tokenizer)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_tsv(tmp_path / "messages.tsv", ROWS)


def test_normalise_writes_text_normalised_and_masked_per_row(tmp_path: Path) -> None:
    source = tmp_path / "messages.txt"
    source.write_text(
        "[Web발신](광고)B.T.C 입장 https://vo.la/Ab12 무료거부 0801234567\n\n오늘 3시에 만나\n",
        encoding="utf-8",
    )
    output = tmp_path / "out" / "normalised.jsonl"

    assert main(["normalise", str(source), "-o", str(output), "--no-progress"]) == 0

    rows = read_jsonl(output)
    assert [row["text"] for row in rows] == [
        "[Web발신](광고)B.T.C 입장 https://vo.la/Ab12 무료거부 0801234567",
        "",
        "오늘 3시에 만나",
    ]
    first = rows[0]
    assert "Web발신" not in first["normalised"] and "무료거부" not in first["normalised"]
    assert first["normalised"].startswith("BTC")
    assert "https://vo.la/Ab12" in first["normalised"]
    assert first["masked"] == first["normalised"].replace("https://vo.la/Ab12", "<URL>")
    assert rows[2]["normalised"] == rows[2]["masked"] == "오늘 3시에 만나"


def test_normalise_reads_parquet_rows_in_order(tmp_path: Path, capsys) -> None:
    source = tmp_path / "messages.parquet"
    pq.write_table(pa.table({"message": ["B.T.C 입장", " ", "오늘 3시에 만나"]}), source)

    assert main(["normalise", str(source), "--text-column", "message", "--no-progress"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(row["text"], row["normalised"]) for row in rows] == [
        ("B.T.C 입장", "BTC 입장"),
        ("", ""),
        ("오늘 3시에 만나", "오늘 3시에 만나"),
    ]


def test_normalise_and_label_write_to_standard_output_with_dash(tmp_path: Path, capsys) -> None:
    source = tmp_path / "messages.txt"
    source.write_text("리딩방, 코인, 수익\n" * 3 + "\n오늘 3시에 만나\n", encoding="utf-8")

    assert main(["normalise", str(source), "-o", "-", "--no-progress"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["text"] for row in rows] == ["리딩방, 코인, 수익"] * 3 + ["", "오늘 3시에 만나"]

    assert main(["label", str(source), "--no-progress"]) == 0
    labelled = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["text"] for row in labelled] == ["리딩방, 코인, 수익"] * 3 + ["오늘 3시에 만나"]
    assert all(set(row) >= {"text", "spans"} for row in labelled)
    assert not (tmp_path / "-").exists()


def test_standard_output_is_not_checked_as_a_file_in_the_input_folder(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """Run inside the corpus folder: `-` is not a file there, so it is not refused as an output
    inside the input folder (what a file named `-` would be)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "messages.txt").write_text("오늘 3시에 만나\n", encoding="utf-8")
    monkeypatch.chdir(folder)

    for argv in (["normalise", "."], ["label", ".", "-o", "-"]):
        assert main([*argv, "--no-progress"]) == 0, argv
        rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert [row["text"] for row in rows] == ["오늘 3시에 만나"], argv
    assert sorted(p.name for p in folder.iterdir()) == ["messages.txt"]


def test_dedup_writes_rows_and_clusters(corpus: Path, tmp_path: Path) -> None:
    output = tmp_path / "dedup"
    argv = ["dedup", str(corpus), "-o", str(output), "--text-column", "message"]

    assert main([*argv, "--methods", "exact", "structural", "--no-progress"]) == 0

    rows = read_jsonl(output / "rows.jsonl")
    assert len(rows) == len(ROWS)
    # The coin copies differ only in the phone number: one structural cluster, six exact ones.
    assert {row["structural"] for row in rows[:6]} == {0}
    assert len({row["exact"] for row in rows[:6]}) == 6
    assert rows[9]["exact"] == rows[10]["exact"] == 9, "identical card notices"
    assert all("<PHONE>" in row["template"] for row in rows[:6])
    clusters = read_jsonl(output / "clusters.jsonl")
    structural = [c for c in clusters if c["method"] == "structural"]
    assert {c["cluster"]: c["size"] for c in structural} == {0: 6, 6: 3, 9: 2}


def test_dedup_semantic_without_an_encoder_is_a_usage_error(
    corpus: Path, tmp_path: Path, capsys
) -> None:
    argv = ["dedup", str(corpus), "-o", str(tmp_path / "d"), "--methods", "semantic"]

    error = user_error([*argv, "--text-column", "message"], capsys)

    assert "electra-rtd dedup: error: the semantic method needs an encoder" in error


def test_label_tags_the_corpus_terms_the_background_lacks(tmp_path: Path) -> None:
    corpus = tmp_path / "spam.txt"
    # Commas keep the nouns apart, so each is a candidate of its own (no phrases).
    corpus.write_text("리딩방, 코인, 수익\n" * 6, encoding="utf-8")
    background = tmp_path / "ordinary.jsonl"
    lines = ["수익 정산 안내드립니다", "오늘 수익 확인", "수익 문자"] * 3
    background.write_text(
        "".join(json.dumps({"body": line}, ensure_ascii=False) + "\n" for line in lines),
        encoding="utf-8",
    )
    output = tmp_path / "silver.jsonl"
    argv = ["label", str(corpus), "-o", str(output), "--no-progress"]

    argv += ["--background", str(background), "--background-column", "body"]

    # 0: no cap on the vocabulary; 1: only the most distinctive term.
    for size, keywords in (("0", ["리딩방", "코인"]), ("1", None)):
        assert main([*argv, "--vocabulary-size", size]) == 0
        messages = read_labelled(output)
        assert len(messages) == 6
        found = {tuple(message.keywords) for message in messages}
        # 수익 is in every background message: no more typical of the corpus than of ordinary text.
        if keywords:
            assert found == {tuple(keywords)}
        else:  # one term, the same in every message (the top one: 리딩, part of 리딩방)
            (only,) = found
            assert len(only) == 1 and only[0] in ("리딩", "리딩방", "코인")
        assert {message.source for message in messages} == {"silver"}


class _ChatStub(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that names "리딩방" as the keyword of every message holding it."""

    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _ChatStub.requests.append(body)
        sent = json.loads(body["messages"][1]["content"])["messages"]
        results = [
            {"id": m["id"], "keywords": ["리딩방"] if "리딩방" in m["text"] else []} for m in sent
        ]
        answer = {"choices": [{"message": {"content": json.dumps({"results": results})}}]}
        data = json.dumps(answer).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        """Quiet: no request lines on stderr."""


@pytest.fixture
def chat_endpoint() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _ChatStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _ChatStub.requests.clear()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()
    server.server_close()


def test_label_with_an_llm_sends_masked_messages_and_places_its_keywords(
    tmp_path: Path, chat_endpoint: str
) -> None:
    corpus = tmp_path / "spam.txt"
    corpus.write_text("비밀 리딩방 입장 010-1234-5678\n오늘 저녁 뭐 먹어\n", encoding="utf-8")
    output = tmp_path / "llm.jsonl"
    argv = ["label", str(corpus), "-o", str(output), "--llm", "--base-url", chat_endpoint]

    assert main([*argv, "--model-name", "stub", "--no-progress"]) == 0

    messages = read_labelled(output)
    assert [m.keywords for m in messages] == [["리딩방"], []]
    assert all(m.source == "llm" for m in messages)
    sent = _ChatStub.requests[0]["messages"][1]["content"]
    assert "010-1234-5678" not in sent and "<PHONE>" in sent
    assert _ChatStub.requests[0]["model"] == "stub"


def test_label_with_an_llm_needs_an_endpoint(corpus: Path, tmp_path: Path, capsys) -> None:
    argv = ["label", str(corpus), "-o", str(tmp_path / "l.jsonl"), "--text-column", "message"]

    error = user_error([*argv, "--llm", "--model-name", "stub"], capsys)

    assert "--llm needs --base-url and --model-name" in error


def test_label_with_an_llm_without_the_openai_sdk_says_how_to_install_it(
    corpus: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)  # as if not installed
    argv = ["label", str(corpus), "-o", str(tmp_path / "l.jsonl"), "--text-column", "message"]

    error = user_error(
        [*argv, "--llm", "--base-url", "http://127.0.0.1:9/v1", "--model-name", "m"], capsys
    )

    assert "pip install 'electra-rtd[llm]'" in error


def test_report_ranks_topics_with_masked_examples(
    corpus: Path, model_dir: Path, tmp_path: Path
) -> None:
    output = tmp_path / "report"
    argv = [
        "report",
        str(corpus),
        "-o",
        str(output),
        "--text-column",
        "message",
        "--date-column",
        "file_date",
        "--model",
        str(model_dir),
        "--exclude-column",
        "file_date",
        "--exclude-value",
        "2022-12-31",
        "--no-progress",
    ]

    assert main(argv) == 0

    document = json.loads((output / "topics.json").read_text(encoding="utf-8"))
    assert document["messages"] == 10 and document["excluded"] == 1
    assert document["keyword_source"] == "tagger"
    topics = document["topics"]
    assert [topic["count"] for topic in topics] == [6, 3, 1]
    assert [k["keyword"] for k in topics[0]["keywords"]] == ["비트코인", "수익"]
    assert topics[0]["example"] == "비트코인 수익 문의 <PHONE>"
    assert topics[1]["example"] == "택배가 도착 <URL>"
    assert document["periods"] == ["2022-08-01", "2022-08-02", "2022-08-03"]
    assert topics[0]["trend"] == [2, 2, 2]
    page = (output / "report.html").read_text(encoding="utf-8")
    assert "010-1234" not in page and "https://" not in page
    assert (output / "report.md").is_file()


def test_report_of_a_malformed_file_names_file_and_line(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "broken.tsv"
    corpus.write_text("message\tfile_date\n비트코인\t2022-01-01\n택배\t2022-01-01\textra\n")

    argv = ["report", str(corpus), "-o", str(tmp_path / "r"), "--text-column", "message"]

    error = user_error(argv, capsys)

    assert f"{corpus}:3: row has 3 fields, the header has 2" in error


def test_report_exclude_value_needs_its_column(corpus: Path, tmp_path: Path, capsys) -> None:
    argv = ["report", str(corpus), "-o", str(tmp_path / "r"), "--exclude-value", "2022-12-31"]

    error = user_error(argv, capsys)

    assert "--exclude-column and --exclude-value go together" in error


def test_bad_numbers_are_rejected_by_argparse(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["report", str(corpus), "-o", str(tmp_path / "r"), "--top-topics", "0"])

    assert stop.value.code == 2
