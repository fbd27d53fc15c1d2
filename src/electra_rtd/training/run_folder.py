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
# Hydra saves a run's composed config here before the job starts.
EARLIER_RUN_MARKER = ".hydra"


class RunFolderInUse(OutputError):
    """The run folder belongs to another run, running or finished."""


@contextmanager
def lock_run_folder(run_dir: Path, resume: object = None) -> Iterator[Path]:
    """Hold ``run_dir`` for this run; refuse it while another run holds it, or when it holds an
    earlier run that this one does not resume."""
    check_output(run_dir, files=())
    if (run_dir / EARLIER_RUN_MARKER).exists() and not resume:
        raise RunFolderInUse(
            f"{run_dir}: the run folder holds an earlier run; give resume={run_dir} to continue "
            "it, or another hydra.run.dir"
        )
    lock = FileLock(run_dir / LOCK_FILE, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise RunFolderInUse(
            f"{run_dir}: the run folder is in use by another run; wait for it to end or give "
            "another hydra.run.dir"
        ) from None
    try:
        yield run_dir
    finally:
        lock.release()
