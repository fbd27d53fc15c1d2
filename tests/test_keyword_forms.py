"""The character n-gram model of keyword forms: it generalises to unseen forms, survives its
JSON round trip, and gives training messages rates from models that never saw their labels."""

from __future__ import annotations

import json

import numpy as np
import pytest

from electra_rtd.tagging.keyword_forms import FormModel, fit_form_model, out_of_fold_rates

COUNTS = {
    "키움증권": (9, 10),
    "삼성증권": (8, 10),
    "대신증권": (9, 9),
    "레이스벳": (5, 5),
    "원벳": (4, 5),
    "안내": (0, 40),
    "확인": (1, 50),
    "고객": (0, 30),
    "문의": (0, 20),
}


def test_unseen_forms_take_the_rate_of_forms_that_look_like_them() -> None:
    model = fit_form_model(COUNTS)
    firm, bet, notice, unrelated = model(["하나증권", "럭키벳", "안내문", "사과"])
    assert firm > 0.5
    assert bet > unrelated > notice
    assert notice < 0.1


def test_the_json_round_trip_gives_the_same_rates() -> None:
    model = fit_form_model(COUNTS)
    again = FormModel.from_dict(json.loads(json.dumps(model.to_dict())))
    forms = ["하나증권", "확인", "", "ㅋㅈ노"]
    assert np.allclose(model(forms), again(forms), atol=1e-4)
    assert model([""])[0] == pytest.approx(1 / (1 + np.exp(-model.intercept)))


def test_matches_scikit_learns_own_prediction_on_its_training_forms() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    forms = list(COUNTS)
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), use_idf=False)
    x = vectoriser.fit_transform(forms + forms)
    weight = np.r_[[p for p, _ in COUNTS.values()], [s - p for p, s in COUNTS.values()]]
    y = np.r_[np.ones(len(forms)), np.zeros(len(forms))]
    keep = weight > 0
    reference = LogisticRegression(max_iter=300).fit(x[keep], y[keep], sample_weight=weight[keep])
    expected = reference.predict_proba(vectoriser.transform(forms))[:, 1]
    assert np.allclose(fit_form_model(COUNTS)(forms), expected, atol=1e-6)


def test_out_of_fold_rates_never_use_the_messages_own_labels() -> None:
    # Ten messages; "비트" is a keyword only in message 0 and a plain candidate nowhere else.
    forms = [["비트", "안내"]] + [["안내", f"증권{i}"] for i in range(9)]
    keywords = [{"비트"}] + [{f"증권{i}"} for i in range(9)]

    def counts_of(kept: list[int]) -> dict[str, tuple[int, int]]:
        counts: dict[str, list[int]] = {}
        for i in kept:
            for form in forms[i]:
                entry = counts.setdefault(form, [0, 0])
                entry[0] += form in keywords[i]
                entry[1] += 1
        return {form: (a, b) for form, (a, b) in counts.items()}

    rates = out_of_fold_rates(forms, counts_of, folds=5, seed=0)
    with_own_labels = fit_form_model(counts_of(list(range(10))))
    assert [len(r) for r in rates] == [len(f) for f in forms]
    assert rates[0][0] < with_own_labels(["비트"])[0]
    with pytest.raises(ValueError, match="cannot make 5 folds"):
        out_of_fold_rates(forms[:3], counts_of, folds=5)


def test_labels_without_a_keyword_are_refused() -> None:
    with pytest.raises(ValueError, match="both keywords and other candidates"):
        fit_form_model({"안내": (0, 3), "확인": (0, 2)})
