"""Keywords as ranked candidates: kiwipiepy noun compounds, scored by a model that reads the
encoder's token scores beside what the candidate looks like.

A token tagger must learn word boundaries from a few thousand labelled messages, and a subword
vocabulary trained on spam cuts Korean words in odd places. Kiwi already knows the boundaries:
every run of touching noun-like morphemes (nouns, Latin words, numbers, noun prefixes and
suffixes) and each of its sub-runs of up to ``max_tokens`` morphemes is a candidate; on the
hand-labelled KISA dev split they hold about 80% of the labelled keywords. Runs that one space parts are joined too (`한도 조회`),
and spellings scattered to dodge filters (`수.익`, `레 이 스 벳`), which Kiwi reads as loose
syllables, are candidates of their own (on five folds of the train split: 0.598 -> 0.605). A gradient-boosted
model (LightGBM, saved as text) then scores each candidate from

* the encoder: mean and lowest keyword probability of the tokens it covers, the probability that
  its first token opens a keyword, the keyword probability of the tokens just outside it, the
  highest opening probability inside it;
* its form: morphemes, characters, whether it is a whole run or starts/ends one, Latin letters,
  digits, a generic word (the noun baseline's stop list), brackets around it, position, the
  message's length, how often it occurs in the message, its first and last morpheme tags,
  whether it joins two runs across a space, and what touches it (a particle or copula after it,
  a number before it);
* a prior: how often the same plain form was a keyword when it was a candidate in the labelled
  training messages (smoothed; each message's own labels left out while training), and what a
  character n-gram model of keyword forms (`keyword_forms`) says of it, which carries the prior
  to forms the labels never showed (out-of-fold while training).

Keywords are the best-scoring candidates from ``threshold`` on, never overlapping. The threshold is
chosen on the dev split. Everything is saved beside the encoder (`RANKER_MODEL`, `RANKER_FILE`).
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from electra_rtd.baselines.kiwi_nouns import DEFAULT_STOP_NOUNS
from electra_rtd.data.labelled import LabelledMessage
from electra_rtd.tagging.keyword_forms import FormModel, fit_form_model, out_of_fold_rates
from electra_rtd.text.keyword_norm import plain_keyword, shared_kiwi
from electra_rtd.text.spans import normalise_keyword

if TYPE_CHECKING:
    from electra_rtd.tagging.extractor import KeywordTagger, TokenScores

log = logging.getLogger(__name__)

RANKER_MODEL = "ranker.txt"  # the LightGBM booster, in LightGBM's own text format
RANKER_FILE = "ranker.json"  # threshold, prior and settings
# Morpheme tags a candidate is made of (kiwipiepy's Sejong tags by prefix).
NOUN_LIKE = ("NN", "NR", "NP", "SL", "SH", "SN", "XPN", "XSN", "XR")
EDGE_TAGS = ("NNG", "NNP", "NNB", "NR", "NP", "SL", "SH", "SN", "XPN", "XSN", "XR")
OPENING = "[(<【「"
CLOSING = "])>】」"
_STOP = frozenset(normalise_keyword(noun) for noun in DEFAULT_STOP_NOUNS)
# Letters parted by one separator each, the same throughout (`수.익`, `해.외.선물`, `카-지-노`); a
# run parted by spaces needs three single letters, since `할 수` is prose.
_LETTER = "가-힣ㄱ-ㅎㅏ-ㅣA-Za-z"
_SEPARATOR = r"[ .\-_,/*·~]"
_SCATTERED = re.compile(
    rf"(?<![{_LETTER}0-9])[{_LETTER}]{{1,2}}(?P<separator>{_SEPARATOR})[{_LETTER}]"
    rf"(?:(?P=separator)[{_LETTER}])*(?:(?P=separator)?[{_LETTER}])?(?![{_LETTER}0-9])"
)
SCATTERED_TAG = "SCATTERED"  # the tag of a scattered spelling's candidate, which Kiwi did not read


class Candidate(NamedTuple):
    """A span of noun-like morphemes, where it sits in its run, and what touches it."""

    start: int
    end: int
    morphemes: int
    whole_run: bool
    starts_run: bool
    ends_run: bool
    first_tag: str
    last_tag: str
    spaced: bool  # two runs joined across one space ("한도 조회", "올레드 TV")
    previous_tag: str  # the tag of the morpheme just before, "" if none touches
    next_tag: str  # the tag of the morpheme just after, "" if none touches


def compound_candidates(texts: Sequence[str], max_tokens: int = 3) -> list[list[Candidate]]:
    """Every run of touching noun-like morphemes and its sub-runs of up to ``max_tokens``, and
    the pairs of a run's end and the next run's start when one space parts them (written
    compounds are often spaced: on the labelled train split a fifth of the keywords are)."""
    found = []
    for text, analysis in zip(texts, shared_kiwi().tokenize(list(texts)), strict=True):
        runs: list[list] = []
        for token in analysis:
            if not token.tag.startswith(NOUN_LIKE) or token.len == 0:
                continue
            if runs and runs[-1][-1].end == token.start:
                runs[-1].append(token)
            else:
                runs.append([token])
        before = {token.end: token.tag for token in analysis}
        after = {token.start: token.tag for token in analysis}
        candidates = []
        for run in runs:
            for i in range(len(run)):
                for j in range(i, min(len(run), i + max_tokens)):
                    candidates.append(_candidate(run[i : j + 1], run, run, False, before, after))
        for left, right in pairwise(runs):
            if right[0].start != left[-1].end + 1 or text[left[-1].end] != " ":
                continue
            for i in range(max(0, len(left) - max_tokens + 1), len(left)):
                for j in range(min(len(right), max_tokens - (len(left) - i) + 1)):
                    morphemes = left[i:] + right[: j + 1]
                    candidates.append(_candidate(morphemes, left, right, True, before, after))
        candidates += scattered_candidates(text, {(c.start, c.end) for c in candidates})
        found.append(candidates)
    return found


def scattered_candidates(text: str, taken: set[tuple[int, int]]) -> list[Candidate]:
    """Spellings scattered over separators (`수.익`, `레 이 스 벳`), but not the spans in ``taken``."""
    found = []
    for match in _SCATTERED.finditer(text):
        separators = re.findall(_SEPARATOR, match.group())
        pieces = re.split(_SEPARATOR, match.group())
        if set(separators) == {" "} and (len(pieces) < 3 or max(map(len, pieces)) > 1):
            continue
        if match.span() in taken:
            continue
        tag = SCATTERED_TAG
        found.append(
            Candidate(*match.span(), len(pieces), True, True, True, tag, tag, False, "", "")
        )
    return found


def _candidate(
    morphemes: list,
    first_run: list,
    last_run: list,
    spaced: bool,
    tag_ending_at: dict[int, str],
    tag_starting_at: dict[int, str],
) -> Candidate:
    first, last = morphemes[0], morphemes[-1]
    starts_run, ends_run = first is first_run[0], last is last_run[-1]
    return Candidate(
        first.start,
        last.end,
        len(morphemes),
        starts_run and ends_run,
        starts_run,
        ends_run,
        first.tag,
        last.tag,
        spaced,
        tag_ending_at.get(first.start, ""),
        tag_starting_at.get(last.end, ""),
    )


def encoder_features(scores: TokenScores, start: int, end: int) -> list[float]:
    """What the encoder says of the tokens a candidate covers and of those beside it."""
    covered = [i for i, (a, b) in enumerate(scores.offsets) if a < end and start < b]
    if not covered:
        return [0.0] * 6
    inside = [scores.keyword_probabilities[i] for i in covered]
    first, last = covered[0], covered[-1]
    before = scores.keyword_probabilities[first - 1] if first > 0 else 0.0
    after = scores.keyword_probabilities[last + 1] if last + 1 < len(scores.offsets) else 0.0
    reopened = max((scores.begin_probabilities[i] for i in covered[1:]), default=0.0)
    return [
        sum(inside) / len(inside),
        min(inside),
        scores.begin_probabilities[first],
        before,
        after,
        reopened,
    ]


@dataclass
class CandidateRanker:
    """The fitted candidate scorer, its threshold and the keyword prior of the training labels."""

    booster: object  # lightgbm.Booster
    threshold: float
    prior: dict[str, tuple[int, int]]  # plain form -> (times a keyword, times a candidate)
    form_model: FormModel
    max_tokens: int = 3
    fitted_on: str = ""

    def features(
        self,
        text: str,
        candidates: Sequence[Candidate],
        scores: TokenScores,
        own_labels: set[str] | None = None,
        form_rates: np.ndarray | None = None,
    ) -> np.ndarray:
        """One row per candidate; in training, ``own_labels`` leaves the message out of the prior
        and ``form_rates`` are the form model's out-of-fold rates of its candidates."""
        forms = [plain_keyword(text[c.start : c.end]) for c in candidates]
        in_message = Counter(forms)
        if form_rates is None:
            form_rates = self.form_model(forms)
        rows = []
        for candidate, form, form_rate in zip(candidates, forms, form_rates, strict=True):
            surface = text[candidate.start : candidate.end]
            positive, seen = self.prior.get(form, (0, 0))
            if own_labels is not None:
                positive, seen = positive - (form in own_labels), seen - 1
            rows.append(
                [
                    *encoder_features(scores, candidate.start, candidate.end),
                    candidate.morphemes,
                    min(len(surface), 10),
                    float(candidate.whole_run),
                    float(candidate.starts_run),
                    float(candidate.ends_run),
                    float(any(c.isascii() and c.isalpha() for c in surface)),
                    float(any(c.isdigit() for c in surface)),
                    float(normalise_keyword(surface) in _STOP),
                    float(candidate.start > 0 and text[candidate.start - 1] in OPENING),
                    float(candidate.end < len(text) and text[candidate.end] in CLOSING),
                    candidate.start / max(len(text), 1),
                    math.log1p(len(text)),
                    in_message[form],
                    (positive + 0.5) / (seen + 1.5) if seen > 0 else -1.0,
                    math.log1p(max(seen, 0)),
                    form_rate,
                    *(float(candidate.first_tag == tag) for tag in EDGE_TAGS),
                    *(float(candidate.last_tag == tag) for tag in EDGE_TAGS),
                    float(candidate.spaced),
                    float(candidate.next_tag.startswith("J")),
                    float(candidate.next_tag.startswith(("VCP", "XSV", "XSA"))),
                    float(candidate.previous_tag == "SN"),
                    float(candidate.first_tag == SCATTERED_TAG),
                ]
            )
        return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        if not len(rows):
            return np.zeros(0)
        return np.asarray(self.booster.predict(rows), dtype=np.float64)

    def save(self, model_dir: str | Path) -> None:
        model_dir = Path(model_dir)
        self.booster.save_model(str(model_dir / RANKER_MODEL))
        settings = {
            "threshold": self.threshold,
            "max_tokens": self.max_tokens,
            "fitted_on": self.fitted_on,
            "features": FEATURES,
            "prior": {form: list(counts) for form, counts in sorted(self.prior.items())},
            "form_model": self.form_model.to_dict(),
        }
        (model_dir / RANKER_FILE).write_text(
            json.dumps(settings, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )

    @classmethod
    def load(cls, model_dir: str | Path) -> CandidateRanker | None:
        """The ranker saved beside an encoder, or None when the folder has none."""
        model_dir = Path(model_dir)
        if not (model_dir / RANKER_FILE).is_file():
            return None
        import lightgbm

        settings = json.loads((model_dir / RANKER_FILE).read_text(encoding="utf-8"))
        if settings["features"] != FEATURES:
            raise ValueError(
                f"{model_dir / RANKER_FILE} was fitted on other features than this version "
                "computes: fit the ranker again"
            )
        return cls(
            booster=lightgbm.Booster(model_file=str(model_dir / RANKER_MODEL)),
            threshold=float(settings["threshold"]),
            prior={form: (int(a), int(b)) for form, (a, b) in settings["prior"].items()},
            form_model=FormModel.from_dict(settings["form_model"]),
            max_tokens=int(settings["max_tokens"]),
            fitted_on=settings.get("fitted_on", ""),
        )


FEATURES = [
    "mean_keyword_probability",
    "min_keyword_probability",
    "begin_probability",
    "keyword_probability_before",
    "keyword_probability_after",
    "inner_begin_probability",
    "morphemes",
    "characters",
    "whole_run",
    "starts_run",
    "ends_run",
    "latin",
    "digit",
    "generic_word",
    "opening_bracket_before",
    "closing_bracket_after",
    "relative_position",
    "log_message_length",
    "times_in_message",
    "prior_keyword_rate",
    "log_prior_candidates",
    "form_model_rate",
    *(f"first_tag_{tag}" for tag in EDGE_TAGS),
    *(f"last_tag_{tag}" for tag in EDGE_TAGS),
    "spaced",
    "particle_after",
    "copula_or_verb_suffix_after",
    "number_before",
    "scattered",
]


def keyword_prior(
    forms: Sequence[Sequence[str]], keywords: Sequence[set[str]]
) -> dict[str, tuple[int, int]]:
    """Per plain form: in how many messages it was a keyword, in how many a candidate
    (``forms``: the plain forms of each message's candidates; ``keywords``: of its labels)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for its_forms, its_keywords in zip(forms, keywords, strict=True):
        for form in set(its_forms):
            counts[form][1] += 1
            counts[form][0] += form in its_keywords
    return {form: (positive, seen) for form, (positive, seen) in counts.items()}


def select(
    candidates: Sequence[Candidate], probabilities: np.ndarray, threshold: float
) -> list[tuple[Candidate, float]]:
    """The best candidates from ``threshold`` on, never overlapping, in text order."""
    taken: list[tuple[Candidate, float]] = []
    for index in np.argsort(-probabilities, kind="stable"):
        if probabilities[index] < threshold:
            break
        candidate = candidates[index]
        if any(c.start < candidate.end and candidate.start < c.end for c, _ in taken):
            continue
        taken.append((candidate, float(probabilities[index])))
    return sorted(taken)


def fit_ranker(
    tagger: KeywordTagger,
    train: Sequence[LabelledMessage],
    dev: Sequence[LabelledMessage],
    max_tokens: int = 3,
    seed: int = 0,
    train_scores: Sequence[TokenScores] | None = None,
) -> CandidateRanker:
    """Fit the candidate scorer on ``train`` with ``tagger``'s token scores; the threshold is the
    one with the best keyword-set F1 (plain forms) on ``dev``. ``train_scores``: the training
    messages' token scores from elsewhere, e.g. from taggers that never saw their labels."""
    import lightgbm

    from electra_rtd.metrics import score_keywords
    from electra_rtd.text.spans import Span

    train_candidates = compound_candidates([m.text for m in train], max_tokens)
    # Plain forms once: the prior, the form model's folds and the labels all read them.
    forms = [
        [plain_keyword(m.text[c.start : c.end]) for c in candidates]
        for m, candidates in zip(train, train_candidates, strict=True)
    ]
    keywords = [{plain_keyword(surface) for surface in m.keywords} for m in train]
    prior = keyword_prior(forms, keywords)
    ranker = CandidateRanker(None, 0.5, prior, fit_form_model(prior), max_tokens)
    form_rates = out_of_fold_rates(
        forms,
        lambda kept: keyword_prior([forms[i] for i in kept], [keywords[i] for i in kept]),
        seed=seed,
    )
    rows, labels = [], []
    if train_scores is None:
        train_scores = tagger.token_scores([m.text for m in train])
    for message, candidates, scores, rates, its_forms, its_keywords in zip(
        train, train_candidates, train_scores, form_rates, forms, keywords, strict=True
    ):
        rows.append(ranker.features(message.text, candidates, scores, its_keywords, rates))
        labels += [form in its_keywords for form in its_forms]
    model = lightgbm.LGBMClassifier(
        n_estimators=300,
        learning_rate=0.05,
        num_leaves=31,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        random_state=seed,
        n_jobs=2,
        verbose=-1,
    )
    model.fit(np.concatenate(rows), np.asarray(labels))
    ranker.booster = model.booster_

    texts = [m.text for m in dev]
    dev_candidates = compound_candidates(texts, max_tokens)
    dev_probabilities = [
        ranker.probabilities(ranker.features(text, candidates, scores))
        for text, candidates, scores in zip(
            texts, dev_candidates, tagger.token_scores(texts), strict=True
        )
    ]
    gold = [list(m.spans) for m in dev]

    def dev_f1(threshold: float) -> float:
        predicted = [
            [Span(c.start, c.end, "KW") for c, _ in select(candidates, probabilities, threshold)]
            for candidates, probabilities in zip(dev_candidates, dev_probabilities, strict=True)
        ]
        return score_keywords(predicted, gold, texts, plain_keyword)["kwset_f1"]

    f1, ranker.threshold = max((dev_f1(t), float(t)) for t in np.arange(0.05, 0.71, 0.05))
    ranker.fitted_on = (
        f"{len(train)} training messages ({len(labels)} candidates); threshold "
        f"{ranker.threshold:.2f} chose on {len(dev)} dev messages (keyword-set F1 {f1:.3f})"
    )
    log.info("candidate ranker: %s", ranker.fitted_on)
    return ranker
