"""Outputs never destroy an input, never appear half-written, and two writers never mix.

Every subcommand is run with its output naming its input (or inside its input folder): each must
exit 2 with one line before any work, leaving the input byte for byte as it was.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli_corpus import ROWS, user_error, write_tsv

from electra_rtd.outputs import OutputError, check_output, open_output, write_text
from electra_rtd.tagging import KeywordTagger

REPO_SRC = Path(__file__).resolve().parents[1] / "src"
CLI = "import sys; from electra_rtd.cli import main; sys.exit(main(sys.argv[1:]))"


def write_jsonl(path: Path, texts: list[str]) -> Path:
    path.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts))
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_tsv(tmp_path / "messages.tsv", ROWS)


@pytest.mark.parametrize("name", ["x.jsonl", "x.tsv"])
def test_normalise_refuses_its_input_as_output(tmp_path: Path, name: str, capsys) -> None:
    source = tmp_path / name
    if name.endswith(".tsv"):
        write_tsv(source, ROWS)
    else:
        write_jsonl(source, [text for text, _ in ROWS])
    before = source.read_bytes()
    error = user_error(["normalise", str(source), "-o", str(source)], capsys)
    assert "the output is the input" in error
    assert source.read_bytes() == before


def test_every_subcommand_refuses_its_input_as_output(
    corpus: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    before = corpus.read_bytes()
    # Each check comes before the work: a model or labeller that is used fails the test. The
    # commands import these when they run, so they are replaced where they are defined.
    monkeypatch.setattr(KeywordTagger, "from_pretrained", _must_not_run)
    monkeypatch.setattr("electra_rtd.corpus_tools.silver.SilverLabeller", _must_not_run)
    monkeypatch.setattr("electra_rtd.corpus_tools.report.build_report", _must_not_run)
    monkeypatch.setattr("electra_rtd.corpus_tools.dedup.deduplicate", _must_not_run)
    jsonl = write_jsonl(tmp_path / "m.jsonl", [text for text, _ in ROWS])
    jsonl_before = jsonl.read_bytes()
    commands = [
        ["keywords", str(corpus), "--model", "unused", "-o", str(corpus)],
        ["label", str(jsonl), "-o", str(jsonl)],
    ]
    for argv in commands:
        assert "the output is the input" in user_error(argv, capsys)
    # A background is an input too.
    bg = ["label", str(corpus), "--background", str(jsonl), "-o", str(jsonl)]
    assert "the output is the input" in user_error(bg, capsys)
    # A KISA .tsv is not replaced by JSONL: the name is refused before any labelling.
    assert "name it .jsonl" in user_error(["label", str(corpus), "-o", str(corpus)], capsys)
    assert "name it .jsonl" in user_error(
        ["label", str(corpus), "-o", str(tmp_path / "labels.txt")], capsys
    )
    assert corpus.read_bytes() == before and jsonl.read_bytes() == jsonl_before


def _must_not_run(*args, **kwargs):
    raise AssertionError("the work started before the output was checked")


def test_dedup_refuses_an_output_folder_holding_its_input(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    rows = write_jsonl(out / "rows.jsonl", [text for text, _ in ROWS])
    before = rows.read_bytes()
    error = user_error(["dedup", str(rows), "-o", str(out)], capsys)
    assert "the output is the input" in error
    assert rows.read_bytes() == before


@pytest.mark.parametrize("command", ["normalise", "dedup", "report"])
def test_an_output_inside_the_input_folder_is_refused(tmp_path: Path, command: str, capsys) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_tsv(folder / "a.tsv", ROWS)
    output = folder / ("out.jsonl" if command == "normalise" else "out")
    argv = [command, str(folder), "--text-column", "message", "-o", str(output)]
    assert "inside the input folder" in user_error(argv, capsys)
    assert sorted(p.name for p in folder.iterdir()) == ["a.tsv"]


def test_an_output_that_is_a_folder_or_under_a_file_is_one_line(corpus: Path, capsys) -> None:
    folder = corpus.parent / "a_folder"
    folder.mkdir()
    argv = ["normalise", str(corpus), "--text-column", "message", "-o", str(folder)]
    assert "is an existing folder" in user_error(argv, capsys)
    under_file = corpus.parent / "messages.tsv" / "out.jsonl"
    argv = ["normalise", str(corpus), "--text-column", "message", "-o", str(under_file)]
    assert "is a file, not a folder" in user_error(argv, capsys)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_refused_before_the_work(corpus: Path, capsys) -> None:
    folder = corpus.parent / "read_only"
    folder.mkdir(mode=0o500)
    argv = ["report", str(corpus), "--text-column", "message", "-o", str(folder)]
    assert "permission denied" in user_error(argv, capsys)


def test_a_failed_write_keeps_the_earlier_output_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = write_text(tmp_path / "out.jsonl", "good\n")
    with pytest.raises(ValueError, match="bad row"), open_output(target) as out:
        out.write("half")
        raise ValueError("bad row")
    assert target.read_text() == "good\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_two_concurrent_writers_never_mix(tmp_path: Path) -> None:
    target = tmp_path / "keywords.jsonl"
    with open_output(target) as first, open_output(target) as second:
        for line in range(1000):
            first.write(f"A {line}\n")
            second.write(f"B {line}\n")
    text = target.read_text()
    assert text == "".join(f"A {line}\n" for line in range(1000))  # the last rename wins whole
    assert [p.name for p in tmp_path.iterdir()] == ["keywords.jsonl"]


def test_check_output_refuses_a_file_inside_an_input_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="inside the input folder"):
        check_output(tmp_path / "sub" / "out.jsonl", [tmp_path])
    assert check_output(tmp_path / "out.jsonl", [tmp_path / "in.jsonl"]) == tmp_path / "out.jsonl"


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_a_full_disk_is_named_as_such_and_keeps_the_earlier_output(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [f"택배가 도착했습니다 {i}" for i in range(400)])
    target = write_text(tmp_path / "out.jsonl", "earlier good output\n")
    result = subprocess.run(
        [sys.executable, "-c", CLI, "normalise", str(source), "-o", str(target), "--no-progress"],
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size,
        env={**os.environ, "PYTHONPATH": str(REPO_SRC)},
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "disk full" in last and str(target) in last
    assert "Traceback" not in result.stderr
    assert target.read_text() == "earlier good output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]
