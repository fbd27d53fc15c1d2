"""Score keyword extractors on hand-labelled real KISA messages, beside the human agreement.

The labels live in `labels/kisa/` keyed by the SHA-256 of each message's text, with no message
text; this script joins them with the KISA file in ../shared/data. The dev split chooses settings,
the test split is only reported. Keyword sets are compared on plain forms (`keyword_norm`), so
`코ll인`, `코 인` and `코인이` are one keyword. The human ceiling is the agreement of two
labellers who read the same 200 messages independently (`labels/kisa/second_reading.jsonl`).

    python evaluation/kisa_gold.py                                        # baselines only
    python evaluation/kisa_gold.py --model "kisa tagger=outputs/kisa_tagger/<run>/export/model" \
        --decode ranked tags candidates --plot docs/kisa_tagger.png --reliability docs/kisa_reliability.png
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from omegaconf import OmegaConf

from electra_rtd.baselines import KiwiNounExtractor, TfidfTopK
from electra_rtd.corpus_tools.silver import SilverConfig, SilverLabeller
from electra_rtd.data.hashed_labels import join_labels, read_label_file, read_label_folder
from electra_rtd.data.labelled import LabelledMessage
from electra_rtd.metrics import score_keywords
from electra_rtd.tagging import KeywordTagger
from electra_rtd.tagging.calibration import expected_calibration_error, reliability_bins
from electra_rtd.tagging.ranker import RANKER_FILE
from electra_rtd.text.keyword_norm import keyword_norm, plain_keyword
from electra_rtd.text.spans import Span
from electra_rtd.training.kisa_tagger import keyword_outcomes
from electra_rtd.training.silver_tagger import read_background, read_messages

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "labels" / "kisa"
KISA = REPO.parent / "shared" / "data" / "messages" / "kisa_spam_2022_reports.tsv.gz"
SILVER = REPO / "conf" / "experiment" / "kisa_tagger.yaml"
log = logging.getLogger("kisa_gold")

Extractor = Callable[[list[str]], list[list[Span]]]


def load_sets() -> dict[str, list[LabelledMessage]]:
    """The hand-labelled test and dev splits, and the messages read twice (the first and the
    second reading), joined with the KISA file in one pass."""
    labels = read_label_folder(LABELS)
    second = read_label_file(LABELS / "second_reading.jsonl")
    every = {key: record for records in labels.values() for key, record in records.items()}
    first = {key: every[key] for key in second}  # in the second reading's order
    return join_labels(
        {"test": labels["test"], "dev": labels["dev"], "first": first, "second": second},
        KISA,
        "message",
    )


def human_agreement(
    first: list[LabelledMessage], second: list[LabelledMessage]
) -> dict[str, float]:
    """Scores of the second labeller's reading against the first, on the messages read twice."""
    return score_keywords(
        [list(m.spans) for m in second],
        [list(m.spans) for m in first],
        [m.text for m in first],
        plain_keyword,
    )


def norm_agreement(messages: Sequence[LabelledMessage]) -> float:
    """Share of hand-labelled keywords whose plain form `keyword_norm` gives as the labeller did
    (the first 91 messages are left out: their plain forms were made by `keyword_norm`)."""
    pairs = [
        (keyword_norm(surface).casefold(), norm.casefold())
        for m in messages
        if not m.meta.get("earlier")
        for surface, norm in zip(m.keywords, m.meta["norms"], strict=True)
    ]
    return sum(ours == theirs for ours, theirs in pairs) / max(len(pairs), 1)


def training_config():  # noqa: ANN201 - an OmegaConf node
    """The `kisa_tagger` experiment's message settings, with this checkout's paths."""
    silver_cfg = OmegaConf.load(SILVER).silver
    silver_cfg.corpus = str(KISA)
    silver_cfg.background = str(KISA.parents[1] / "nsmc" / "reviews.tsv.gz")
    silver_cfg.exclude_hashes = [str(LABELS / "dev.jsonl"), str(LABELS / "test.jsonl")]
    return silver_cfg


def silver_extractor(silver_cfg, texts: list[str]) -> Extractor:  # noqa: ANN001
    """The silver labeller fitted as the `kisa_tagger` experiment fits it."""
    labeller = SilverLabeller(SilverConfig(**OmegaConf.to_container(silver_cfg.labeller)))
    labeller.fit(texts, read_background(silver_cfg))
    return lambda batch: [list(m.spans) for m in labeller.label(batch)]


def tagger_extractor(path: str, decode: str) -> Extractor | None:
    """The tagger at ``path`` decoding with ``decode``; None where it has no ranker to rank with."""
    if decode == "ranked" and not (Path(path) / RANKER_FILE).is_file():
        return None
    tagger = KeywordTagger.from_pretrained(path, decode=decode)
    return lambda texts: [[k.span for k in keywords] for keywords in tagger.extract(texts)]


def named_models(values: list[str]) -> dict[str, str]:
    """``NAME=PATH`` or a bare ``PATH`` (then named by its path) for each --model."""
    return dict(
        value.split("=", 1) if "=" in value and not Path(value).exists() else (value, value)
        for value in values
    )


def plot(results: dict[str, dict[str, dict[str, float]]], ceiling: float, path: Path) -> None:
    """Keyword-set F1 of every extractor per split, the human agreement as a line."""
    from matplotlib.figure import Figure

    extractors = list(next(iter(results.values())))
    figure = Figure(figsize=(10, 4.5), layout="constrained")
    axes = figure.subplots()
    width = 0.8 / len(extractors)
    for index, extractor in enumerate(extractors):
        positions = [
            group + (index - (len(extractors) - 1) / 2) * width for group in range(len(results))
        ]
        scores = [by_extractor[extractor]["kwset_f1"] for by_extractor in results.values()]
        bars = axes.bar(positions, scores, width, label=extractor)
        axes.bar_label(bars, fmt="%.2f", fontsize=8)
    axes.axhline(ceiling, color="black", linestyle="--", linewidth=1)
    axes.annotate(f"human agreement {ceiling:.2f}", (-0.4, ceiling + 0.015), fontsize=8)
    axes.set_xticks(range(len(results)), list(results))
    axes.set_ylabel("keyword-set F1 (macro, plain forms)")
    axes.set_ylim(0, 1)
    axes.legend(fontsize=8, loc="upper right")
    figure.savefig(path, dpi=120)


def plot_reliability(tagger: KeywordTagger, messages: list[LabelledMessage], path: Path) -> None:
    """Reliability diagram on ``messages``: raw and calibrated scores against the share right."""
    from matplotlib.figure import Figure

    calibration = tagger.calibration
    tagger.calibration = None
    raw, correct = keyword_outcomes(tagger, messages)
    tagger.calibration = calibration
    figure = Figure(figsize=(5, 5), layout="constrained")
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
    curves = {"raw": raw}
    if calibration is not None:
        curves["calibrated on dev"] = [calibration(score) for score in raw]
    for name, scores in curves.items():
        points = reliability_bins(scores, correct)
        ece = expected_calibration_error(scores, correct)
        axes.plot(
            [p.mean_score for p in points],
            [p.share_right for p in points],
            marker="o",
            label=f"{name} (ECE {ece:.3f})",
        )
        print(f"reliability, {name}: ECE {ece:.3f} over {len(scores)} test keywords")
    axes.set_xlabel("keyword score")
    axes.set_ylabel("share of keywords that are right (test)")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.legend(fontsize=8)
    figure.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", action="append", default=[], help="tagger export, [NAME=]PATH (repeatable)"
    )
    parser.add_argument(
        "--decode", nargs="+", default=["tags"], help="decodings to score each tagger with"
    )
    parser.add_argument("--no-silver", action="store_true", help="skip the silver labeller")
    parser.add_argument("--plot", type=Path, help="draw the keyword-set F1s into this PNG")
    parser.add_argument(
        "--reliability", type=Path, help="reliability diagram of the first tagger on test"
    )
    args = parser.parse_args(argv)
    sets = load_sets()
    human = human_agreement(sets.pop("first"), sets.pop("second"))
    # TF-IDF's document frequencies and the silver vocabulary come from the training messages.
    silver_cfg = training_config()
    training_texts = read_messages(silver_cfg)
    extractors: dict[str, Extractor] = {
        "kiwi_nouns": KiwiNounExtractor().extract,
        "tfidf_top3": TfidfTopK().fit(training_texts).extract,
    }
    if not args.no_silver:
        extractors["silver_labels"] = silver_extractor(silver_cfg, training_texts)
    for name, path in named_models(args.model).items():
        for decode in args.decode:
            label = name if len(args.decode) == 1 else f"{name} ({decode})"
            if (extract := tagger_extractor(path, decode)) is not None:
                extractors[label] = extract

    results: dict[str, dict[str, dict[str, float]]] = {}
    for split, messages in sets.items():
        texts = [m.text for m in messages]
        gold = [list(m.spans) for m in messages]
        results[f"hand-labelled {split}"] = {
            name: score_keywords(extract(texts), gold, texts, plain_keyword)
            for name, extract in extractors.items()
        }
    kiwi = {split: scores["kiwi_nouns"]["kwset_f1"] for split, scores in results.items()}
    print("| split | messages | extractor | keyword-set F1 | P | R | micro F1 | span F1 | x kiwi |")
    print("|---|---|---|---|---|---|---|---|---|")
    for split, by_extractor in results.items():
        size = int(next(iter(by_extractor.values()))["n_messages"])
        for extractor, s in by_extractor.items():
            print(
                f"| {split} | {size} | {extractor} | {s['kwset_f1']:.3f} | {s['kwset_precision']:.3f} "
                f"| {s['kwset_recall']:.3f} | {s['kwset_micro_f1']:.3f} | {s['span_f1']:.3f} "
                f"| {s['kwset_f1'] / kiwi[split]:.2f} |"
            )
    print(
        f"| read twice | {int(human['n_messages'])} | human agreement | {human['kwset_f1']:.3f} "
        f"| | | {human['kwset_micro_f1']:.3f} | {human['span_f1']:.3f} | |"
    )
    every = [m for messages in sets.values() for m in messages]
    print(
        f"plain forms: keyword_norm agrees with the labellers' norm on {norm_agreement(every):.1%}"
    )
    if args.plot:
        plot(results, human["kwset_f1"], args.plot)
    if args.reliability and args.model:
        first = next(iter(named_models(args.model).values()))
        plot_reliability(KeywordTagger.from_pretrained(first), sets["test"], args.reliability)
    return results


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    main()
