"""Texts with one class each (review sentiment, hate speech): read, de-duplicated, split by seed.

A data config with ``source: classes`` (``conf/data/nsmc.yaml``, ``hate_speech.yaml``) names a
file, its text and label columns, which label values make each class and which are dropped
(NSMC's neutral ratings 5-8); any other value is an error naming its file and line. Texts that differ only in Unicode form, spacing or
letter case are one text (`exact_text_key`); one that occurs with two classes is dropped. The
splits are then cut at fixed sizes from a shuffle by ``split_seed``, so every run and seed of a
suite reads the same texts. A test file of its own (``test_path``: the Korean hate speech
corpus's labelled dev file, on which KoELECTRA reports) is the test split as published, and no
text of it is trained on.

De-duplicated texts form single-text groups, so `split_messages` (groups, fractions) would only
shuffle them; the cut here gives the exact sizes, and balanced classes when asked.
"""

from __future__ import annotations

import functools
import json
import logging
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from datasets import Dataset
from omegaconf import OmegaConf
from transformers import PreTrainedTokenizerBase

from electra_rtd.data.corpus import CorpusError, corpus_parts, iter_located_records
from electra_rtd.data.splits import SPLIT_NAMES, exact_text_key
from electra_rtd.schema import TextClassesConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelledText:
    """A text and the name of its class."""

    text: str
    label: str


def class_names(labels: Mapping[str, Sequence[str]]) -> list[str]:
    """The classes in config order: their ids in the classifier."""
    return list(labels)


def encode_text_classes(
    examples: Sequence[LabelledText],
    tokenizer: PreTrainedTokenizerBase,
    names: Sequence[str],
    max_length: int,
) -> Dataset:
    """Token ids (truncated to ``max_length``), attention masks and class ids, for training."""
    ids = {name: index for index, name in enumerate(names)}
    unknown = {e.label for e in examples} - set(ids)
    if unknown:
        raise ValueError(f"classes {sorted(unknown)} are not among {list(names)}")
    encoded = tokenizer(
        [e.text for e in examples],
        truncation=True,
        max_length=max_length,
        return_token_type_ids=False,
    )
    return Dataset.from_dict({**encoded, "labels": [ids[e.label] for e in examples]})


def read_text_classes(
    path: str | Path,
    text_column: str,
    label_column: str,
    labels: Mapping[str, Sequence[str]],
    drop: Sequence[str] = (),
) -> list[LabelledText]:
    """The distinct texts of ``path`` whose ``label_column`` value is listed in ``labels``.

    Rows with a value in ``drop`` are left out and counted in the log, as are duplicates and
    texts whose copies disagree on the class; malformed rows, missing columns and a value listed
    nowhere (a typo, a class the config forgot) stop with ``file:line``.
    """
    classes = _value_classes(labels)
    dropped_values = {str(value).strip() for value in drop}
    rows = iter_located_records(corpus_parts(path), text_column, keep_columns=(label_column,))
    dropped: Counter[str] = Counter()
    found: dict[str, LabelledText | None] = {}  # exact key -> first copy; None: classes disagree
    copies = 0
    for part, line, row in rows:
        value = str(row[label_column]).strip()
        if value in dropped_values:
            dropped[value] += 1
            continue
        if value not in classes:
            raise CorpusError(
                f"{part}:{line}: {label_column} {value!r} is neither a class's value "
                f"({', '.join(sorted(classes))}) nor one to drop ({', '.join(sorted(dropped_values)) or 'none'})"
            )
        example = LabelledText(row["text"], classes[value])
        key = exact_text_key(example)
        if key in found:
            copies += 1
            first = found[key]
            if first is not None and first.label != example.label:
                found[key] = None
        else:
            found[key] = example
    texts = [example for example in found.values() if example is not None]
    if not texts:
        listed = ", ".join(sorted(classes))
        raise CorpusError(f"{path}: no text has a {label_column!r} value among {listed}")
    log.info(
        "%s: %d distinct texts (%s); dropped %d copies, %d texts whose copies disagree, %d rows "
        "with a %s to drop (%s)",
        path,
        len(texts),
        ", ".join(f"{name} {n}" for name, n in Counter(t.label for t in texts).items()),
        copies,
        sum(example is None for example in found.values()),
        dropped.total(),
        label_column,
        ", ".join(f"{value!r} {n}" for value, n in dropped.most_common()) or "none",
    )
    return texts


def split_text_classes(
    texts: Sequence[LabelledText],
    sizes: Sequence[int | None],
    seed: int,
    *,
    balance: bool = False,
    test: Sequence[LabelledText] | None = None,
) -> dict[str, list[LabelledText]]:
    """{"train", "dev", "test"} of the given ``sizes`` (None: all that remain), cut in the order
    test, dev, train from ``texts`` shuffled by ``seed``; with ``balance`` each class gives the
    same share of every split (every size given then). ``test`` is the test split as given (its
    size must be None); no text of it (by `exact_text_key`) enters train or dev."""
    if len(sizes) != len(SPLIT_NAMES):
        raise ValueError(f"sizes needs train, dev and test sizes: {list(sizes)}")
    wanted = dict(zip(SPLIT_NAMES, sizes, strict=True))
    if test is not None:
        if wanted["test"] is not None:
            raise ValueError("with a test file of its own the test size must be null (all of it)")
        held = {exact_text_key(example) for example in test}
        pool = [example for example in texts if exact_text_key(example) not in held]
        log.info("%d texts that are also in the test file dropped", len(texts) - len(pool))
        wanted["test"] = 0
    else:
        pool = list(texts)
    drawn = list(wanted.values())
    if sum(size is None for size in drawn) > 1 or any(s is not None and s < 0 for s in drawn):
        raise ValueError(f"sizes must be counts, with at most one null (the rest): {list(sizes)}")
    if balance and None in drawn:
        raise ValueError(f"balanced classes need every size: {list(sizes)}")
    names = sorted({example.label for example in pool}) if balance else [None]
    splits: dict[str, list[LabelledText]] = {name: [] for name in SPLIT_NAMES}
    for index, name in enumerate(names):
        group = [example for example in pool if name is None or example.label == name]
        random.Random(seed).shuffle(group)
        start = 0
        for split in ("test", "dev", "train"):
            share = _share(wanted[split], index, len(names))
            end = len(group) if share is None else start + share
            if end > len(group):
                what = f"{name} texts" if name is not None else "texts"
                raise ValueError(
                    f"sizes {list(sizes)} need {end} {what} but only {len(group)} remain "
                    "after de-duplication"
                )
            splits[split] += group[start:end]
            start = end
    if test is not None:
        splits["test"] = list(test)
    log.info(
        "split by seed %d: %s",
        seed,
        "; ".join(f"{name} {len(splits[name])} ({_counts(splits[name])})" for name in SPLIT_NAMES),
    )
    return splits


def load_class_splits(data_cfg: TextClassesConfig) -> dict[str, list[LabelledText]]:
    """The splits ``data_cfg`` names. Read once per process for equal settings and files: a
    suite's runs all read the same splits (NSMC's 712,404 rows take about 10 s)."""
    settings = OmegaConf.to_container(data_cfg, resolve=True)
    settings.pop("max_length")  # tokenisation, not the texts
    stamps = [_stamp(path) for path in (settings["path"], settings["test_path"]) if path]
    key = json.dumps({**settings, "stamps": stamps}, sort_keys=True, ensure_ascii=False)
    return {name: list(texts) for name, texts in _cached_splits(key).items()}


@functools.lru_cache(maxsize=8)
def _cached_splits(key: str) -> dict[str, tuple[LabelledText, ...]]:
    settings = json.loads(key)
    columns = (
        settings["text_column"],
        settings["label_column"],
        settings["labels"],
        settings["drop"],
    )
    texts = read_text_classes(settings["path"], *columns)
    test = read_text_classes(settings["test_path"], *columns) if settings["test_path"] else None
    splits = split_text_classes(
        texts, settings["sizes"], settings["split_seed"], balance=settings["balance"], test=test
    )
    return {name: tuple(examples) for name, examples in splits.items()}


def _value_classes(labels: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """label value -> class; a value listed under two classes is refused."""
    if not labels:
        raise ValueError("labels must name at least one class and its label values")
    classes: dict[str, str] = {}
    for name, values in labels.items():
        for value in values:
            value = str(value).strip()
            if value in classes:
                raise ValueError(
                    f"label value {value!r} is listed under {classes[value]!r} and {name!r}"
                )
            classes[value] = name
    return classes


def _share(size: int | None, index: int, parts: int) -> int | None:
    """Part ``index`` of ``size`` cut into ``parts`` near-equal parts (the first ones larger)."""
    if size is None:
        return None
    return size // parts + (1 if index < size % parts else 0)


def _counts(examples: Iterable[LabelledText]) -> str:
    return ", ".join(
        f"{name} {n}" for name, n in sorted(Counter(e.label for e in examples).items())
    )


def _stamp(path: str) -> list[int] | str:
    """Size and modification time of a file, so a changed file is read again."""
    stat = Path(path).stat() if Path(path).is_file() else None
    return [stat.st_size, stat.st_mtime_ns] if stat else str(path)
