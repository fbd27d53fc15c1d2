"""Hydra/OmegaConf glue: resolvers the configs use, registered before Hydra composes them."""

from __future__ import annotations

from omegaconf import OmegaConf

from electra_rtd.training.runtime import launch_stamp


def register_resolvers() -> None:
    """``${launch_stamp:}`` names the run directory identically in every launched process."""
    if not OmegaConf.has_resolver("launch_stamp"):
        OmegaConf.register_new_resolver("launch_stamp", launch_stamp, use_cache=True)
