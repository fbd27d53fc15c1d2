"""Evaluate: `python evaluate.py +suite=smoke` (conf/suite/), or score a saved tagger with
`python evaluate.py evaluate.model_dir=outputs/.../export/model evaluate.labelled=messages.jsonl`.
Ends by printing the results table; results.md, results.json and results.png are in the run folder.

This file shares its name with Hugging Face's `evaluate` library. Whenever the repository root is
first on ``sys.path`` (``python evaluate.py``, ``python -m pytest``, a notebook opened here),
``import evaluate`` finds this file; imported under any name but ``__main__`` it therefore loads
the library in its own place, so every ``import evaluate`` gets the library.
"""

import sys

if __name__ != "__main__":
    from importlib.machinery import PathFinder
    from importlib.util import module_from_spec
    from pathlib import Path

    _here = Path(__file__).resolve().parent
    _spec = PathFinder.find_spec(
        __name__, [p for p in sys.path if Path(p or ".").resolve() != _here]
    )
    if _spec is None or _spec.loader is None:
        raise ImportError(
            f"{__name__}: the Hugging Face library is not installed (pip install evaluate)"
        )
    _library = module_from_spec(_spec)
    sys.modules[__name__] = _library  # the import statement returns what sys.modules holds
    _spec.loader.exec_module(_library)
else:
    import hydra
    from omegaconf import DictConfig

    from electra_rtd.config import register_resolvers
    from electra_rtd.entry import one_line_errors
    from electra_rtd.evaluation.aggregate import summarise
    from electra_rtd.evaluation.harness import evaluate
    from electra_rtd.evaluation.report import RESULTS_MD, task_tables
    from electra_rtd.tasks import run_dir_from_hydra, run_job

    register_resolvers()

    @hydra.main(version_base="1.3", config_path="conf", config_name="evaluate")
    def main(cfg: DictConfig) -> None:
        with one_line_errors("evaluate.py"):
            evaluation = run_job(evaluate, cfg)
        print(f"\n{evaluation.title}\n\n{task_tables(summarise(evaluation.records))}")
        print(f"\nfull report: {run_dir_from_hydra() / RESULTS_MD}")

    main()
