"""Training never hangs, never shares a run folder by accident, and fails in one line.

`train.py` runs in a subprocess here because what is tested is what a user sees: the exit code,
stderr and the files Hydra writes. Each such run fails before any training, so it is quick.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_pretrain import FAST, FAST_TRAINER, compose_cfg

from conftest import REPO_ROOT
from electra_rtd.tasks import run_task
from electra_rtd.training.loop import TrainingSetupError
from electra_rtd.training.run_folder import RunFolderInUse, lock_run_folder

ENV = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), "HF_HUB_OFFLINE": "1"}
ENV.pop("HYDRA_FULL_ERROR", None)


def train(*overrides: str, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, str(REPO_ROOT / "train.py"), "+experiment=rtd_pretrain", *overrides]
    return subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, env=env or ENV
    )


def write_corpus(path: Path, count: int) -> Path:
    lines = [
        json.dumps({"text": f"택배 도착 안내 {i}번 문자입니다"}, ensure_ascii=False)
        for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_split_smaller_than_a_batch_stops_with_the_sizes(tmp_path: Path) -> None:
    """corpus=files holds out eval_size messages; 30 - 20 = 10 left, batch 16, drop_last: the loop
    used to restart empty epochs for ever."""
    corpus = write_corpus(tmp_path / "small.jsonl", 30)
    cfg = compose_cfg(
        "+experiment=rtd_pretrain", *FAST_TRAINER, "corpus=files", f"corpus.path={corpus}",
        "corpus.eval_size=20", "trainer.max_steps=5", "trainer.save_every=0",
    )  # fmt: skip
    with pytest.raises(TrainingSetupError, match="gave no batch: 10 messages, batch size 16"):
        run_task(cfg, tmp_path / "run")


def test_a_run_folder_inside_the_corpus_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    write_corpus(tmp_path / "corpus" / "part1.jsonl", 300)
    result = train(
        "logger=none", "corpus=files", f"corpus.path={tmp_path / 'corpus'}",
        f"hydra.run.dir={tmp_path / 'corpus' / 'run'}",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "inside the input folder" in result.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "corpus" / "run" / "checkpoints").exists()


def test_resuming_past_max_steps_says_so_and_resuming_in_place_works(tmp_path: Path) -> None:
    common = ["+experiment=rtd_pretrain", *FAST, "trainer.save_every=2"]
    run = tmp_path / "run"
    run_task(compose_cfg(*common, "trainer.max_steps=2"), run)
    with pytest.raises(TrainingSetupError, match="at step 2, past trainer.max_steps=1"):
        run_task(compose_cfg(*common, "trainer.max_steps=1", f"resume={run}"), tmp_path / "b")
    # Into the crashed run's own folder: its tokenizer is not copied onto itself.
    run_task(compose_cfg(*common, "trainer.max_steps=4", f"resume={run}"), run)
    assert (run / "checkpoints" / "step_00000004" / "progress.json").is_file()


def test_train_py_prints_a_bad_corpus_as_one_line(tmp_path: Path) -> None:
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text('{"text": "택배 010-1234-5678"}\n{"text": \n', encoding="utf-8")
    overrides = [
        "logger=none",
        "corpus=files",
        f"corpus.path={corpus}",
        f"hydra.run.dir={tmp_path}/r",
    ]
    result = train(*overrides)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"train.py: error: {corpus}:2: malformed JSON"), last
    assert "010-1234-5678" not in result.stderr
    full = train(
        *overrides[:-1], f"hydra.run.dir={tmp_path}/r2", env={**ENV, "HYDRA_FULL_ERROR": "1"}
    )
    assert full.returncode != 0 and "Traceback" in full.stderr


def test_a_second_run_in_a_folder_in_use_is_refused_before_hydra_writes(tmp_path: Path) -> None:
    run_dir = tmp_path / "shared_run"
    with lock_run_folder(run_dir):
        result = train("logger=none", f"hydra.run.dir={run_dir}")
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "in use by another run" in result.stderr.strip().splitlines()[-1]
    assert not (run_dir / ".hydra").exists(), "the refused run wrote its config beside the first"


def test_a_folder_holding_an_earlier_run_needs_resume(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    with lock_run_folder(run_dir, launch="first"):
        pass
    with lock_run_folder(run_dir, launch="first"):  # another process of the same launch
        pass
    with (
        pytest.raises(RunFolderInUse, match="holds an earlier run"),
        lock_run_folder(run_dir, launch="second"),
    ):
        pass
    with (
        lock_run_folder(run_dir, resume=str(run_dir)),
        pytest.raises(RunFolderInUse, match="in use"),
        lock_run_folder(run_dir, resume=True),
    ):
        pass


STAMP = "from electra_rtd.training.runtime import launch_stamp; print(launch_stamp())"


def test_launches_in_the_same_second_get_their_own_folder_and_ranks_share_one() -> None:
    launches = [
        subprocess.Popen([sys.executable, "-c", STAMP], stdout=subprocess.PIPE, text=True, env=ENV)
        for _ in range(2)
    ]
    first, second = (launch.communicate(timeout=60)[0].strip() for launch in launches)
    assert first != second
    # The ranks of one `accelerate launch` are children of one launcher: one name.
    ranks = (
        "import subprocess, sys, os\n"
        f"code = {STAMP!r}\n"
        "procs = [subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, text=True,"
        " env={**os.environ, 'LOCAL_RANK': str(r)}) for r in range(2)]\n"
        "print(*(p.communicate()[0].strip() for p in procs))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", ranks], capture_output=True, text=True, env=ENV, timeout=60
    )
    rank0, rank1 = out.stdout.split()
    assert rank0 == rank1


CHECKPOINT_ON_A_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
import torch
from accelerate import Accelerator
from electra_rtd.outputs import OutputError
from electra_rtd.training.checkpointing import LATEST, Progress, save_checkpoint
accelerator = Accelerator(cpu=True)
model = accelerator.prepare(torch.nn.Linear(64, 64))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))  # weights are 16 KiB
try:
    save_checkpoint(accelerator, Path(sys.argv[1]), Progress(step=3), keep_last=0)
except OutputError as error:
    print(error)
    sys.exit(2 if not (Path(sys.argv[1]) / LATEST).exists() else 3)
"""


def test_a_checkpoint_on_a_full_disk_names_the_full_disk(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECKPOINT_ON_A_FULL_DISK, str(tmp_path / "checkpoints")],
        capture_output=True, text=True, env=ENV, timeout=300,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr[-2000:]
    assert "cannot write the checkpoint: disk full" in result.stdout
    assert not (tmp_path / "checkpoints" / "step_00000003").exists()
