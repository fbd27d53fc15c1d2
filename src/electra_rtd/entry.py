"""What `train.py` and `evaluate.py` share: one-line errors and one run per run folder.

Why: an input error used to print a 15-43 line Hydra traceback ending in the useful
``path:line: what is wrong``. The project's own error types and file-system errors are now printed
as that one line with exit code 2; ``HYDRA_FULL_ERROR=1`` still shows the traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from electra_rtd.corpus_tools.llm_client import LlmRequestError
from electra_rtd.data.corpus import CorpusError
from electra_rtd.data.synthetic.template_language import TemplateError
from electra_rtd.evaluation.suite import SuiteError
from electra_rtd.models.electra import WeightsNotFoundError
from electra_rtd.outputs import OutputError, describe_os_error
from electra_rtd.schema import ConfigError
from electra_rtd.tagging.model_folder import TaggerError
from electra_rtd.training.loop import TrainingSetupError
from electra_rtd.training.run_folder import lock_run_folder
from electra_rtd.training.runtime import launch_stamp

USER_ERRORS = (
    CorpusError,
    TaggerError,
    OutputError,
    TrainingSetupError,
    SuiteError,
    TemplateError,
    WeightsNotFoundError,
    LlmRequestError,
    ConfigError,
)
EXIT_USER_ERROR = 2


@contextmanager
def one_line_errors(program: str) -> Iterator[None]:
    """Print a user-fixable error as ``program: error: message`` and exit 2, without a traceback."""
    try:
        yield
    except (*USER_ERRORS, OSError) as error:
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        print(f"{program}: error: {_message(error)}", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR) from None


def _message(error: Exception) -> str:
    if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
        return describe_os_error(error.filename or "a file", error, "failed")
    return str(error).splitlines()[0] if str(error) else type(error).__name__


class RunFolderGuard(Callback):
    """Hydra callback: lock the run folder before Hydra writes into it, until the run ends.

    Only the first process of an ``accelerate launch`` locks; the others share its folder.
    """

    def __init__(self) -> None:
        self._held = ExitStack()

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        if int(os.environ.get("RANK", "0")) != 0:
            return
        with one_line_errors(Path(sys.argv[0]).name):
            run_dir = Path(config.hydra.run.dir)
            held = lock_run_folder(run_dir, config.get("resume"), launch_stamp())
            self._held.enter_context(held)

    def on_run_end(self, config: DictConfig, **kwargs: Any) -> None:
        self._held.close()
