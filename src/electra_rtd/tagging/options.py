"""The tagger's backend and decoding choices, in a module without torch or transformers, so that
`electra-rtd keywords --help` lists them without loading either (seconds)."""

from __future__ import annotations

from typing import Literal

# torch; or ONNX Runtime with the exported graph, optionally with int8 weights (`onnx_runtime`).
Backend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[str, ...] = ("torch", "onnx", "onnx-int8")
# How spans are formed: from the BIO tags; from Kiwi noun compounds the encoder scores as
# keywords; or the tagged spans plus the candidates that overlap none of them.
# "ranked": the candidate ranker saved beside the model (`ranker`) picks among Kiwi compounds.
Decode = Literal["tags", "candidates", "both", "ranked"]
DECODES: tuple[str, ...] = ("tags", "candidates", "both", "ranked")
