"""Load a message corpus: .txt, .jsonl, .csv, .tsv (optionally gzipped) or .parquet files, a folder
of them, or a dataset that `datasets.load_dataset` reads (a hub id, a local folder of other data
files; `NAME:SPLIT` picks a split, the train split by default).

Every row goes through our own checks so that bad input fails with the file and line that caused it
(in a parquet file or a dataset: the row, the first being 1), instead of an Arrow or pandas error
deep inside `datasets`. Text files are read by our own line-by-line readers. `datasets` stores the
records (an Arrow cache, optionally built with several processes, or a lazy stream) and loads the
named datasets; it is imported only there, so that commands reading files line by line (and their
`--help`) start at once.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from electra_rtd.data.hub_ids import looks_like_path

if TYPE_CHECKING:
    import datasets
    import pyarrow as pa
    from datasets.exceptions import DatasetGenerationError

from electra_rtd.text.privacy import excerpt_for_error

logger = logging.getLogger(__name__)

# Formats read line by line, optionally gzipped; parquet compresses inside and is read by Arrow.
LINE_SUFFIXES = (".txt", ".jsonl", ".csv", ".tsv")
SUPPORTED_SUFFIXES = (*LINE_SUFFIXES, ".parquet")
# `NAME:SPLIT` names a split of a dataset; without one, its train split is read.
SPLIT_SEPARATOR = ":"
DEFAULT_SPLIT = "train"
# Rows per Arrow batch read from a parquet file or a dataset.
ARROW_BATCH_ROWS = 1000
# Blank messages are reported by line number; listing them all would flood the log.
MAX_REPORTED_LINES = 5
# Internal columns that locate each row while the Arrow cache is built; dropped before returning.
_FILE_COLUMN = "__corpus_file"
_LINE_COLUMN = "__corpus_line"


class CorpusError(ValueError):
    """Bad corpus input; the message starts with `file:line:` so the user can go and fix it."""


@dataclass(frozen=True)
class HubCorpus:
    """One split of a dataset that `datasets.load_dataset` reads: a hub id (`owner/name`), a
    dataset name, or a local folder of data files our readers do not read (e.g. `.json`)."""

    name: str
    split: str = DEFAULT_SPLIT

    def __str__(self) -> str:
        return f"{self.name}[{self.split}]"

    def load(self) -> datasets.Dataset:
        """The split, from the datasets cache when it is there; a failure says what to do."""
        import datasets
        from huggingface_hub import is_offline_mode

        try:
            return datasets.load_dataset(self.name, split=self.split)
        except (OSError, ValueError) as error:
            if Path(self.name).is_dir():
                reason = (
                    f"the folder holds no corpus files ({_supported_names()}) and "
                    "datasets.load_dataset cannot read it"
                )
            elif is_offline_mode():
                reason = (
                    "no file or folder has that name, and the Hugging Face hub is offline "
                    "(HF_HUB_OFFLINE=1) with no copy in the datasets cache: load it once where the "
                    "hub is reachable and copy ~/.cache/huggingface here, or pass a local file"
                )
            else:
                reason = "no file or folder has that name, and datasets.load_dataset cannot load it"
            raise CorpusError(f"{self}: {reason} ({type(error).__name__}: {error})") from None


# One file of a corpus, or one split of a dataset.
CorpusPart = Path | HubCorpus


@dataclass(frozen=True)
class BlankMessages:
    """Empty or whitespace-only messages skipped in one file."""

    count: int
    first_lines: tuple[int, ...]


@dataclass(frozen=True)
class CorpusStats:
    """What loading kept and skipped, so callers and tests need not parse log messages."""

    files: tuple[CorpusPart, ...]
    num_messages: int
    blank: dict[CorpusPart, BlankMessages]

    @property
    def num_blank(self) -> int:
        return sum(skipped.count for skipped in self.blank.values())


def find_corpus_files(path: str | Path) -> list[Path]:
    """The corpus files at `path`: the file itself, or every supported file below a folder, sorted."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"corpus path does not exist: {path}")
    if path.is_file():
        if _format_of(path) is None:
            raise CorpusError(f"{path}: unsupported corpus file; expected {_supported_names()}")
        return [path]
    files = _files_below(path)
    if not files:
        raise CorpusError(f"{path}: folder holds no corpus files ({_supported_names()})")
    return files


def corpus_parts(source: str | Path) -> list[CorpusPart]:
    """What ``source`` names: a corpus file, the corpus files below a folder, or else one split of
    a dataset for `datasets.load_dataset` (`NAME` or `NAME:SPLIT`): a hub id, or a folder holding
    other data files. Nothing is loaded yet; a path that does not exist is a FileNotFoundError."""
    path = Path(source)
    if path.is_dir() and not _files_below(path):
        return [HubCorpus(str(path))]
    if path.exists():
        return find_corpus_files(path)
    name, _, split = str(source).partition(SPLIT_SEPARATOR)
    if not Path(name).is_dir() and (looks_like_path(name) or _format_of(Path(name)) is not None):
        raise FileNotFoundError(f"corpus path does not exist: {source}")
    return [HubCorpus(name, split or DEFAULT_SPLIT)]


def _files_below(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and _format_of(p) is not None)


def iter_records(
    files: Sequence[CorpusPart | str],
    text_column: str = "text",
    keep_columns: Sequence[str] = (),
    *,
    keep_blank: bool = False,
) -> Iterator[dict]:
    """Yield `{"text": ..., **keep_columns}` per message, skipping blank ones with a warning per file.

    ``files`` come from `corpus_parts` (or `find_corpus_files`). `keep_blank=True` yields blank rows
    too (text "", no warning), for outputs that must stay aligned one-to-one with the input rows.
    """
    for _, _, record in iter_located_records(
        files, text_column, keep_columns, keep_blank=keep_blank
    ):
        yield record


def iter_located_records(
    files: Sequence[CorpusPart | str],
    text_column: str = "text",
    keep_columns: Sequence[str] = (),
    *,
    keep_blank: bool = False,
) -> Iterator[tuple[CorpusPart, int, dict]]:
    """`iter_records` with where each record is: ``(file, line, record)`` (a row number in a
    parquet file or a dataset), for readers that check a kept column and report ``file:line``."""
    for part in map(_as_part, files):
        blank_lines: list[int] = []
        for line, record in _read_part(part, text_column, keep_columns):
            if record["text"] or keep_blank:
                yield part, line, record
            else:
                blank_lines.append(line)
        if blank_lines:
            _warn_blank(
                part, BlankMessages(len(blank_lines), tuple(blank_lines[:MAX_REPORTED_LINES]))
            )


def _as_part(part: CorpusPart | str) -> CorpusPart:
    return part if isinstance(part, HubCorpus) else Path(part)


def load_corpus(
    path: str | Path,
    text_column: str = "text",
    *,
    keep_columns: Sequence[str] = (),
    streaming: bool = False,
    num_proc: int | None = None,
    cache_dir: str | Path | None = None,
) -> datasets.Dataset | datasets.IterableDataset:
    """Load a corpus as a `datasets` table with a `text` column (and `keep_columns`).

    `streaming=True` reads lazily for corpora larger than memory; blank messages are then only logged
    as each file is reached. Use `load_corpus_with_stats` to get the skipped counts up front.
    """
    if not streaming:
        return load_corpus_with_stats(
            path, text_column, keep_columns=keep_columns, num_proc=num_proc, cache_dir=cache_dir
        )[0]
    import datasets

    _check_keep_columns(text_column, keep_columns)
    if num_proc is not None or cache_dir is not None:
        logger.warning("streaming corpus is read lazily: num_proc and cache_dir are ignored")
    files = corpus_parts(path)
    return datasets.IterableDataset.from_generator(
        _generate_messages,
        features=_features(keep_columns),
        gen_kwargs={
            "files": files,
            "text_column": text_column,
            "keep_columns": tuple(keep_columns),
        },
    )


def load_corpus_with_stats(
    path: str | Path,
    text_column: str = "text",
    *,
    keep_columns: Sequence[str] = (),
    num_proc: int | None = None,
    cache_dir: str | Path | None = None,
) -> tuple[datasets.Dataset, CorpusStats]:
    """Load a corpus into the Arrow cache and report the blank messages skipped in each file.

    Blank rows go into the cache and are counted from it on every load, so a cache hit reports the
    same counts and warnings as the first load.
    """
    import datasets
    from datasets.exceptions import DatasetGenerationError

    _check_keep_columns(text_column, keep_columns)
    files = corpus_parts(path)
    # Unused by the generator: they only make the cache fingerprint follow changes to the parts.
    stamps = [_stamp(f) for f in files]
    features = _features(keep_columns)
    features[_FILE_COLUMN] = datasets.Value("int32")
    features[_LINE_COLUMN] = datasets.Value("int64")
    try:
        rows = datasets.Dataset.from_generator(
            _generate_rows,
            features=features,
            gen_kwargs={
                "files": files,
                "file_ids": list(range(len(files))),
                "file_stamps": stamps,
                "text_column": text_column,
                "keep_columns": tuple(keep_columns),
            },
            num_proc=num_proc,
            cache_dir=str(cache_dir) if cache_dir is not None else None,
        )
    except DatasetGenerationError as error:
        cause = _corpus_error_behind(error, files, text_column, keep_columns)
        if cause is None:
            raise
        raise cause from None
    except ValueError:
        # datasets cannot build a table from zero rows and says so vaguely; an empty re-read is free.
        if any(True for file in files for _ in _read_part(file, text_column, keep_columns)):
            raise
        raise CorpusError(f"{path}: the corpus holds no messages") from None
    blank = _blank_messages(rows, files)
    for file, skipped in blank.items():
        _warn_blank(file, skipped)
    messages = _drop_blank_rows(rows).remove_columns([_FILE_COLUMN, _LINE_COLUMN])
    if len(messages) == 0:
        raise CorpusError(f"{path}: the corpus holds no messages, only {len(rows)} blank ones")
    return messages, CorpusStats(files=tuple(files), num_messages=len(messages), blank=blank)


def _generate_rows(
    files: list[CorpusPart],
    file_ids: list[int],
    file_stamps: list[tuple[int, int] | str],
    text_column: str,
    keep_columns: tuple[str, ...],
) -> Iterator[dict]:
    """Every row, blank ones included (as ""), with its file and line; lists are sharded by datasets."""
    del file_stamps
    for file_id, file in zip(file_ids, files, strict=True):
        for line, record in _read_part(file, text_column, keep_columns):
            yield {**record, _FILE_COLUMN: file_id, _LINE_COLUMN: line}


def _generate_messages(
    files: list[CorpusPart], text_column: str, keep_columns: tuple[str, ...]
) -> Iterator[dict]:
    """Streaming generator; a named function (not a lambda) so datasets can shard and hash it."""
    yield from iter_records(files, text_column, keep_columns)


def _read_part(
    part: CorpusPart, text_column: str, keep_columns: Sequence[str]
) -> Iterator[tuple[int, dict]]:
    """Yield `(line, record)` for every row of one file or dataset; a blank message has text ""."""
    if isinstance(part, HubCorpus):
        rows = _arrow_rows(part.load().with_format("arrow").iter(batch_size=ARROW_BATCH_ROWS))
    else:
        rows = _file_rows(part, text_column, keep_columns)
    for line, row in rows:
        yield line, _checked(part, line, row, text_column, keep_columns)


def _file_rows(
    path: Path, text_column: str, keep_columns: Sequence[str]
) -> Iterator[tuple[int, dict | None]]:
    """`(line, row)` of one file by its format; a blank line is `None`."""
    file_format = _format_of(path)
    if file_format == ".parquet":
        return _parquet_rows(path)
    if file_format == ".txt":
        if keep_columns:
            raise CorpusError(
                f"{path}: a .txt corpus has no columns to keep ({', '.join(keep_columns)})"
            )
        return _txt_rows(path, text_column)
    if file_format == ".jsonl":
        return _jsonl_rows(path)
    if file_format in (".csv", ".tsv"):
        return _delimited_rows(path, file_format, (text_column, *keep_columns))
    raise CorpusError(f"{path}: unsupported corpus file; expected {_supported_names()}")


def read_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """`(line number, line)` of a UTF-8 file, gzipped or not, newline kept; a BOM is dropped.

    Public so that other readers (labelled data) report unreadable files and bad bytes with the
    same `file:line` errors as the corpus.
    """
    return _lines(Path(path))


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Decode line by line so an invalid byte is reported on its own line, not a chunk's."""
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    number = 0
    try:
        with opener(path, "rb") as raw_lines:
            for number, raw in enumerate(raw_lines, start=1):
                yield number, _decoded(path, number, raw)
    except (OSError, EOFError, zlib.error) as error:
        raise CorpusError(f"{path}:{number + 1}: cannot read the file: {error}") from error


def _decoded(path: Path, number: int, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(
            f"{path}:{number}: not valid UTF-8 (byte {raw[error.start]:#04x} at column "
            f"{error.start + 1}); re-encode the file as UTF-8"
        ) from None
    return text.removeprefix("\ufeff") if number == 1 else text


def _parquet_rows(path: Path) -> Iterator[tuple[int, dict]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        yield from _arrow_rows(pq.ParquetFile(path).iter_batches(batch_size=ARROW_BATCH_ROWS))
    except (OSError, pa.ArrowException) as error:
        raise CorpusError(f"{path}: cannot read the parquet file: {error}") from None


def _arrow_rows(batches: Iterable[pa.Table | pa.RecordBatch]) -> Iterator[tuple[int, dict]]:
    """`(row, record)` of Arrow batches, the first row numbered 1."""
    return enumerate(chain.from_iterable(batch.to_pylist() for batch in batches), start=1)


def _txt_rows(path: Path, text_column: str) -> Iterator[tuple[int, dict]]:
    """One message per line; it is filed under `text_column` so folders can mix .txt with tables."""
    for line, text in _lines(path):
        yield line, {text_column: text.removesuffix("\n").removesuffix("\r")}


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict | None]]:
    for line, text in _lines(path):
        if not text.strip():
            yield line, None
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as error:
            raise CorpusError(
                f"{path}:{line}: malformed JSON: {error.msg} (column {error.colno})"
            ) from None
        if not isinstance(row, dict):
            raise CorpusError(f"{path}:{line}: expected a JSON object, got {type(row).__name__}")
        yield line, row


def _delimited_rows(
    path: Path, file_format: str, required: Sequence[str]
) -> Iterator[tuple[int, dict | None]]:
    """CSV follows RFC 4180 (quoted fields may span lines); TSV has no quoting at all.

    TSV files such as the KISA reports contain messages starting with a literal `"`: reading them
    with CSV quoting silently glues rows together, so TSV is split on tabs only.
    """
    if file_format == ".csv":
        dialect = {"delimiter": ",", "strict": True}
    else:
        dialect = {"delimiter": "\t", "quoting": csv.QUOTE_NONE}
    lines = _lines(path)
    reader = csv.reader((text for _, text in lines), **dialect)
    start = 1
    header: list[str] | None = None
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                header = fields
                # Checked on the header line itself, so even a header-only file fails.
                _check_columns(path, line, header, required)
                continue
            if not fields or (len(fields) == 1 and not fields[0].strip() and len(header) > 1):
                yield line, None
            elif len(fields) != len(header):
                raise CorpusError(
                    f"{path}:{line}: row has {len(fields)} fields, the header has {len(header)}"
                )
            else:
                yield line, dict(zip(header, fields, strict=True))
    except csv.Error as error:
        raise CorpusError(
            f"{path}:{start}: malformed {file_format[1:].upper()} row: {error}"
        ) from None
    if header is None:
        raise CorpusError(f"{path}:1: empty file; a header line naming the columns is required")


def _check_columns(
    path: CorpusPart, line: int, columns: Sequence[str], required: Sequence[str]
) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise CorpusError(
            f"{path}:{line}: no column {', '.join(map(repr, missing))}; "
            f"columns are {', '.join(map(excerpt_for_error, columns))} (no header line?)"
        )


def _checked(
    path: CorpusPart, line: int, row: dict | None, text_column: str, keep_columns: Sequence[str]
) -> dict:
    """Validate one row and rename its text column to `text`; `row=None` is a blank line."""
    if row is None:
        return {"text": "", **dict.fromkeys(keep_columns)}
    _check_columns(path, line, list(row), (text_column, *keep_columns))
    text = row[text_column]
    if not isinstance(text, str):
        raise CorpusError(
            f"{path}:{line}: text column {text_column!r} holds {type(text).__name__}, not a string"
        )
    record = {"text": text if text.strip() else ""}
    for column in keep_columns:
        record[column] = _kept_value(path, line, column, row[column])
    return record


def _kept_value(path: CorpusPart, line: int, column: str, value: object) -> str | None:
    """Kept columns are strings: JSON numbers and booleans keep their JSON spelling, dates and
    times (parquet, datasets) their ISO one."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | bool):
        return json.dumps(value)
    if isinstance(value, date):
        return value.isoformat()
    raise CorpusError(
        f"{path}:{line}: column {column!r} holds a {type(value).__name__}, not a scalar"
    )


def _blank_messages(
    rows: datasets.Dataset, files: Sequence[CorpusPart]
) -> dict[CorpusPart, BlankMessages]:
    """Count blank rows per file straight from Arrow, which is fast even for large corpora."""
    import pyarrow.compute as pc

    table = rows.data.table
    blank = pc.equal(table.column("text"), "")
    file_ids = pc.filter(table.column(_FILE_COLUMN), blank).to_numpy()
    lines = pc.filter(table.column(_LINE_COLUMN), blank).to_numpy()
    report = {}
    for file_id in np.unique(file_ids):
        file_lines = lines[file_ids == file_id]
        report[files[file_id]] = BlankMessages(
            count=len(file_lines),
            first_lines=tuple(int(n) for n in file_lines[:MAX_REPORTED_LINES]),
        )
    return report


def _drop_blank_rows(rows: datasets.Dataset) -> datasets.Dataset:
    import pyarrow.compute as pc

    kept = pc.not_equal(rows.data.table.column("text"), "").to_numpy(zero_copy_only=False)
    return rows if kept.all() else rows.select(np.flatnonzero(kept))


def _warn_blank(path: CorpusPart, skipped: BlankMessages) -> None:
    more = ", ..." if skipped.count > len(skipped.first_lines) else ""
    logger.warning(
        "%s: skipped %d empty or whitespace-only messages (lines %s%s)",
        path,
        skipped.count,
        ", ".join(map(str, skipped.first_lines)),
        more,
    )


def _corpus_error_behind(
    error: DatasetGenerationError,
    files: Sequence[CorpusPart],
    text_column: str,
    keep_columns: Sequence[str],
) -> CorpusError | None:
    """The CorpusError that `datasets` wrapped, so the user sees which file and line to fix.

    An error from a worker process comes back pickled without its cause; the corpus is then re-read
    here (only on this failure path) to raise the same error again.
    """
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, CorpusError):
            return seen
        seen = seen.__cause__ or seen.__context__
    try:
        for path in files:
            deque(_read_part(path, text_column, keep_columns), maxlen=0)
    except CorpusError as reread:
        return reread
    return None


def _check_keep_columns(text_column: str, keep_columns: Sequence[str]) -> None:
    if isinstance(keep_columns, str):
        raise TypeError(
            f"keep_columns must be a sequence of column names, not the string {keep_columns!r}"
        )
    clashing = {"text", text_column, _FILE_COLUMN, _LINE_COLUMN}.intersection(keep_columns)
    if clashing:
        raise ValueError(
            f"keep_columns cannot include {sorted(clashing)}: the text is already output as 'text'"
        )


def _features(keep_columns: Sequence[str]) -> datasets.Features:
    import datasets

    return datasets.Features(
        {"text": datasets.Value("string"), **{c: datasets.Value("string") for c in keep_columns}}
    )


def format_suffix(path: Path) -> str | None:
    """The lower-case format suffix, looking through `.gz` (``a.JSONL.gz`` is ``.jsonl``)."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes[-1:] == [".gz"]:
        suffixes.pop()
    return suffixes[-1] if suffixes else None


def _format_of(path: Path) -> str | None:
    """The corpus format from the suffix (`.gz` is looked through for the line formats), or None
    for other files."""
    suffix = format_suffix(path)
    allowed = LINE_SUFFIXES if path.suffix.lower() == ".gz" else SUPPORTED_SUFFIXES
    return suffix if suffix in allowed else None


def _stamp(part: CorpusPart) -> tuple[int, int] | str:
    """What changes with the part's content: a file's size and time, a dataset's fingerprint."""
    if isinstance(part, HubCorpus):
        return part.load()._fingerprint
    stat = part.stat()
    return stat.st_size, stat.st_mtime_ns


def _supported_names() -> str:
    return ", ".join(LINE_SUFFIXES) + " (each optionally .gz), .parquet"
