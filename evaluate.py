"""Evaluate: `python evaluate.py +benchmark=smoke` (conf/benchmark/), or score a saved tagger with
`python evaluate.py evaluate.model_dir=outputs/.../export/model evaluate.labelled=messages.jsonl`."""

import hydra
from omegaconf import DictConfig

from electra_rtd.config import register_resolvers
from electra_rtd.entry import one_line_errors
from electra_rtd.evaluation.harness import evaluate
from electra_rtd.tasks import run_dir_from_hydra

register_resolvers()


@hydra.main(version_base="1.3", config_path="conf", config_name="evaluate")
def main(cfg: DictConfig) -> None:
    with one_line_errors("evaluate.py"):
        evaluate(cfg, run_dir_from_hydra())


if __name__ == "__main__":
    main()
