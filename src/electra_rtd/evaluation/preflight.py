"""Checks that run before a suite trains anything, so a long suite cannot fail hours in."""

from __future__ import annotations

from collections.abc import Iterable

from omegaconf import DictConfig, OmegaConf

from electra_rtd.models.electra import WeightsNotFoundError, require_weights

# The checkpoints a model config may name (the keys `require_weights` checks).
CHECKPOINT_KEYS = {"path": "model", "generator_path": "generator", "tokenizer": "tokenizer"}


def require_suite_weights(suite: str, configs: Iterable[DictConfig]) -> None:
    """Raise one `WeightsNotFoundError` listing every checkpoint the suite's runs cannot load.

    ``require_weights`` stops at a model's first missing checkpoint; here each checkpoint of every
    distinct model config (model, generator, tokenizer) is checked on its own, so one offline
    attempt tells the user everything to download.
    """
    missing: dict[str, str] = {}  # checkpoint -> which backbone needs it, in what role
    for cfg in configs:
        name = cfg.model.get("name") or "model"
        for key, role in CHECKPOINT_KEYS.items():
            checkpoint = cfg.model.get(key)
            if not checkpoint or checkpoint in missing:
                continue
            try:
                require_weights({key: checkpoint})
            except WeightsNotFoundError:
                missing[checkpoint] = f"{name}: {role}"
    if missing:
        listed = "\n".join(f"- `hf download {c}`  ({where})" for c, where in missing.items())
        raise WeightsNotFoundError(
            f"suite {suite}: {len(missing)} checkpoint(s) are not available offline, so "
            f"nothing was trained. On a machine with internet run\n{listed}\n(this fills "
            "~/.cache/huggingface, which you can copy here), or point the suite's backbones at "
            "local folders with model.path=, model.generator_path= and model.tokenizer= overrides."
        )


def require_same_data(suite: str, configs: Iterable[DictConfig], group: str) -> DictConfig:
    """The one ``group`` config (``data`` or ``corpus``) all ``configs`` share; raise if any
    differs.

    The runs of a suite must be trained and scored on the same messages and split (and its
    pretraining runs on the same corpus). A data field that follows
    the run seed (such as ``data.seed: ${seed}`` in keywords_synthetic) would silently give each
    seed its own data set, so it is caught here with the differing fields named.
    """
    configs = list(configs)
    first = OmegaConf.to_container(configs[0][group], resolve=True)
    for cfg in configs[1:]:
        other = OmegaConf.to_container(cfg[group], resolve=True)
        if other != first:
            fields = sorted(k for k in first.keys() | other.keys() if first.get(k) != other.get(k))
            raise ValueError(
                f"suite {suite}: the runs differ in {group}.{f', {group}.'.join(fields)} "
                f"({[first.get(k) for k in fields]} vs {[other.get(k) for k in fields]}); "
                f"set them once for all runs in the suite file (e.g. {group}.seed=N)"
            )
    return configs[0][group]
