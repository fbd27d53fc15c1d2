"""Throughput of one RTD training step: this project's step against a naive one, same run.

This step: the generator's vocabulary projection only on the ~15% masked positions, and on GPU
bf16 autocast, SDPA attention and fused AdamW. Naive step: projection on every position, fp32,
eager attention, unfused AdamW (what a straightforward port of HF's classes does).

    python benchmarks/rtd_step.py                      # tiny + small on whatever device is here
    python benchmarks/rtd_step.py --sizes small base --seq-len 128 512
    python benchmarks/rtd_step.py --smoke              # seconds; used by the tests

Model FLOPs utilisation (MFU) = model FLOPs per second / the device's peak. Model FLOPs of one
step, forward + backward, the same useful work for both variants:
  6 * P * T                      weight matmuls (P = non-embedding parameters of generator and
                                 discriminator, T = tokens in the batch)
  + 12 * L * h * S * T           attention scores and values, per model (L layers, width h, length S)
  + 6 * e * V * 0.15 * T         the generator's vocabulary projection on the masked 15% (e = its
                                 input width, V = vocabulary)
The peak is the dense bf16 tensor-core peak of the GPU (H100/H200 SXM: 989 TFLOP/s) or
`--peak-tflops`; on a CPU without a given peak MFU is not printed.
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from omegaconf import OmegaConf

from electra_rtd.models.electra import build_rtd_models
from electra_rtd.objectives.rtd import ReplacedTokenDetection

CONF = Path(__file__).resolve().parents[1] / "conf" / "model"
VOCAB = 32000
MASK_ID, PAD_ID = 4, 0
log = logging.getLogger("rtd_step")


PEAK_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0}


@dataclass
class Result:
    size: str
    seq_len: int
    variant: str
    step_ms: float
    tokens_per_s: float
    peak_mem_mb: float | None
    tflops: float


def model_flops_per_step(objective: ReplacedTokenDetection, batch_size: int, seq_len: int) -> float:
    """Forward + backward FLOPs of the useful work of one RTD step (formula in the docstring)."""
    tokens = batch_size * seq_len
    flops = 0.0
    for model in (objective.generator, objective.discriminator):
        config = model.config
        # Embedding tables are lookups, not matmuls; the generator's output layer is tied to them
        # and counted separately below, on the masked positions only.
        embedding_ids = {id(p) for p in model.base_model.embeddings.parameters()}
        weights = sum(p.numel() for p in model.parameters() if id(p) not in embedding_ids)
        flops += 6 * weights * tokens
        flops += 12 * config.num_hidden_layers * config.hidden_size * seq_len * tokens
    generator = objective.generator.config
    flops += 6 * generator.embedding_size * generator.vocab_size * 0.15 * tokens
    return flops


def device_peak_tflops(device: torch.device, given: float | None) -> float | None:
    """The peak MFU divides by: ``--peak-tflops``, else a known GPU's dense bf16 peak."""
    if given is not None or device.type != "cuda":
        return given
    name = torch.cuda.get_device_name(device)
    return next((peak for key, peak in PEAK_TFLOPS.items() if key in name), None)


def build(size: str, fast: bool, device: torch.device) -> ReplacedTokenDetection:
    model_cfg = OmegaConf.load(CONF / f"{size}.yaml")
    model_cfg.architecture.attn_implementation = "sdpa" if fast else "eager"
    generator, discriminator = build_rtd_models(model_cfg, VOCAB, PAD_ID)
    objective = ReplacedTokenDetection(
        generator, discriminator, MASK_ID, generator_projection="masked" if fast else "all"
    )
    return objective.to(device)


def random_batch(batch_size: int, seq_len: int, device: torch.device) -> dict[str, torch.Tensor]:
    """Full-length sequences of random ids with [CLS] ... [SEP]: no padding to flatter anyone."""
    ids = torch.randint(5, VOCAB, (batch_size, seq_len), device=device)
    ids[:, 0], ids[:, -1] = 2, 3
    special = torch.zeros_like(ids)
    special[:, 0] = special[:, -1] = 1
    return {
        "input_ids": ids,
        "attention_mask": torch.ones_like(ids),
        "special_tokens_mask": special,
    }


def measure(
    size: str, seq_len: int, batch_size: int, steps: int, fast: bool, device: torch.device
) -> Result:
    torch.manual_seed(0)
    objective = build(size, fast, device)
    optimizer = torch.optim.AdamW(
        objective.parameters(), lr=1e-4, fused=(fast and device.type == "cuda") or None
    )
    batch = random_batch(batch_size, seq_len, device)
    use_bf16 = fast and device.type == "cuda" and torch.cuda.is_bf16_supported()
    rng = torch.Generator(device=device).manual_seed(0)

    def step() -> None:
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
            loss = objective(**batch, rng=rng).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    for _ in range(2):  # warm-up: allocator, kernels, lazy init
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = (time.perf_counter() - start) / steps
    peak = torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda" else None
    variant = "this step" if fast else "naive"
    tflops = model_flops_per_step(objective, batch_size, seq_len) / seconds / 1e12
    return Result(
        size, seq_len, variant, seconds * 1e3, batch_size * seq_len / seconds, peak, tflops
    )


def table(results: list[Result], device: torch.device, peak: float | None) -> str:
    lines = [
        f"device: {torch.cuda.get_device_name() if device.type == 'cuda' else 'cpu'} "
        f"({torch.get_num_threads()} threads), torch {torch.__version__}, vocab {VOCAB}, "
        f"peak {peak if peak else '-'} TFLOP/s",
        "| model | seq | variant | step (ms) | tokens/s | model TFLOP/s | MFU | peak mem (MiB) "
        "| speed-up |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    naive = {(r.size, r.seq_len): r for r in results if r.variant == "naive"}
    for r in results:
        ratio = r.tokens_per_s / naive[(r.size, r.seq_len)].tokens_per_s
        mem = f"{r.peak_mem_mb:,.0f}" if r.peak_mem_mb is not None else "-"
        mfu = f"{100 * r.tflops / peak:.1f}%" if peak else "-"
        lines.append(
            f"| {r.size} | {r.seq_len} | {r.variant} | {r.step_ms:,.1f} | {r.tokens_per_s:,.0f} "
            f"| {r.tflops:.3f} | {mfu} | {mem} | {ratio:.2f}x |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Result]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["tiny", "electra_small"])
    parser.add_argument("--seq-len", nargs="+", type=int, default=[128])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--peak-tflops", type=float, help="peak the MFU divides by")
    parser.add_argument("--smoke", action="store_true", help="tiny model, 1 step: for the tests")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.seq_len, args.batch_size, args.steps = ["tiny"], [32], 4, 1
    device = torch.device(args.device)
    results = []
    for size in args.sizes:
        for seq_len in args.seq_len:
            for fast in (False, True):
                results.append(measure(size, seq_len, args.batch_size, args.steps, fast, device))
    print(table(results, device, device_peak_tflops(device, args.peak_tflops)))
    return results


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    main()
