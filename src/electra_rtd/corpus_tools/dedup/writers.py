"""Write a de-duplication result: one line per row, one line per cluster, or the kept messages.

Rows and clusters files account for every input row, so nothing is dropped without a trace. TSV
is for spreadsheets and eyeballing: tabs and line breaks inside a message become spaces there;
JSONL keeps the text exactly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from electra_rtd.corpus_tools.dedup.clusters import DedupResult
from electra_rtd.corpus_tools.dedup.config import COMBINED
from electra_rtd.outputs import open_output

logger = logging.getLogger(__name__)

_FORMATS = (".jsonl", ".tsv")
_TSV_BREAKS = str.maketrans("\t\n\r", "   ")


def write_rows(result: DedupResult, path: str | Path, texts: Iterable[str] | None = None) -> Path:
    """One line per input row: its index, the text (when `texts` is given), its template (when
    structural ran; personal data masked) and its cluster id under every method.

    The format follows the suffix: `.jsonl` or `.tsv`, each optionally `.gz`.
    """
    path = Path(path)
    file_format = _format(path)
    row_texts = iter(texts) if texts is not None else None
    labels = {method: result.labels[method].tolist() for method in result.methods}
    with open_output(path) as handle:
        if file_format == ".tsv":
            columns = ["row"] + ["text"] * (texts is not None)
            columns += ["template"] * (result.templates is not None) + list(labels)
            handle.write("\t".join(columns) + "\n")
        for row in range(result.num_rows):
            record = {"row": row}
            if row_texts is not None:
                record["text"] = _next_text(row_texts, row, result.num_rows)
            if result.templates is not None:
                record["template"] = result.template(row)
            record.update((method, ids[row]) for method, ids in labels.items())
            handle.write(_line(record, file_format))
        if row_texts is not None and next(row_texts, None) is not None:
            raise ValueError(f"texts has more than the result's {result.num_rows} rows")
    logger.info("wrote %d rows to %s", result.num_rows, path)
    return path


def write_clusters(
    result: DedupResult,
    path: str | Path,
    methods: Sequence[str] | None = None,
    min_size: int = 1,
) -> Path:
    """One JSON line per cluster of each method: id, size, representative, members (row indices),
    and the representative's template when structural ran. Singletons count unless `min_size` > 1.
    """
    path = Path(path)
    if _format(path) != ".jsonl":
        raise ValueError(f"{path}: clusters are written as .jsonl (optionally .gz)")
    written = 0
    with open_output(path) as handle:
        for method in methods or result.methods:
            for cluster in result.clusters(method):
                if cluster.size < min_size:
                    continue
                record = {
                    "method": method,
                    "cluster": cluster.id,
                    "size": cluster.size,
                    "representative": cluster.representative,
                    "members": cluster.members.tolist(),
                }
                if result.templates is not None:
                    record["template"] = result.template(cluster.representative)
                handle.write(_line(record, ".jsonl"))
                written += 1
    logger.info("wrote %d clusters to %s", written, path)
    return path


def deduplicated(
    texts: Iterable[str], result: DedupResult, method: str = COMBINED
) -> Iterator[str]:
    """The texts of the representative rows (one per cluster of `method`), in input order."""
    keep = result.is_representative(method)
    count = 0
    for row, text in enumerate(texts):
        if row >= result.num_rows:
            raise ValueError(f"texts has more than the result's {result.num_rows} rows")
        if keep[row]:
            yield text
        count = row + 1
    if count != result.num_rows:
        raise ValueError(f"texts has {count} rows, the result {result.num_rows}")


def _format(path: Path) -> str:
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes[-1:] == [".gz"]:
        suffixes.pop()
    if not suffixes or suffixes[-1] not in _FORMATS:
        raise ValueError(f"{path}: expected a .jsonl or .tsv file (optionally .gz)")
    return suffixes[-1]


def _next_text(texts: Iterator[str], row: int, rows: int) -> str:
    text = next(texts, None)
    if text is None:
        raise ValueError(f"texts ends at row {row}, the result has {rows} rows")
    return text


def _line(record: dict, file_format: str) -> str:
    if file_format == ".jsonl":
        return json.dumps(record, ensure_ascii=False) + "\n"
    return "\t".join(str(value).translate(_TSV_BREAKS) for value in record.values()) + "\n"
