"""The labelled messages of a tagging run, split into train/dev/test without leakage."""

from __future__ import annotations

from electra_rtd.data.hashed_labels import join_labels, read_label_folder
from electra_rtd.data.labelled import LabelledMessage, read_labelled, synthetic_labelled
from electra_rtd.data.splits import split_messages
from electra_rtd.schema import LabelledSetConfig


def load_tagging_splits(data_cfg: LabelledSetConfig) -> dict[str, list[LabelledMessage]]:
    """Synthetic messages (``data.source=synthetic``) or a labelled file, split by message, or
    hashed hand labels (``data.source=hashed``) whose splits are fixed in their files.

    The split depends on ``data.split_seed`` only, so runs with different training seeds are
    scored on the same test messages.
    """
    if data_cfg.source == "hashed":
        labels = read_label_folder(data_cfg.labels)
        return join_labels(labels, data_cfg.corpus, data_cfg.text_column)
    if data_cfg.source == "synthetic":
        messages = synthetic_labelled(data_cfg.num_messages, seed=data_cfg.seed)
    else:
        messages = read_labelled(data_cfg.path, on_error=data_cfg.on_error)
    return split_messages(messages, fractions=tuple(data_cfg.split), seed=data_cfg.split_seed)
