"""Tag every message of a corpus file and write the keywords as JSON lines, streaming.

The output has exactly one line per input row, in input order, blank rows included (with no
keywords), so line N of the output always belongs to row N of the input and can be joined back to
the input's other columns by position.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from itertools import tee
from pathlib import Path
from typing import TextIO

from tqdm.auto import tqdm

from electra_rtd.data.corpus import corpus_parts, iter_records
from electra_rtd.outputs import check_output, open_output
from electra_rtd.tagging.decoding import Keyword
from electra_rtd.tagging.extractor import KeywordTagger

logger = logging.getLogger(__name__)

SCORE_DECIMALS = 4


def write_corpus_keywords(
    tagger: KeywordTagger,
    input_path: str | Path,
    output: str | Path | TextIO,
    *,
    text_column: str = "text",
    progress: bool = False,
    top_n: int | None = None,
    threshold: float = 0.0,
) -> int:
    """Write ``{"text", "keywords": [...]}`` per input row to ``output``, a path or an open text
    stream (standard output); returns the rows.

    A file appears only once every row is tagged (see `electra_rtd.outputs`), so a bad row
    halfway through a file leaves no truncated output behind to be mistaken for a result; an
    output file that is the input is refused first. A `CorpusError` names the file and line of
    bad input.
    """
    texts = (
        record["text"]
        for record in iter_records(corpus_parts(input_path), text_column, keep_blank=True)
    )
    options = {"progress": progress, "top_n": top_n, "threshold": threshold}
    if not isinstance(output, (str, Path)):
        rows = _write_rows(tagger, texts, output, **options)
        logger.info("wrote keywords for %d rows of %s", rows, input_path)
        return rows
    output_path = check_output(output, [input_path])
    with open_output(output_path) as out:
        rows = _write_rows(tagger, texts, out, **options)
    logger.info("wrote keywords for %d rows of %s to %s", rows, input_path, output_path)
    return rows


def _write_rows(
    tagger: KeywordTagger,
    texts: Iterator[str],
    out: TextIO,
    *,
    progress: bool,
    top_n: int | None,
    threshold: float,
) -> int:
    # The tagger reads a chunk ahead of the writer; tee holds just that chunk for the writer.
    to_tag, to_write = tee(texts)
    rows = 0
    with tqdm(unit="msg", desc="keywords", disable=not progress) as bar:
        for text, keywords in zip(
            to_write, tagger.iter_extract(to_tag, top_n=top_n, threshold=threshold), strict=True
        ):
            out.write(json.dumps(_row(text, keywords), ensure_ascii=False) + "\n")
            rows += 1
            bar.update()
    return rows


def _row(text: str, keywords: list[Keyword]) -> dict:
    return {
        "text": text,
        "keywords": [
            {
                "start": keyword.start,
                "end": keyword.end,
                "text": keyword.text,
                "norm": keyword.norm,
                "score": round(keyword.score, SCORE_DECIMALS),
                "label": keyword.label,
            }
            for keyword in keywords
        ],
    }
