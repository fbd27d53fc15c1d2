"""Keyword-tagging inference throughput: KeywordTagger against a naive loop, in the same run.

Naive loop: plain transformers, one message at a time, fp32, ``torch.no_grad`` (what a
straightforward script does). Tagger: `KeywordTagger` (one tokenizer call per chunk, batches of
similar length, ``torch.inference_mode``, bf16 autocast on CUDA); "tagger bf16" also loads the
weights in bf16, "tagger compiled" adds ``torch.compile`` (on CUDA, or on CPU with --compile),
"tagger onnx int8" (CPU) runs ONNX Runtime with dynamically quantised int8 weights.
Models have random weights, built from conf/model/<size>.yaml; messages are synthetic.

Peak memory: on CUDA, ``torch.cuda.max_memory_allocated``. On CPU, the high-water RSS
(``resource.getrusage(...).ru_maxrss``) of a fresh subprocess per variant, so it counts the
interpreter, torch and the model too. ``--smoke`` runs in-process and reports no CPU memory.
"Same spans" is the share of messages whose keywords (character spans) equal the naive loop's:
random weights make many near-ties, so bf16 rounding changes far more of them than it would for
a trained model.

    python benchmarks/tagging_inference.py                    # tiny, small, base on this device
    python benchmarks/tagging_inference.py --sizes electra_small --messages 4000
    python benchmarks/tagging_inference.py --smoke            # seconds; used by the tests
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from omegaconf import OmegaConf
from transformers import (
    AutoModelForTokenClassification,
    AutoTokenizer,
    ElectraForTokenClassification,
)

from electra_rtd.data.synthetic import generate_messages
from electra_rtd.data.tokenization import train_wordpiece
from electra_rtd.models.electra import electra_config
from electra_rtd.tagging import KeywordTagger
from electra_rtd.text.spans import spans_from_bio

CONF = Path(__file__).resolve().parents[1] / "conf" / "model"
ID2LABEL = {0: "O", 1: "B-KW", 2: "I-KW"}
MESSAGE_SEED, TOKENIZER_SEED = 1, 2
MAX_LENGTH = 128
ONNX_INT8 = "tagger onnx int8"
log = logging.getLogger("tagging_inference")


@dataclass
class Result:
    size: str
    device: str
    variant: str
    messages: int
    messages_per_s: float
    tokens_per_message: float
    peak_mem_mb: float | None
    spans: list[list[tuple[int, int]]]


def prepare_model(size: str, tokenizer_dir: Path, out_dir: Path) -> Path:
    """A random-weight tagger of the conf/model/<size>.yaml architecture, saved with the tokenizer."""
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    architecture = OmegaConf.to_container(OmegaConf.load(CONF / f"{size}.yaml").architecture)
    config = electra_config(len(tokenizer), tokenizer.pad_token_id, architecture)
    config.id2label, config.label2id = ID2LABEL, {v: k for k, v in ID2LABEL.items()}
    torch.manual_seed(0)
    folder = out_dir / size
    ElectraForTokenClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def naive_keywords(model, tokenizer, text: str, device: torch.device) -> list[tuple[int, int]]:
    encoding = tokenizer(
        text,
        truncation=True,
        max_length=MAX_LENGTH,
        return_offsets_mapping=True,
        return_special_tokens_mask=True,
        return_tensors="pt",
    )
    special = encoding.pop("special_tokens_mask")[0].bool()
    offsets = encoding.pop("offset_mapping")[0][~special].tolist()
    with torch.no_grad():
        logits = model(**{k: v.to(device) for k, v in encoding.items()}).logits[0]
    tags = [ID2LABEL[i] for i in logits.argmax(-1)[~special.to(device)].tolist()]
    return [(span.start, span.end) for span in spans_from_bio(tags, offsets)]


def measure(
    model_dir: Path, size: str, variant: str, device: torch.device, messages: int, batch_size: int
) -> Result:
    """Time one variant over the messages (the naive loop over fewer: it is slow)."""
    texts = [m.text for m in generate_messages(messages, seed=MESSAGE_SEED)]
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    tokens = sum(
        len(ids) for ids in tokenizer(texts, truncation=True, max_length=MAX_LENGTH)["input_ids"]
    )
    if variant == "naive loop":
        model = AutoModelForTokenClassification.from_pretrained(model_dir, dtype=torch.float32)
        model.to(device).eval()

        def run(batch: list[str]) -> list[list[tuple[int, int]]]:
            return [naive_keywords(model, tokenizer, text, device) for text in batch]

    else:
        tagger = KeywordTagger.from_pretrained(
            model_dir,
            device=device,
            batch_size=batch_size,
            max_length=MAX_LENGTH,
            dtype=torch.bfloat16 if variant == "tagger bf16" else None,
            compile_model=variant == "tagger compiled",
            backend="onnx-int8" if variant == ONNX_INT8 else "torch",
        )

        def run(batch: list[str]) -> list[list[tuple[int, int]]]:
            return [[(k.start, k.end) for k in found] for found in tagger.extract(batch)]

    run(texts[: 2 * batch_size])  # warm-up: allocator, kernels, compilation
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    spans = run(texts)
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda" else None
    return Result(
        size,
        device.type,
        variant,
        len(texts),
        len(texts) / seconds,
        tokens / len(texts),
        peak,
        spans,
    )


def measure_in_subprocess(
    model_dir: Path, size: str, variant: str, args: argparse.Namespace
) -> Result:
    """Run `measure` in a fresh interpreter so ru_maxrss is this variant's own high-water mark."""
    command = [
        sys.executable, __file__, "--worker", str(model_dir), size, variant,
        "--device", args.device, "--batch-size", str(args.batch_size),
        "--messages", str(messages_for(variant, args)), "--threads", str(args.threads),
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{variant} on {size} failed:\n{completed.stderr[-4000:]}")
    return Result(**json.loads(completed.stdout.splitlines()[-1]))


def worker(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("size")
    parser.add_argument("variant")
    parser.add_argument("--device", required=True)
    parser.add_argument("--batch-size", type=int, required=True)
    parser.add_argument("--messages", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    result = measure(
        args.model_dir, args.size, args.variant, device, args.messages, args.batch_size
    )
    if device.type == "cpu":
        result.peak_mem_mb = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )  # KiB on Linux
    print(json.dumps(asdict(result)))


def messages_for(variant: str, args: argparse.Namespace) -> int:
    return args.naive_messages if variant == "naive loop" else args.messages


def variants(device: str, compile_on_cpu: bool) -> list[str]:
    names = ["naive loop", "tagger", "tagger bf16"]
    if device == "cuda" or compile_on_cpu:
        names.append("tagger compiled")
    if device == "cpu":
        names.append(ONNX_INT8)
    return names


def table(results: list[Result], threads: int) -> str:
    lines = [
        f"{threads} CPU threads, load average {os.getloadavg()[0]:.1f}, torch {torch.__version__}"
        + (f", {torch.cuda.get_device_name()}" if torch.cuda.is_available() else ""),
        "| model | device | variant | messages | messages/s | tokens/msg | peak mem (MiB) "
        "| same spans as naive | speed-up |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    naive = {(r.size, r.device): r for r in results if r.variant == "naive loop"}
    for r in results:
        reference = naive[(r.size, r.device)]
        compared = min(len(reference.spans), len(r.spans))
        same = sum(a == b for a, b in zip(reference.spans, r.spans[:compared], strict=True))
        mem = f"{r.peak_mem_mb:,.0f}" if r.peak_mem_mb is not None else "-"
        lines.append(
            f"| {r.size} | {r.device} | {r.variant} | {r.messages:,} | {r.messages_per_s:,.0f} "
            f"| {r.tokens_per_message:.1f} | {mem} | {same / compared:.1%} "
            f"| {r.messages_per_s / reference.messages_per_s:.1f}x |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Result]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["tiny", "electra_small", "electra_base"])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--naive-messages", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--vocab-size", type=int, default=8000)
    parser.add_argument("--tokenizer-messages", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--compile", action="store_true", help="also torch.compile on CPU")
    parser.add_argument("--smoke", action="store_true", help="tiny model, few messages, in-process")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.messages, args.naive_messages, args.batch_size = ["tiny"], 40, 10, 8
        args.vocab_size, args.tokenizer_messages = 500, 300
    torch.set_num_threads(args.threads)
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        tokenizer_texts = [
            m.text for m in generate_messages(args.tokenizer_messages, seed=TOKENIZER_SEED)
        ]
        train_wordpiece(tokenizer_texts, scratch / "tokenizer", vocab_size=args.vocab_size)
        for size in args.sizes:
            model_dir = prepare_model(size, scratch / "tokenizer", scratch)
            if args.device == "cpu":  # export and quantise once, outside the timed runs
                KeywordTagger.from_pretrained(model_dir, backend="onnx-int8")
            for variant in variants(args.device, args.compile):
                if args.smoke:
                    results.append(
                        measure(
                            model_dir,
                            size,
                            variant,
                            torch.device(args.device),
                            messages_for(variant, args),
                            args.batch_size,
                        )
                    )
                else:
                    results.append(measure_in_subprocess(model_dir, size, variant, args))
                log.info("%s %s: %.0f messages/s", size, variant, results[-1].messages_per_s)
    print(table(results, args.threads))
    return results


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2:])
    else:
        main()
