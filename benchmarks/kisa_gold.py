"""Score keyword taggers on real KISA messages labelled by hand, against the unsupervised baselines.

The labels live in the repository keyed by the SHA-256 of each message's text, with no message
text; this script joins them with the KISA file in ../shared/data. Two sets, from report days
other than the held-out 2022-12-31 and never trained on: `kisa_dev_keywords.jsonl` (42 messages,
11 of them long MMS) chose the silver labeller's settings; `kisa_gold_keywords.jsonl` (52
messages) is the test set, looked at only to report.

    python benchmarks/kisa_gold.py --model outputs/kisa_silver_tagger/<run>/export/model
    python benchmarks/kisa_gold.py --model "silver tagger=<run>/export/model" --plot kisa.png
    python benchmarks/kisa_gold.py                 # baselines only

Each extractor is also scored on the synthetic test split of `+experiment=keyword_tagging`
(6,000 messages, data seed 0, split seed 0), which a tagger trained on KISA never saw.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from pathlib import Path

from omegaconf import OmegaConf

from electra_rtd.baselines import KiwiNounExtractor
from electra_rtd.data.corpus import iter_records
from electra_rtd.data.labelled import LabelledMessage, spans_for_keywords
from electra_rtd.data.tagging_sets import load_tagging_splits
from electra_rtd.metrics import score_keywords
from electra_rtd.metrics.tagging import score_tagger
from electra_rtd.tagging import KeywordTagger

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "benchmarks" / "data" / "kisa_gold_keywords.jsonl"
DEV = REPO / "benchmarks" / "data" / "kisa_dev_keywords.jsonl"
KISA = REPO.parent / "shared" / "data" / "messages" / "kisa_spam_2022_reports.tsv.gz"
log = logging.getLogger("kisa_gold")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_gold(gold: Path = GOLD, kisa: Path = KISA) -> list[LabelledMessage]:
    """Join the hashed labels with the KISA messages; every labelled hash must be found."""
    labels = {}
    for line in gold.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        labels[record["sha256"]] = record["keywords"]
    found: dict[str, LabelledMessage] = {}
    for row in iter_records([kisa], text_column="message"):
        key = text_hash(row["text"])
        if key in labels and key not in found:
            spans = spans_for_keywords(row["text"], labels[key])
            found[key] = LabelledMessage(row["text"], spans, source="gold")
    missing = set(labels) - set(found)
    if missing:
        raise ValueError(f"{len(missing)} labelled messages of {gold} are not in {kisa}")
    return [found[key] for key in labels]


def synthetic_test_split() -> list[LabelledMessage]:
    """The test split of the keyword_tagging experiment's synthetic messages."""
    config = {"source": "synthetic", "num_messages": 6000, "seed": 0, "split": [0.8, 0.1, 0.1]}
    return load_tagging_splits(OmegaConf.create({**config, "split_seed": 0}))["test"]


def score_all(
    messages: list[LabelledMessage], models: dict[str, str]
) -> dict[str, dict[str, float]]:
    """Kiwi nouns and every tagger (by name) on ``messages``."""
    texts = [m.text for m in messages]
    gold = [list(m.spans) for m in messages]
    results = {"kiwi_nouns": score_keywords(KiwiNounExtractor().extract(texts), gold, texts)}
    for name, path in models.items():
        results[name] = score_tagger(KeywordTagger.from_pretrained(path), messages)
    return results


def named_models(values: list[str]) -> dict[str, str]:
    """``NAME=PATH`` or a bare ``PATH`` (then named by its path) for each --model."""
    return dict(
        value.split("=", 1) if "=" in value and not Path(value).exists() else (value, value)
        for value in values
    )


def plot(results: dict[str, dict[str, dict[str, float]]], path: Path) -> None:
    """Keyword-set F1 of every extractor, grouped by test set."""
    from matplotlib.figure import Figure

    extractors = list(next(iter(results.values())))
    figure = Figure(figsize=(9, 4), layout="constrained")
    axes = figure.subplots()
    width = 0.8 / len(extractors)
    for index, extractor in enumerate(extractors):
        positions = [
            group + (index - (len(extractors) - 1) / 2) * width for group in range(len(results))
        ]
        scores = [by_extractor[extractor]["kwset_f1"] for by_extractor in results.values()]
        bars = axes.bar(positions, scores, width, label=extractor)
        axes.bar_label(bars, fmt="%.2f", fontsize=8)
    axes.set_xticks(range(len(results)), list(results))
    axes.set_ylabel("keyword-set F1")
    axes.set_ylim(0, 1)
    axes.legend(fontsize=8)
    figure.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", action="append", default=[], help="tagger export, [NAME=]PATH (repeatable)"
    )
    parser.add_argument("--plot", type=Path, help="also draw the keyword-set F1s into this PNG")
    args = parser.parse_args(argv)
    sets = {
        "hand-labelled KISA test": load_gold(GOLD),
        "hand-labelled KISA dev": load_gold(DEV),
        "synthetic test split": synthetic_test_split(),
    }
    models = named_models(args.model)
    results = {name: score_all(messages, models) for name, messages in sets.items()}
    print("| test set | messages | extractor | span F1 | keyword-set F1 | partial F1 |")
    print("|---|---|---|---|---|---|")
    for name, by_extractor in results.items():
        for extractor, scores in by_extractor.items():
            print(
                f"| {name} | {len(sets[name])} | {extractor} | {scores['span_f1']:.3f} "
                f"| {scores['kwset_f1']:.3f} | {scores['partial_f1']:.3f} |"
            )
    if args.plot:
        plot(results, args.plot)
    return results


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    main()
