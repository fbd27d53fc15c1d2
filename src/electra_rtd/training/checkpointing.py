"""Crash-safe checkpoints and mid-epoch resume on top of ``accelerator.save_state``.

A checkpoint is written to ``step_N.tmp``, flushed to disk (``fsync`` of every file and folder)
and renamed to ``step_N`` only once complete; the ``latest`` pointer file is replaced atomically
and flushed afterwards. A crash or a power loss during a save therefore leaves at worst a stray
``.tmp`` folder, never a broken latest checkpoint. A full disk is reported as such.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from accelerate import Accelerator
from safetensors import SafetensorError

from electra_rtd.outputs import OutputError, describe_os_error, fsync_dir, fsync_tree, write_text

log = logging.getLogger(__name__)

LATEST = "latest"
PROGRESS = "progress.json"


@dataclass
class Progress:
    """Where training stands: optimizer updates done, epoch, batches consumed in that epoch."""

    step: int = 0
    epoch: int = 0
    batch_in_epoch: int = 0


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
    try:
        accelerator.save_state(str(tmp), safe_serialization=True)
    except (RuntimeError, OSError, SafetensorError) as error:
        raise OutputError(_save_failure(tmp, error)) from error
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        write_text(tmp / PROGRESS, json.dumps(asdict(progress)))
        fsync_tree(tmp)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        fsync_dir(checkpoint_dir)
        write_text(checkpoint_dir / LATEST, final.name)
        prune_checkpoints(checkpoint_dir, keep_last)
        log.info("checkpoint saved: %s", final)
    accelerator.wait_for_everyone()
    return final


def _save_failure(folder: Path, error: Exception) -> str:
    """torch reports a full disk as ``[enforce fail at inline_container.cc] unexpected pos``,
    safetensors (the weights) as ``SafetensorError: ... I/O error: File too large``."""
    if isinstance(error, OSError):
        return describe_os_error(folder, error)
    free = shutil.disk_usage(folder.parent).free
    return (
        f"{folder}: cannot write the checkpoint: disk full or file size limit reached? "
        f"({free / 2**20:.0f} MiB free; {type(error).__name__}: {str(error).splitlines()[0][:120]})"
    )


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
    if source.is_dir() and not (tokenizer_dir.exists() and source.samefile(tokenizer_dir)):
        shutil.copytree(source, tokenizer_dir, dirs_exist_ok=True)
