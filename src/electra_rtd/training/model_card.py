"""A model card (``README.md``) in every export, so a folder found later, or pushed to the hub,
says what it is: base model, data, scores and the command that made it."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from electra_rtd.data.hub_ids import looks_like_path
from electra_rtd.metrics.pretraining import metrics_block
from electra_rtd.outputs import write_text
from electra_rtd.schema import CLASSIFIER_TASK

CARD = "README.md"
# The hub's pipeline for each exported role; used by the hub widget and `pipeline()`. A
# fine-tuned `model` is a token classifier, or a text classifier after task=finetune_classifier.
PIPELINE_TAGS = {"model": "token-classification", "generator": "fill-mask", "mlm": "fill-mask"}
CLASSIFIER_PIPELINE = "text-classification"
USAGE = {
    "token-classification": (
        "from electra_rtd.tagging import KeywordTagger\n\n"
        'KeywordTagger.from_pretrained("{folder}")("CJ대한통운 택배가 도착했습니다")'
    ),
    CLASSIFIER_PIPELINE: (
        'from transformers import pipeline\n\npipeline("text-classification", model="{folder}")'
    ),
    "fill-mask": 'from transformers import pipeline\n\npipeline("fill-mask", model="{folder}")',
    None: 'from transformers import AutoModel\n\nAutoModel.from_pretrained("{folder}")',
}


def launch_command() -> str:
    """The command line that started this run: Hydra's job and overrides when run through
    train.py or evaluate.py, else this process's arguments."""
    from hydra.core.hydra_config import HydraConfig

    if HydraConfig.initialized():
        hydra = HydraConfig.get()
        return shlex.join(["python", f"{hydra.job.name}.py", *hydra.overrides.task])
    return shlex.join(["python", *sys.argv])


def model_card(cfg: Mapping[str, Any], role: str, metrics: Mapping[str, float]) -> str:
    """The card of the ``role`` folder of a run (``model``, ``discriminator``, ``generator``...)."""
    model = cfg["model"]
    data = cfg["corpus"] if cfg["task"] == "pretrain" else cfg["data"]
    base = model.get("path")
    pipeline_tag = PIPELINE_TAGS.get(role)
    if role == "model" and cfg["task"] == CLASSIFIER_TASK:
        pipeline_tag = CLASSIFIER_PIPELINE
    front = ["---", "library_name: transformers", "language:", "- ko", "tags:", "- electra-rtd"]
    if pipeline_tag:
        front.append(f"pipeline_tag: {pipeline_tag}")
    if base and not looks_like_path(str(base)) and not Path(str(base)).exists():
        front.append(f"base_model: {base}")
    front.append("---")
    base_text = f"`{base}`" if base else f"none: trained from scratch (`model={model['name']}`)"
    data_text = f"`{data['source']}`" + (f" from `{data['path']}`" if data.get("path") else "")
    lines = [
        *front,
        "",
        f"# {role} of electra-rtd run `{cfg['task_name']}`",
        "",
        f"- Task: `{cfg['task']}`",
        f"- Base model: {base_text}",
        f"- Data: {data_text}",
        f"- Seed: {cfg.get('seed')}",
        "",
        "## Metrics",
        "",
        "```",
        metrics_block(dict(metrics)) if metrics else "(none recorded)",
        "```",
        "",
        "## Made with",
        "",
        "```bash",
        launch_command(),
        "```",
        "",
        "## Use",
        "",
        "```python",
        USAGE.get(pipeline_tag, USAGE[None]).format(folder="path/to/this/folder"),
        "```",
        "",
    ]
    return "\n".join(lines)


def write_model_card(folder: Path, cfg: Mapping[str, Any], metrics: Mapping[str, float]) -> Path:
    """Write ``folder/README.md`` for the export in ``folder`` (its name is its role)."""
    return write_text(folder / CARD, model_card(cfg, folder.name, metrics))
