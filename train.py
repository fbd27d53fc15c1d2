"""Train: `python train.py +experiment=rtd_pretrain` (see conf/ and the README)."""

import hydra
from omegaconf import DictConfig

from electra_rtd.config import register_resolvers
from electra_rtd.entry import one_line_errors
from electra_rtd.tasks import run_job, run_task

register_resolvers()


@hydra.main(version_base="1.3", config_path="conf", config_name="train")
def main(cfg: DictConfig) -> None:
    with one_line_errors("train.py"):
        run_job(run_task, cfg)


if __name__ == "__main__":
    main()
