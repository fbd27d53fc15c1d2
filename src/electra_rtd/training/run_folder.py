"""One run per run folder: a second run started in a folder in use is refused, not mixed in.

Why: two launches with one ``hydra.run.dir`` both finished, with the second run's overrides saved
beside the first run's weights and metrics. The lock is an OS file lock (``filelock``), so it
is released when its process ends, even by ``kill -9``: resuming into a crashed run's folder works.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from electra_rtd.outputs import OutputError, check_output

LOCK_FILE = ".run.lock"
# The launch that owns the folder (`training.runtime.launch_stamp`). Not Hydra's ``.hydra``: every
# process of an ``accelerate launch`` writes that, possibly before the first one locks.
LAUNCH_FILE = ".run.launch"


class RunFolderInUse(OutputError):
    """The run folder belongs to another run, running or finished."""


@contextmanager
def lock_run_folder(run_dir: Path, resume: object = None, launch: str = "") -> Iterator[Path]:
    """Hold ``run_dir`` for the launch ``launch``; refuse it while another run holds it, or when
    an earlier launch ran there and this one does not resume it."""
    check_output(run_dir, files=())
    lock = FileLock(run_dir / LOCK_FILE, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise RunFolderInUse(
            f"{run_dir}: the run folder is in use by another run; wait for it to end or give "
            "another hydra.run.dir"
        ) from None
    try:
        owner = run_dir / LAUNCH_FILE
        if owner.exists() and owner.read_text(encoding="utf-8") != launch and not resume:
            raise RunFolderInUse(
                f"{run_dir}: the run folder holds an earlier run; give resume={run_dir} to "
                "continue it, or another hydra.run.dir"
            )
        owner.write_text(launch, encoding="utf-8")
        yield run_dir
    finally:
        lock.release()
