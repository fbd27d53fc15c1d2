"""Hand labels of real messages kept without the messages: records keyed by the text's SHA-256.

The shared data may not be copied into the repository, so a label file holds, per message, only
the hash of its text and its keywords as character spans with their plain forms:

    {"sha256": "...", "category": "도박", "keywords": [{"start": 12, "end": 15, "norm": "카지노"}]}

`join_labels` reads the corpus the hashes came from and rebuilds the labelled messages. Each
split of a label folder is one file (`dev.jsonl`) or a folder of files (`train/round1.jsonl`,
`train/round2.jsonl`: one per labelling round, and no file grows past what a repository should
hold); the split was decided per family of near-duplicates when the messages were chosen, so it
is read, never re-drawn.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from electra_rtd.data.corpus import CorpusError, corpus_parts, iter_records
from electra_rtd.data.labelled import DEFAULT_LABEL, LabelledMessage
from electra_rtd.data.splits import SPLIT_NAMES
from electra_rtd.text.spans import Span


def text_sha256(text: str) -> str:
    """The key of a message's labels: the SHA-256 of its text as stored (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_label_file(path: str | Path) -> dict[str, dict[str, Any]]:
    """Records of one label file by hash; a malformed line stops with ``path:line``."""
    path = Path(path)
    records: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            key = record["sha256"]
            keywords = record["keywords"]
            if not isinstance(key, str) or len(key) != 64 or not isinstance(keywords, list):
                raise ValueError("sha256 must be 64 hex digits and keywords a list")
            for keyword in keywords:
                int(keyword["start"]), int(keyword["end"]), str(keyword["norm"])
        except (ValueError, KeyError, TypeError) as error:
            raise CorpusError(f"{path}:{number}: not a hashed label record ({error})") from None
        if key in records:
            raise CorpusError(f"{path}:{number}: message {key[:12]}... is labelled twice")
        records[key] = record
    return records


def split_files(folder: Path, split: str) -> list[Path]:
    """The files of one split: ``split.jsonl`` and every ``.jsonl`` in ``split/``."""
    single = folder / f"{split}.jsonl"
    parts = sorted((folder / split).glob("*.jsonl")) if (folder / split).is_dir() else []
    return [single, *parts] if single.is_file() else parts


def read_label_folder(folder: str | Path) -> dict[str, dict[str, dict[str, Any]]]:
    """``{split: {hash: record}}`` for the splits of a label folder; a message labelled in two
    files of one split is an error."""
    folder = Path(folder)
    files = {name: split_files(folder, name) for name in SPLIT_NAMES}
    missing = [name for name, paths in files.items() if not paths]
    if missing:
        raise CorpusError(f"{folder}: no {', '.join(f'{m}.jsonl or {m}/' for m in missing)}")
    splits: dict[str, dict[str, dict[str, Any]]] = {}
    for name, paths in files.items():
        records: dict[str, dict[str, Any]] = {}
        for path in paths:
            for key, record in read_label_file(path).items():
                if key in records:
                    raise CorpusError(f"{path}: message {key[:12]}... is labelled in two files")
                records[key] = record
        splits[name] = records
    return splits


def labelled_message(text: str, record: Mapping[str, Any], source: str) -> LabelledMessage:
    """A message and its keyword spans; the plain forms go to ``meta["norms"]`` in span order."""
    pairs = sorted(
        (Span(int(k["start"]), int(k["end"]), DEFAULT_LABEL), str(k["norm"]))
        for k in record["keywords"]
    )
    meta = {key: value for key, value in record.items() if key != "keywords"}
    meta["norms"] = [norm for _, norm in pairs]
    return LabelledMessage(text, tuple(span for span, _ in pairs), source=source, meta=meta)


def join_labels(
    labels: Mapping[str, Mapping[str, Mapping[str, Any]]],
    corpus: str | Path,
    text_column: str,
    source: str = "hand",
) -> dict[str, list[LabelledMessage]]:
    """Rebuild ``{split: messages}`` from hashed records and the corpus they were taken from.

    Every hash must be found: a missing message means the labels belong to another corpus.
    """
    wanted = {key: split for split, records in labels.items() for key in records}
    found: dict[str, str] = {}
    for row in iter_records(corpus_parts(corpus), text_column):
        key = text_sha256(row["text"])
        if key in wanted:
            found.setdefault(key, row["text"])
    missing = set(wanted) - set(found)
    if missing:
        raise CorpusError(
            f"{corpus}: {len(missing)} labelled messages are not in this corpus "
            f"(e.g. {sorted(missing)[0][:12]}...)"
        )
    return {
        split: [labelled_message(found[key], record, source) for key, record in records.items()]
        for split, records in labels.items()
    }


def hashed_record(message: LabelledMessage, norms: Sequence[str], **extra: Any) -> dict[str, Any]:
    """The label record of ``message`` (its spans with ``norms``, in span order), text left out."""
    if len(norms) != len(message.spans):
        raise ValueError(f"{len(message.spans)} spans but {len(norms)} plain forms")
    keywords = [
        {"start": span.start, "end": span.end, "norm": norm}
        for span, norm in zip(message.spans, norms, strict=True)
    ]
    return {"sha256": text_sha256(message.text), **extra, "keywords": keywords}


def write_label_file(records: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """One record a line, sorted by hash so that a relabelled file diffs line by line."""
    path = Path(path)
    lines = sorted(json.dumps(dict(r), ensure_ascii=False) for r in records)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path
