"""Evaluate: `python evaluate.py +benchmark=smoke` (conf/benchmark/), or score a saved tagger with
`python evaluate.py evaluate.model_dir=outputs/.../export/model evaluate.labelled=messages.jsonl`.
Ends by printing the results table; results.md, results.json and results.png are in the run folder.
"""

import hydra
from omegaconf import DictConfig

from electra_rtd.config import register_resolvers
from electra_rtd.entry import one_line_errors
from electra_rtd.evaluation.aggregate import summarise
from electra_rtd.evaluation.harness import evaluate
from electra_rtd.evaluation.report import RESULTS_MD, results_table
from electra_rtd.tasks import run_dir_from_hydra, run_job

register_resolvers()


@hydra.main(version_base="1.3", config_path="conf", config_name="evaluate")
def main(cfg: DictConfig) -> None:
    with one_line_errors("evaluate.py"):
        evaluation = run_job(evaluate, cfg)
    print(f"\n{evaluation.title}\n\n{results_table(summarise(evaluation.records))}")
    print(f"\nfull report: {run_dir_from_hydra() / RESULTS_MD}")


if __name__ == "__main__":
    main()
