"""Settings of de-duplication, as dataclasses that a Hydra/OmegaConf mapping can build.

Every threshold lives here, so a run's config says exactly which pairs counted as duplicates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from omegaconf import DictConfig, OmegaConf

from electra_rtd.text.keys import EXACT_KEY_CONFIG
from electra_rtd.text.normalise import NormaliseConfig

METHODS = ("exact", "lexical", "structural", "semantic")
# The label of the clusters that merge every selected method's clusters.
COMBINED = "combined"


@dataclass(frozen=True)
class LexicalConfig:
    """MinHash LSH over character n-grams of the normalised text (spaces dropped).

    `threshold` is the estimated Jaccard similarity of two messages' n-gram sets above which they
    are linked; LSH proposes candidates and the signatures confirm them.
    """

    threshold: float = 0.7
    num_perm: int = 128
    ngram: int = 3
    seed: int = 1

    def __post_init__(self) -> None:
        _check_minhash(self.threshold, self.num_perm, self.ngram, "lexical")


@dataclass(frozen=True)
class StructuralConfig:
    """Templates: the normalised text with variable data masked (`mask_pii`).

    Messages with the same template are one cluster. With `minhash`, templates whose n-gram
    Jaccard similarity reaches `threshold` are linked too (a template edited by a word or two).
    """

    minhash: bool = False
    # On the KISA reports, templates joined at 0.6 are still variants of one campaign.
    threshold: float = 0.6
    num_perm: int = 128
    ngram: int = 3
    seed: int = 1

    def __post_init__(self) -> None:
        _check_minhash(self.threshold, self.num_perm, self.ngram, "structural")


@dataclass(frozen=True)
class SemanticConfig:
    """Sentence embeddings from an encoder folder, linked when their cosine reaches `threshold`.

    Each distinct exact key (the normalised, lower-cased message) is embedded once.

    `neighbours` bounds the links per message, so a family of thousands of copies costs
    thousands of links, not millions.
    """

    model: str | None = None
    threshold: float = 0.9
    neighbours: int = 10
    batch_size: int = 64
    max_length: int = 128
    device: str | None = None

    def __post_init__(self) -> None:
        if not -1.0 <= self.threshold <= 1.0:
            raise ValueError(f"semantic.threshold is a cosine in [-1, 1], got {self.threshold}")
        for name in ("neighbours", "batch_size", "max_length"):
            if getattr(self, name) < 1:
                raise ValueError(f"semantic.{name} must be at least 1, got {getattr(self, name)}")


@dataclass(frozen=True)
class DedupConfig:
    """Which methods run, their thresholds, and how the work is spread over processes."""

    methods: tuple[str, ...] = ("exact", "lexical", "structural")
    normalise: NormaliseConfig = EXACT_KEY_CONFIG
    lexical: LexicalConfig = field(default_factory=LexicalConfig)
    structural: StructuralConfig = field(default_factory=StructuralConfig)
    semantic: SemanticConfig = field(default_factory=SemanticConfig)
    # Processes for normalising, masking and signatures; 1 runs everything in this process.
    workers: int = 1
    # Distinct messages handed to a worker at once.
    batch_size: int = 1000

    def __post_init__(self) -> None:
        # A single name, as a command-line override `methods=exact` gives it, is one method.
        methods = (self.methods,) if isinstance(self.methods, str) else tuple(self.methods)
        object.__setattr__(self, "methods", methods)
        unknown = [method for method in self.methods if method not in METHODS]
        if unknown or not self.methods:
            raise ValueError(f"unknown or no methods {unknown or []}; choose from {METHODS}")
        if len(set(self.methods)) != len(self.methods):
            raise ValueError(f"methods are listed twice: {self.methods}")
        if self.workers < 1 or self.batch_size < 1:
            raise ValueError(
                f"workers and batch_size must be at least 1, got {self.workers}, {self.batch_size}"
            )

    @classmethod
    def from_dict(cls, settings: Mapping[str, Any]) -> DedupConfig:
        """Build from a plain or OmegaConf mapping; an unknown key is an error, not ignored."""
        if isinstance(settings, DictConfig):
            settings = OmegaConf.to_container(settings, resolve=True)
        values = _known(cls, settings, "dedup")
        defaults = cls()
        for name in ("normalise", "lexical", "structural", "semantic"):
            if name in values:
                # Over this config's defaults: a partial `normalise` keeps lower-casing on.
                section = getattr(defaults, name)
                values[name] = replace(section, **_known(type(section), values[name], name))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (lists, not tuples) that `from_dict` and OmegaConf accept."""
        return _lists(asdict(self))


def _check_minhash(threshold: float, num_perm: int, ngram: int, section: str) -> None:
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"{section}.threshold is a Jaccard similarity in (0, 1], got {threshold}")
    if num_perm < 2 or ngram < 1:
        raise ValueError(
            f"{section}.num_perm must be at least 2 and ngram at least 1, got {num_perm}, {ngram}"
        )


def _known(cls: type, values: Any, where: str) -> dict[str, Any]:
    if not isinstance(values, Mapping):
        raise TypeError(f"{where} must be a mapping, got {type(values).__name__}")
    names = {item.name for item in fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ValueError(f"{where}: unknown settings {unknown}; known are {sorted(names)}")
    return dict(values)


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_lists(item) for item in value]
    return value
