"""electra-rtd: Korean short-message understanding with ELECTRA.

Layers, lowest first. A module imports only from its own package and from lower layers, so each
layer can be read, tested and reused without the ones above it (tests/test_architecture.py holds
this; docs/architecture.md draws it):

1. ``text``, ``outputs``, ``schema``: spans and BIO tags, normalisation, privacy masks, message
   keys; writing files safely; the typed schemas of the training config groups.
2. ``metrics``: keyword and pretraining scores, plain functions over spans.
3. ``data``: corpora, labelled sets, splits, tokenizers, synthetic messages, batches.
4. ``baselines``: Kiwi nouns and TF-IDF keyword extractors.
5. ``models``, then ``objectives``: ELECTRA and tagger networks; the RTD and MLM losses.
6. ``tagging``: keywords from a saved tagger (inference) and scoring a tagger on labelled data.
7. ``corpus_tools``: de-duplication, silver and LLM labels, corpus reports (which tag messages).
8. ``training``: pretraining and fine-tuning loops, checkpoints, exports (fine-tuning scores the
   tagger it trained and may learn from silver labels, so it sits above both).
9. ``config``, ``tasks``: Hydra resolvers and the task a training config names.
10. ``evaluation``: suites of runs, saved-model scoring, reports.
11. ``entry``, ``cli``: what ``train.py``, ``evaluate.py`` and ``electra-rtd`` share and run.
"""

__version__ = "0.1.0"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("text", "outputs", "schema"),
    ("metrics",),
    ("data",),
    ("baselines",),
    ("models",),
    ("objectives",),
    ("tagging",),
    ("corpus_tools",),
    ("training",),
    ("config", "tasks"),
    ("evaluation",),
    ("entry", "cli"),
)
