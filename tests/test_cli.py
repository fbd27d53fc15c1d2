"""`electra-rtd keywords`: JSONL output in input order, every input format, clean errors.

The rule model of test_extractor tags B-KW on 비트/수익/택배/카드/대출 and I-KW on ##코인, so
the expected keywords below follow from the conftest vocabulary's tokenization.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from itertools import islice
from pathlib import Path

import pytest
from test_extractor import save_rule_model
from transformers import BertTokenizer

from conftest import KISA, requires_shared_data
from electra_rtd import __version__
from electra_rtd.cli import COMMANDS, _build_parser, main
from electra_rtd.outputs import TMP_SUFFIX

pytestmark = pytest.mark.usefixtures("one_cpu_thread")

KISA_HEADER = "file_date\tseq\treport_type\tspam_type\tmsg_type\trecv_time\treport_time\tmessage"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, small_tokenizer: BertTokenizer) -> Path:
    return save_rule_model(tmp_path_factory.mktemp("rule_model"), small_tokenizer)


def write(path: Path, content: str) -> Path:
    data = content.encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def run_keywords(model_dir: Path, input_path: Path, output: Path, *options: str) -> int:
    return main(
        ["keywords", "--model", str(model_dir), str(input_path), "-o", str(output), *options]
    )


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def keyword_spans(row: dict) -> list[tuple[int, int, str, str]]:
    return [(k["start"], k["end"], k["text"], k["label"]) for k in row["keywords"]]


def test_txt_input_gives_one_json_line_per_row_blank_rows_included(
    model_dir: Path, tmp_path: Path
) -> None:
    source = write(
        tmp_path / "messages.txt", "비트코인 수익 문의\n\n내일 저녁 먹자\n   \n택배가 도착\n"
    )
    output = tmp_path / "keywords.jsonl"

    assert run_keywords(model_dir, source, output, "--no-progress", "--device", "cpu") == 0

    raw_lines = output.read_text(encoding="utf-8").splitlines()
    assert "비트코인" in raw_lines[0], "Korean is written as is, not as \\u escapes"
    rows = [json.loads(line) for line in raw_lines]
    assert [row["text"] for row in rows] == [
        "비트코인 수익 문의",
        "",
        "내일 저녁 먹자",
        "",
        "택배가 도착",
    ]
    assert [keyword_spans(row) for row in rows] == [
        [(0, 4, "비트코인", "KW"), (5, 7, "수익", "KW")],
        [],
        [],
        [],
        [(0, 2, "택배", "KW")],
    ]
    for keyword in rows[0]["keywords"]:
        assert list(keyword) == ["start", "end", "text", "norm", "score", "label"]
        assert 0.5 < keyword["score"] <= 1 and keyword["score"] == round(keyword["score"], 4)
    assert not list(tmp_path.glob(f"*{TMP_SUFFIX}")), "a temporary file was left behind"


def test_onnx_int8_backend_finds_the_same_keywords(model_dir: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "messages.txt", "비트코인 수익 문의\n택배가 도착\n")
    output = tmp_path / "keywords.jsonl"
    assert run_keywords(model_dir, source, output, "--no-progress", "--backend", "onnx-int8") == 0
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [keyword_spans(row) for row in rows] == [
        [(0, 4, "비트코인", "KW"), (5, 7, "수익", "KW")],
        [(0, 2, "택배", "KW")],
    ]
    assert (model_dir / "onnx" / "model.int8.onnx").is_file()


def test_gzipped_tsv_with_a_text_column_keeps_input_order(model_dir: Path, tmp_path: Path) -> None:
    # KISA's layout: the message is the last column and may start with a literal quote.
    rows = [
        ("1", '"대출 승인" 안내 SMS/-'),
        ("2", "오늘 저녁 먹자 SMS/-"),
        ("3", ""),
        ("4", "카드 승인 SMS/-"),
    ]
    lines = [KISA_HEADER] + [
        f"2022-08-14\t{seq}\t문자\t기타\tSMS\t2022-08-13 23:27\t2022-08-11 13:40\t{text}"
        for seq, text in rows
    ]
    source = write(tmp_path / "reports.tsv.gz", "\n".join(lines) + "\n")
    output = tmp_path / "out" / "keywords.jsonl"

    assert run_keywords(model_dir, source, output, "--text-column", "message") == 0

    written = read_jsonl(output)
    assert [row["text"] for row in written] == [text for _, text in rows]
    assert [keyword_spans(row) for row in written] == [
        [(1, 3, "대출", "KW")],
        [],
        [],
        [(0, 2, "카드", "KW")],
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("in.jsonl", '{"body": "수익 문의", "id": 1}\n{"body": "먹자"}\n'),
        ("in.csv", 'id,body\n1,"수익 문의"\n2,먹자\n'),
    ],
)
def test_jsonl_and_csv_inputs(model_dir: Path, tmp_path: Path, name: str, content: str) -> None:
    output = tmp_path / "keywords.jsonl"
    assert (
        run_keywords(model_dir, write(tmp_path / name, content), output, "--text-column", "body")
        == 0
    )
    assert [keyword_spans(row) for row in read_jsonl(output)] == [[(0, 2, "수익", "KW")], []]


def test_long_messages_are_windowed_or_with_negative_stride_truncated(
    model_dir: Path, tmp_path: Path
) -> None:
    output = tmp_path / "keywords.jsonl"
    source = write(tmp_path / "long.txt", "수익 " * 30 + "\n")
    options = ("--max-length", "6", "--batch-size", "2")
    assert run_keywords(model_dir, source, output, *options) == 0
    (row,) = read_jsonl(output)
    assert [k["start"] for k in row["keywords"]] == [3 * i for i in range(30)]
    assert run_keywords(model_dir, source, output, *options, "--stride", "-1") == 0
    (row,) = read_jsonl(output)
    assert [k["start"] for k in row["keywords"]] == [0, 3, 6, 9]  # [CLS] + 4 tokens + [SEP]


def test_progress_bar_is_drawn_on_stderr(model_dir: Path, tmp_path: Path, capsys) -> None:
    source = write(tmp_path / "messages.txt", "수익\n택배\n")
    assert run_keywords(model_dir, source, tmp_path / "keywords.jsonl") == 0
    assert "2msg" in capsys.readouterr().err.replace(" ", "")


def test_bad_input_is_reported_with_file_and_line_and_exit_code_2(
    model_dir: Path, tmp_path: Path, capsys
) -> None:
    source = write(tmp_path / "bad.jsonl", '{"text": "수익"}\n{"text": "택배"}\n{"text": \n')
    output = tmp_path / "keywords.jsonl"

    with pytest.raises(SystemExit) as raised:
        run_keywords(model_dir, source, output, "--no-progress")

    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert f"{source}:3: malformed JSON" in err
    assert "Traceback" not in err
    assert not output.exists() and not list(tmp_path.glob(f"*{TMP_SUFFIX}")), (
        "no half-written output"
    )


@pytest.mark.parametrize(
    ("make_input", "make_model", "expected"),
    [
        (lambda d: write(d / "x.tsv", "a\tb\n1\t2\n"), None, "x.tsv:1: no column 'text'"),
        (lambda d: d / "missing.txt", None, "does not exist"),
        (lambda d: write(d / "x.xlsx", ""), None, "unsupported corpus file"),
        (lambda d: write(d / "x.parquet", ""), None, "x.parquet: cannot read the parquet file"),
        (lambda d: "someone/sms-corpus", None, "someone/sms-corpus[train]: no file or folder"),
        (lambda d: write(d / "x.txt", "수익\n"), lambda d: d / "no_model", "does not exist"),
    ],
)
def test_user_errors_exit_with_code_2_and_one_line(
    model_dir: Path, tmp_path: Path, capsys, make_input, make_model, expected: str
) -> None:
    model = make_model(tmp_path) if make_model else model_dir
    with pytest.raises(SystemExit) as raised:
        run_keywords(model, make_input(tmp_path), tmp_path / "keywords.jsonl")
    assert raised.value.code == 2
    err = capsys.readouterr().err
    last_line = err.strip().splitlines()[-1]
    assert last_line.startswith("electra-rtd keywords: error: ") and expected in last_line
    assert "Traceback" not in err


def test_a_subcommand_is_required(capsys) -> None:
    with pytest.raises(SystemExit) as raised:
        main([])
    assert raised.value.code == 2
    assert "keywords" in capsys.readouterr().err


@pytest.mark.parametrize("output", [["-o", "-"], []], ids=["dash", "no-output-option"])
def test_keywords_go_to_standard_output_for_dash_or_no_output(
    model_dir: Path, tmp_path: Path, capsys, output: list[str]
) -> None:
    source = write(tmp_path / "messages.txt", "비트코인 수익 문의\n택배가 도착\n")
    argv = ["keywords", "--model", str(model_dir), str(source), *output, "--no-progress"]

    assert main(argv) == 0

    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [[k["text"] for k in row["keywords"]] for row in rows] == [
        ["비트코인", "수익"],
        ["택배"],
    ]
    assert not (tmp_path / "-").exists() and not list(Path.cwd().glob("-"))


def test_version_is_printed(capsys) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--version"])
    assert raised.value.code == 0
    assert capsys.readouterr().out.strip() == f"electra-rtd {__version__}"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_option_has_help_and_shows_its_default(command: str, capsys) -> None:
    parser = _build_parser([command])
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    sub = subparsers.choices[command]
    for action in sub._actions:
        assert action.help, f"{command} {action.dest} has no help"
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for action in sub._actions:
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS):
            assert f"(default: {action.default})" in text, action.dest


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)], ids=str)
def test_help_does_not_import_torch_transformers_or_datasets(command: list[str]) -> None:
    """`electra-rtd --help` and every `electra-rtd COMMAND --help` answer without loading the
    heavy libraries (timed in benchmarks/cli_startup.py)."""
    code = (
        "import sys\n"
        "from electra_rtd.cli import main\n"
        f"try:\n    main({[*command, '--help']!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted({'torch', 'transformers', 'datasets'} & set(sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert "usage: electra-rtd" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_console_script_points_at_main() -> None:
    (script,) = [ep for ep in entry_points(group="console_scripts") if ep.name == "electra-rtd"]
    assert script.load() is main


@requires_shared_data("messages", "kisa_spam_2022_reports.tsv.gz")
@pytest.mark.shared_data
def test_real_kisa_reports_are_read_as_is(model_dir: Path, tmp_path: Path) -> None:
    """The first rows of the real file, re-gzipped: every row comes back, in order, as written."""
    with gzip.open(KISA, "rt", encoding="utf-8", newline="") as source:
        head = list(islice(source, 301))
    sample = write(tmp_path / "kisa_head.tsv.gz", "".join(head))
    output = tmp_path / "keywords.jsonl"

    assert run_keywords(model_dir, sample, output, "--text-column", "message") == 0

    expected = [line.rstrip("\r\n").split("\t")[-1] for line in head[1:]]
    expected = [text if text.strip() else "" for text in expected]
    assert [row["text"] for row in read_jsonl(output)] == expected
