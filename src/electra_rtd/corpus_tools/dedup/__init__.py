"""De-duplication of message dumps: exact, lexical (MinHash LSH), structural (templates) and
semantic (sentence embeddings), in any combination, keeping every row and its cluster ids."""

from electra_rtd.corpus_tools.dedup.clusters import Cluster, DedupResult, DuplicateStats
from electra_rtd.corpus_tools.dedup.config import (
    COMBINED,
    METHODS,
    DedupConfig,
    LexicalConfig,
    SemanticConfig,
    StructuralConfig,
)
from electra_rtd.corpus_tools.dedup.pairs import (
    PairScores,
    PairSet,
    score_methods,
    score_pairs,
    synthetic_pairs,
)
from electra_rtd.corpus_tools.dedup.pipeline import deduplicate, deduplicate_corpus
from electra_rtd.corpus_tools.dedup.writers import deduplicated, write_clusters, write_rows
from electra_rtd.text.keys import exact_key, message_template

__all__ = [
    "COMBINED",
    "METHODS",
    "Cluster",
    "DedupConfig",
    "DedupResult",
    "DuplicateStats",
    "LexicalConfig",
    "PairScores",
    "PairSet",
    "SemanticConfig",
    "StructuralConfig",
    "deduplicate",
    "deduplicate_corpus",
    "deduplicated",
    "exact_key",
    "message_template",
    "score_methods",
    "score_pairs",
    "synthetic_pairs",
    "write_clusters",
    "write_rows",
]
