"""Inference speed and peak memory of an exported tagger or text classifier.

The model is loaded with ``KeywordTagger.from_pretrained`` (``kind="tagger"``) or
``TextClassifier.from_pretrained`` (``kind="classifier"``), runs once on the first batch
(warm-up), then one pass over every text is timed. Memory is the peak during loading, warm-up
and the timed pass, above what the process held just before loading:

* CUDA: ``torch.cuda.max_memory_allocated`` (tensors only; the caching allocator's reserve and the
  CUDA context are not counted);
* CPU: peak resident set size growth, so weights, activations, tokenizer and allocator overhead
  together. On Linux the kernel's peak (VmHWM) is reset first, so a higher peak from earlier in
  the process (imports, training) cannot hide the measurement.

By default the measurement runs in a fresh process (``isolated``): in the process that just
trained models the allocator keeps freed memory and reuses it, so a new model may not grow the
resident set at all and CPU memory would be under-counted. In-process measurement (``isolated=
False``) saves the child's start-up (importing torch and transformers) and is exact on CUDA.

Run as a module it is the child: ``python -m electra_rtd.evaluation.inference MODEL_DIR OUT
--kind KIND`` with the texts as a JSON list on stdin.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MEASURE_CUDA = "CUDA max allocated"
MEASURE_RSS = "peak RSS growth"
KINDS = ("tagger", "classifier")


@dataclass(frozen=True)
class InferenceStats:
    """Throughput and memory of one model on one set of texts."""

    messages_per_second: float
    peak_memory_mb: float
    memory_measure: str  # MEASURE_CUDA or MEASURE_RSS
    device: str
    threads: int
    batch_size: int
    n_messages: int
    seconds: float
    isolated: bool  # measured in a fresh process
    kind: str  # one of KINDS


def measure_inference(
    model_dir: Path,
    texts: Sequence[str],
    *,
    batch_size: int,
    max_length: int,
    threads: int | None = None,
    device: str | None = None,
    isolated: bool = True,
    output: Path | None = None,
    kind: str = "tagger",
) -> InferenceStats:
    """Measure ``model_dir`` on ``texts``; ``output`` (default beside it) keeps the JSON.

    ``threads`` sets the child's CPU threads; measured in-process, the process's setting holds.
    """
    if not texts:
        raise ValueError("no texts to measure inference on")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    output = output or model_dir.parent / "inference.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    if isolated:
        stats = _measure_in_child(
            model_dir, texts, batch_size, max_length, threads, device, output, kind
        )
    else:
        stats = measure_here(
            model_dir, texts, batch_size, max_length, device, isolated=False, kind=kind
        )
        output.write_text(json.dumps(asdict(stats), indent=2), encoding="utf-8")
    log.info(
        "%s: %.0f messages/s, peak memory %.1f MB (%s, %s)",
        model_dir,
        stats.messages_per_second,
        stats.peak_memory_mb,
        stats.memory_measure,
        stats.device,
    )
    return stats


def _measure_in_child(
    model_dir: Path,
    texts: Sequence[str],
    batch_size: int,
    max_length: int,
    threads: int | None,
    device: str | None,
    output: Path,
    kind: str,
) -> InferenceStats:
    command = [sys.executable, "-m", __name__, str(model_dir), str(output), "--kind", kind]
    command += ["--batch-size", str(batch_size), "--max-length", str(max_length)]
    if threads:
        command += ["--threads", str(threads)]
    if device:
        command += ["--device", device]
    result = subprocess.run(
        command, input=json.dumps(list(texts)), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"measuring inference of {model_dir} failed (exit {result.returncode}):\n"
            f"{result.stderr[-3000:]}"
        )
    return InferenceStats(**json.loads(output.read_text(encoding="utf-8")))


def measure_here(
    model_dir: Path,
    texts: Sequence[str],
    batch_size: int,
    max_length: int,
    device: str | None = None,
    *,
    isolated: bool = True,
    kind: str = "tagger",
) -> InferenceStats:
    """The measurement in this process; ``isolated`` records whether the process is fresh."""
    import torch

    from electra_rtd.models.text_classifier import TextClassifier
    from electra_rtd.tagging import KeywordTagger

    on_cuda = device == "cuda" or (device is None and torch.cuda.is_available())
    if on_cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        held_before = torch.cuda.memory_allocated()
    rss_before = _reset_peak_rss()

    loader = KeywordTagger if kind == "tagger" else TextClassifier
    model = loader.from_pretrained(
        model_dir, device=device, batch_size=batch_size, max_length=max_length
    )
    run = model.extract if kind == "tagger" else model
    run(texts[:batch_size])
    _synchronise(on_cuda)
    started = time.perf_counter()
    run(texts)
    _synchronise(on_cuda)
    seconds = time.perf_counter() - started

    if on_cuda:
        peak, measure = torch.cuda.max_memory_allocated() - held_before, MEASURE_CUDA
    else:
        # Clamped: the kernel's RSS counters are updated lazily, so a run that grows nothing
        # can read a few pages below the baseline.
        peak, measure = max(0, _peak_rss_bytes() - rss_before), MEASURE_RSS
    return InferenceStats(
        messages_per_second=len(texts) / seconds,
        peak_memory_mb=peak / 2**20,
        memory_measure=measure,
        device=str(model.device),
        threads=torch.get_num_threads(),
        batch_size=batch_size,
        n_messages=len(texts),
        seconds=seconds,
        isolated=isolated,
        kind=kind,
    )


def _reset_peak_rss() -> int:
    """Reset the kernel's peak RSS where Linux allows it; return the baseline to subtract.

    Where the peak cannot be reset (macOS, a locked-down /proc), the baseline is the peak so far,
    so the growth reported is above any earlier peak: a lower bound.
    """
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _peak_rss_bytes()  # after a reset: the current resident set size


def _peak_rss_bytes() -> int:
    """Peak resident set size: VmHWM on Linux (resettable), else ``ru_maxrss``."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _synchronise(on_cuda: bool) -> None:
    if on_cuda:
        import torch

        torch.cuda.synchronize()


def main(argv: Sequence[str] | None = None) -> None:
    """Child entry point: texts on stdin, the `InferenceStats` JSON written to OUT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default=None)
    parser.add_argument("--kind", choices=KINDS, default="tagger")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    texts = json.loads(sys.stdin.read())
    stats = measure_here(
        args.model_dir, texts, args.batch_size, args.max_length, args.device, kind=args.kind
    )
    args.output.write_text(json.dumps(asdict(stats), indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
