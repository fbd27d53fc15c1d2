"""Crash-safe checkpoints and mid-epoch resume on top of ``accelerator.save_state``.

A checkpoint is written to ``step_N.tmp`` and renamed to ``step_N`` only once complete; the
``latest`` pointer file is replaced atomically afterwards. A crash during a save therefore
leaves at worst a stray ``.tmp`` folder, never a broken latest checkpoint.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from accelerate import Accelerator

log = logging.getLogger(__name__)

LATEST = "latest"
PROGRESS = "progress.json"


@dataclass
class Progress:
    """Where training stands: optimizer updates done, epoch, batches consumed in that epoch."""

    step: int = 0
    epoch: int = 0
    batch_in_epoch: int = 0


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file and ``os.replace`` so readers never see half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def save_checkpoint(
    accelerator: Accelerator, checkpoint_dir: Path, progress: Progress, keep_last: int
) -> Path:
    """Save model, optimizer, scheduler and RNG states, then publish the checkpoint atomically."""
    final = checkpoint_dir / f"step_{progress.step:08d}"
    tmp = final.with_name(final.name + ".tmp")
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
    accelerator.wait_for_everyone()
    # Model weights as safetensors; accelerate writes the optimizer, scheduler and RNG states
    # with torch.save (pickle) whatever the setting: safetensors holds tensors only.
    accelerator.save_state(str(tmp), safe_serialization=True)
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        (tmp / PROGRESS).write_text(json.dumps(asdict(progress)), encoding="utf-8")
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        atomic_write_text(checkpoint_dir / LATEST, final.name)
        prune_checkpoints(checkpoint_dir, keep_last)
        log.info("checkpoint saved: %s", final)
    accelerator.wait_for_everyone()
    return final


def prune_checkpoints(checkpoint_dir: Path, keep_last: int) -> None:
    """Delete all but the newest ``keep_last`` complete checkpoints (0 keeps everything)."""
    if keep_last <= 0:
        return
    complete = sorted(p for p in checkpoint_dir.glob("step_*") if not p.name.endswith(".tmp"))
    for old in complete[:-keep_last]:
        shutil.rmtree(old, ignore_errors=True)


def latest_checkpoint(checkpoint_dir: Path) -> Path | None:
    """The checkpoint the ``latest`` pointer names, if it exists and is complete."""
    pointer = checkpoint_dir / LATEST
    if not pointer.is_file():
        return None
    candidate = checkpoint_dir / pointer.read_text(encoding="utf-8").strip()
    return candidate if (candidate / PROGRESS).is_file() else None


def find_resume_checkpoint(resume: bool | str | None, runs_root: Path) -> Path | None:
    """Resolve ``resume``: ``true`` is the newest checkpoint among earlier runs under ``runs_root``;
    a path may name a checkpoint, a run directory or its ``checkpoints`` folder."""
    if not resume:
        return None
    if resume is True or str(resume).lower() == "true":
        runs = sorted(runs_root.glob("*/checkpoints"), key=lambda p: p.parent.name, reverse=True)
        for checkpoint_dir in runs:
            found = latest_checkpoint(checkpoint_dir)
            if found is not None:
                return found
        raise FileNotFoundError(
            f"resume=true but no complete checkpoint under {runs_root}/*/checkpoints"
        )
    path = Path(str(resume)).expanduser()
    for candidate in (path, path / "checkpoints"):
        if (candidate / PROGRESS).is_file():
            return candidate
        found = latest_checkpoint(candidate)
        if found is not None:
            return found
    raise FileNotFoundError(
        f"resume={resume}: no complete checkpoint there (looked for {PROGRESS})"
    )


def load_checkpoint(accelerator: Accelerator, checkpoint: Path) -> Progress:
    """Restore every registered state and return the progress to continue from."""
    accelerator.load_state(str(checkpoint))
    progress = Progress(**json.loads((checkpoint / PROGRESS).read_text(encoding="utf-8")))
    log.info(
        "resumed from %s at step %d (epoch %d, batch %d)",
        checkpoint,
        progress.step,
        progress.epoch,
        progress.batch_in_epoch,
    )
    return progress


def reuse_tokenizer(checkpoint: Path, tokenizer_dir: Path) -> None:
    """Copy the trained tokenizer of the checkpoint's run into the new run directory."""
    source = checkpoint.parent.parent / "tokenizer"
    if source.is_dir():
        shutil.copytree(source, tokenizer_dir, dirs_exist_ok=True)
