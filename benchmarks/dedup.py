"""De-duplication speed and duplicate statistics per method on the KISA spam reports.

Each method runs alone on the same messages, so its time includes the normalising, masking or
embedding it needs; then all selected methods run together ("all", with the combined clusters).
Reading the file is not timed. Messages/second counts input rows, copies included; CPU seconds
add up this process and its workers, the steadier number on a busy shared machine. The KISA
held-out day (file_date 2022-12-31) is never read. "Duplicate share" is the share of rows that
are not their cluster's representative, i.e. what de-duplication removes.

    python benchmarks/dedup.py                          # whole corpus, 2 worker processes
    python benchmarks/dedup.py --limit 100000
    python benchmarks/dedup.py --template-minhash       # structural also joins similar templates
    python benchmarks/dedup.py --encoder outputs/rtd_pretrain/<run>/export/discriminator \
        --semantic-threshold 0.98 --torch-threads 1
    python benchmarks/dedup.py --smoke                  # synthetic messages, seconds; for the tests
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

import torch

from electra_rtd.corpus_tools.dedup import COMBINED, DedupConfig, deduplicate
from electra_rtd.data.corpus import iter_records
from electra_rtd.data.synthetic import generate_messages

KISA = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "messages"
    / "kisa_spam_2022_reports.tsv.gz"
)
HELD_OUT_DAY = "2022-12-31"
SMOKE_MESSAGES = 300


@dataclass(frozen=True)
class Result:
    method: str
    rows: int
    seconds: float
    cpu_seconds: float
    clusters: int
    largest: int
    duplicate_share: float

    @property
    def messages_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


def kisa_messages(path: Path, limit: int | None) -> list[str]:
    """The `message` column in file order, blank rows included, without the held-out day."""
    records = iter_records([path], "message", ("file_date",), keep_blank=True)
    kept = (record["text"] for record in records if record["file_date"] != HELD_OUT_DAY)
    return list(islice(kept, limit))


def measure(texts: list[str], config: DedupConfig, label: str | None = None) -> list[Result]:
    """Run once; one result per method (the combined clusters only when `label` names the run)."""
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    result = deduplicate(texts, config)
    seconds, cpu_seconds = time.perf_counter() - start, _cpu_seconds() - cpu_start
    methods = [*config.methods, COMBINED] if label else list(config.methods)
    rows = []
    for method in methods:
        stats = result.stats(method)
        name = f"{label} ({method})" if label else method
        rows.append(
            Result(
                name,
                stats.rows,
                seconds,
                cpu_seconds,
                stats.clusters,
                stats.largest,
                stats.duplicate_share,
            )
        )
    return rows


def _cpu_seconds() -> float:
    """CPU time of this process and its finished worker processes: on a shared machine it says
    what the work costs, where wall time also says how busy the machine was."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def markdown(results: list[Result]) -> str:
    lines = [
        "| method | rows | seconds | messages/s | CPU seconds | clusters | largest cluster "
        "| duplicate share |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.method} | {r.rows} | {r.seconds:.1f} | {r.messages_per_s:,.0f} "
        f"| {r.cpu_seconds:.1f} | {r.clusters} | {r.largest} | {r.duplicate_share:.1%} |"
        for r in results
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Result]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=KISA, help="KISA reports .tsv.gz")
    parser.add_argument("--limit", type=int, help="first N messages only")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--template-minhash", action="store_true")
    parser.add_argument("--encoder", help="encoder folder: adds the semantic method")
    parser.add_argument("--semantic-threshold", type=float, default=0.9, help="cosine")
    parser.add_argument(
        "--torch-threads", type=int, help="for the encoder; 1 is far faster on a busy machine"
    )
    parser.add_argument("--smoke", action="store_true", help="synthetic messages, one process")
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", level=logging.INFO)

    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    if args.smoke:
        texts = [message.text for message in generate_messages(SMOKE_MESSAGES, seed=0)]
        args.workers = 1
    else:
        texts = kisa_messages(args.corpus, args.limit)
    methods = ("exact", "lexical", "structural") + ("semantic",) * bool(args.encoder)
    config = DedupConfig.from_dict(
        {
            "methods": list(methods),
            "workers": args.workers,
            "structural": {"minhash": args.template_minhash},
            "semantic": {"model": args.encoder, "threshold": args.semantic_threshold},
        }
    )
    results = []
    for method in methods:
        results += measure(texts, replace(config, methods=(method,)))
    results += measure(texts, config, label="all")
    source = "synthetic" if args.smoke else f"{args.corpus.name}, without {HELD_OUT_DAY}"
    print(f"\nDe-duplication of {len(texts)} messages ({source}), {args.workers} worker(s)\n")
    print(markdown(results))
    return results


if __name__ == "__main__":
    main()
