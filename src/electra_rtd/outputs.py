"""The one way every command and training job writes an output file or folder.

Why: writing in place lost users' data. An output named like its input emptied the input before
reading it; a crash, a bad row or a full disk part-way left a truncated file under the final name;
two jobs writing one output interleaved their lines. So an output is checked before any work (not
an input, not inside an input folder, writable), then written under a temporary name unique to the
writer beside the target, flushed to disk with ``fsync`` and renamed over the target in one step.
Readers see the old file or the complete new one, never a mix; of two concurrent writers the last
rename wins whole.
"""

from __future__ import annotations

import errno
import gzip
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

TMP_SUFFIX = ".tmp"
# Errors that can only come from writing, whichever file they name.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_REASONS = {
    errno.ENOSPC: "disk full (no space left on device)",
    errno.EDQUOT: "disk full (quota exceeded)",
    errno.EFBIG: "disk full or file size limit reached (ulimit -f)",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a path component is a file, not a folder",
    errno.EISDIR: "is a folder",
}


class OutputError(ValueError):
    """An output that must not or cannot be written; the message starts with the path."""


def describe_os_error(path: str | Path, error: OSError, doing: str = "cannot write") -> str:
    """``path: cannot write: reason``, naming a full disk as such."""
    reason = _REASONS.get(error.errno or 0, error.strerror or str(error))
    return f"{path}: {doing}: {reason}"


def check_output(
    target: str | Path,
    inputs: Iterable[str | Path | None] = (),
    *,
    files: Iterable[str] | None = None,
) -> Path:
    """Refuse, before any work, an output that would destroy or be read back as an input.

    ``target`` is a file, or a folder when ``files`` names what will be written inside it. It is
    refused when one of those files is an input (``samefile``), when it lies inside an input
    folder (the next run would read it back in), or when its folder cannot be written (checked by
    creating and removing a file there). Returns ``target`` as a `Path`.
    """
    target = Path(target)
    is_folder = files is not None
    written = [target / name for name in files] if is_folder else [target]
    if is_folder and target.is_file():
        raise OutputError(f"{target}: the output folder is an existing file")
    if not is_folder and target.is_dir():
        raise OutputError(f"{target}: the output file is an existing folder")
    for source in (Path(path) for path in inputs if path is not None):
        if not source.exists():
            continue
        if source.is_dir():
            if _inside(target, source):
                raise OutputError(
                    f"{target}: the output is inside the input folder {source}, whose next run "
                    "would read it back in; write it elsewhere"
                )
            continue
        for path in written:
            if path.exists() and path.samefile(source):
                raise OutputError(f"{path}: the output is the input {source}; write it elsewhere")
    _check_writable(target if is_folder else target.parent)
    return target


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _check_writable(folder: Path) -> None:
    """Create the folder if missing and a file in it, so a bad location fails before the work."""
    for parent in (folder, *folder.parents):
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"{folder}: cannot write: {parent} is a file, not a folder")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise OutputError(describe_os_error(folder, error)) from None


def temporary_name(target: Path) -> Path:
    """A name beside ``target`` that no other writer (process or thread) uses."""
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}{TMP_SUFFIX}")


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write ``target`` (a file or a folder) at; on success fsync it and
    rename it to ``target``, on any error remove it. An existing folder target is replaced; a
    missing parent folder is created."""
    target = Path(target)
    tmp = temporary_name(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        fsync_tree(tmp)
        if target.is_dir() and tmp.is_dir():
            shutil.rmtree(target)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError as error:
        if error.errno in _WRITE_ERRNOS or error.filename in (str(tmp), str(target)):
            raise OutputError(describe_os_error(target, error)) from error
        raise
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


@contextmanager
def open_output(target: str | Path, mode: str = "w") -> Iterator[IO]:
    """Open ``target`` for writing through `atomic_path` (UTF-8 text unless ``mode`` is ``wb``;
    gzipped for a ``.gz`` name)."""
    target = Path(target)
    opener = gzip.open if target.suffix.lower() == ".gz" else open
    binary = "b" in mode
    with (
        atomic_path(target) as tmp,
        opener(tmp, "wb" if binary else "wt", encoding=None if binary else "utf-8") as handle,
    ):
        yield handle


def write_text(target: str | Path, text: str) -> Path:
    """Write ``text`` to ``target`` atomically; returns ``target``."""
    with open_output(target) as handle:
        handle.write(text)
    return Path(target)


def write_bytes(target: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically; returns ``target``."""
    with open_output(target, "wb") as handle:
        handle.write(data)
    return Path(target)


def fsync_tree(path: Path) -> None:
    """Flush a file, or every file and folder below a folder, to the disk."""
    if path.is_dir():
        for child in path.rglob("*"):
            if child.is_file():
                _fsync_file(child)
        for folder in (path, *(p for p in path.rglob("*") if p.is_dir())):
            fsync_dir(folder)
    elif path.exists():
        _fsync_file(path)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename inside it) to the disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
