"""ONNX Runtime for CPU tagging: the exported tagger as an ONNX graph, optionally with int8 weights.

On CPUs without a bf16 matrix unit, PyTorch spends most of a small encoder's time in fp32 matrix
products; ONNX Runtime fuses attention, GELU and LayerNorm and, with dynamically quantised int8
weights (`onnxruntime.quantization.quantize_dynamic`), uses the VNNI integer dot products, about
3x the fp32 PyTorch throughput of an ELECTRA-small tagger on 2 cores
(`benchmarks/tagging_inference.py`). int8 rounds the scores, so a few near-tie tags change.

The graphs are written once beside the model (``<model>/onnx/``) and reused while they are newer
than its weights.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
from transformers import PreTrainedModel

from electra_rtd.tagging.model_folder import TaggerError

logger = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask")
OPSET = 17
WEIGHT_SUFFIXES = (".safetensors", ".bin")


def onnx_graph(model: PreTrainedModel, model_dir: Path, quantize: bool) -> Path:
    """The model's ONNX graph in ``model_dir/onnx`` (int8 weights with ``quantize``), exported
    unless an up-to-date one is there."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder = model_dir / "onnx"
    fp32 = folder / "model.onnx"
    target = folder / ("model.int8.onnx" if quantize else "model.onnx")
    weights = max(
        (path.stat().st_mtime for path in model_dir.iterdir() if path.suffix in WEIGHT_SUFFIXES),
        default=0.0,
    )
    if target.is_file() and target.stat().st_mtime >= weights:
        return target
    try:
        folder.mkdir(exist_ok=True)
    except OSError as error:
        raise TaggerError(
            f"cannot write the ONNX graph beside the model in {folder}: {error}"
        ) from None
    if not fp32.is_file() or fp32.stat().st_mtime < weights:
        logger.info("exporting %s to ONNX", model_dir)
        example = torch.ones((2, 8), dtype=torch.long)
        dynamic = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "logits")}
        # The TorchScript exporter: in torch 2.13 the torch.export one gave logits off by ~0.3
        # for padded rows. Its tracer warns about the mask checks it freezes; they hold for every
        # input a tagger gives (an attention mask as long as the input ids). The tests compare
        # the graph's keywords with PyTorch's over mixed lengths and padding.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            # Position ids are sliced with non-negative indices, which the graph handles.
            warnings.filterwarnings("ignore", message="Exporting aten::index operator")
            _atomic(
                fp32,
                lambda path: torch.onnx.export(
                    model.float().eval(),
                    (example, example),
                    str(path),
                    input_names=list(INPUTS),
                    output_names=["logits"],
                    dynamic_axes=dynamic,
                    opset_version=OPSET,
                    dynamo=False,
                ),
            )
    if quantize:
        logger.info("quantising %s to int8 weights", fp32)
        # The quantiser logs a line per tensor at INFO on the root logger; keep warnings only.
        logging.disable(logging.INFO)
        try:
            _atomic(
                target,
                lambda path: quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8),
            )
        finally:
            logging.disable(logging.NOTSET)
    return target


class OnnxTagger:
    """Called like the PyTorch model (``input_ids``, ``attention_mask`` -> ``.logits``)."""

    def __init__(self, graph: Path, threads: int | None = None) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )

    def __call__(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> SimpleNamespace:
        feeds = {"input_ids": input_ids.numpy(), "attention_mask": attention_mask.numpy()}
        (logits,) = self.session.run(["logits"], feeds)
        return SimpleNamespace(logits=torch.from_numpy(np.asarray(logits)))


def _atomic(path: Path, write) -> None:
    """Write through a temporary name, so a stopped export never leaves a broken graph."""
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.onnx")
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
