"""How long `electra-rtd` takes to answer, against a bare Python start.

Each command runs in a fresh interpreter (as a user's shell would start it) several times; the
table shows the median wall time. The last row imports torch and transformers, which every call
paid before the commands imported them themselves (7-8 s on a busy 2-core machine); `keywords
--help` paid it too until its choices moved to the light `electra_rtd.tagging.options` (12 s).

    python benchmarks/cli_startup.py            # 5 runs per command
    python benchmarks/cli_startup.py --smoke    # 1 run of the light commands; for the tests
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
CALL_CLI = "from electra_rtd.cli import main; main({argv!r})"
# (label, Python code run with `python -c`); the slower ones are left out of --smoke. The corpus
# commands' --help reads defaults from their config classes (kiwipiepy, scikit-learn, datasketch).
LIGHT = [
    ("python -c pass", "pass"),
    ("electra-rtd --help", CALL_CLI.format(argv=["--help"])),
    ("electra-rtd --version", CALL_CLI.format(argv=["--version"])),
    ("electra-rtd keywords --help", CALL_CLI.format(argv=["keywords", "--help"])),
    ("electra-rtd normalise --help", CALL_CLI.format(argv=["normalise", "--help"])),
]
HEAVY = [
    *(
        (f"electra-rtd {name} --help", CALL_CLI.format(argv=[name, "--help"]))
        for name in ("dedup", "label", "report")
    ),
    ("import torch, transformers (before)", "import torch, transformers"),
]


@dataclass
class Timing:
    command: str
    runs: int
    median_s: float


def time_command(code: str, runs: int) -> float:
    """Median wall seconds of ``python -c code`` in a fresh interpreter, our src first."""
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code], env=env, check=False, stdout=subprocess.DEVNULL
        )
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main(argv: list[str] | None = None) -> list[Timing]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (default: 5)")
    parser.add_argument("--smoke", action="store_true", help="one run of the light commands")
    args = parser.parse_args(argv)
    commands, runs = (LIGHT, 1) if args.smoke else (LIGHT + HEAVY, args.runs)
    timings = [Timing(label, runs, time_command(code, runs)) for label, code in commands]
    baseline = timings[0].median_s
    print("| command | runs | median s | over python -c pass, s |")
    print("|---|---:|---:|---:|")
    for timing in timings:
        over = timing.median_s - baseline
        print(f"| {timing.command} | {timing.runs} | {timing.median_s:.2f} | {over:+.2f} |")
    return timings


if __name__ == "__main__":
    main()
