"""AdamW with decoupled weight decay and a linear warmup/decay schedule, from config."""

from __future__ import annotations

import torch
from torch import nn
from torch.optim.lr_scheduler import LambdaLR
from transformers import get_linear_schedule_with_warmup

from electra_rtd.schema import OptimConfig

NO_DECAY = ("bias", "LayerNorm.weight", "LayerNorm.bias", "layer_norm", "norm.weight")


def build_optimizer(model: nn.Module, optim_cfg: OptimConfig) -> torch.optim.AdamW:
    """AdamW; biases and LayerNorm weights get no weight decay (as in BERT and ELECTRA)."""
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if param.requires_grad:
            (no_decay if any(key in name for key in NO_DECAY) else decay).append(param)
    fused = optim_cfg.fused
    if fused == "auto":
        fused = torch.cuda.is_available()
    return torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": optim_cfg.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=optim_cfg.lr,
        betas=tuple(optim_cfg.betas),
        eps=optim_cfg.eps,
        fused=bool(fused) or None,
    )


def build_scheduler(
    optimizer: torch.optim.Optimizer, warmup_steps: int, total_steps: int
) -> LambdaLR:
    """Linear warmup then linear decay to zero, counted in optimizer updates.

    The schedule is stepped by the training loop once per update (not handed to
    ``accelerator.prepare``), so its length is right for any number of processes and any
    gradient accumulation.
    """
    return get_linear_schedule_with_warmup(optimizer, warmup_steps, total_steps)


def warmup_steps(optim_cfg: OptimConfig, total_steps: int) -> int:
    """Warmup as a step count, from ``warmup_steps`` or ``warmup_ratio`` of the run."""
    if optim_cfg.warmup_steps is not None:
        return int(optim_cfg.warmup_steps)
    return int(optim_cfg.warmup_ratio * total_steps)
