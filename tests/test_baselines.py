"""Unsupervised keyword baselines: hand-made Korean messages whose nouns can be worked out by hand."""

from __future__ import annotations

import pytest
from kiwipiepy import Kiwi

from electra_rtd.baselines import KiwiNounExtractor, TfidfTopK, evaluate_baselines
from electra_rtd.data.synthetic import generate_messages
from electra_rtd.metrics import score_keywords
from electra_rtd.text.spans import Span


@pytest.fixture(scope="module")
def kiwi() -> Kiwi:
    """One analyser for the whole file: loading and first use take about two seconds."""
    return Kiwi()


@pytest.fixture(scope="module")
def nouns(kiwi: Kiwi) -> KiwiNounExtractor:
    return KiwiNounExtractor(kiwi)


def surfaces(text: str, spans: list[Span]) -> list[str]:
    return [text[span.start : span.end] for span in spans]


def test_particles_verbs_and_stop_nouns_are_not_keywords(nouns: KiwiNounExtractor) -> None:
    # 가 is a particle, 했습니다 a verb ending; 도착 is a noun but a generic process stop noun.
    [spans] = nouns.extract(["택배가 도착했습니다"])
    assert spans == [Span(0, 2, "KW")]


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("😊  KT  택배가   왔어요 🎁", ["KT", "택배"]),
        # a family emoji is five code points (three people joined by two zero-width joiners)
        ("👨\u200d👩\u200d👧 엄마  홍삼   택배 왔어? ❤️", ["엄마", "홍삼", "택배"]),
        ("Netflix 구독료 결제", ["Netflix", "구독료", "결제"]),
        ("株式 투자", ["株式", "투자"]),
    ],
)
def test_offsets_point_into_the_original_text(
    nouns: KiwiNounExtractor, text: str, keywords: list[str]
) -> None:
    [spans] = nouns.extract([text])
    assert surfaces(text, spans) == keywords
    # each keyword occurs once, so its offsets are where str.index finds it
    assert [span.start for span in spans] == [text.index(word) for word in keywords]
    assert {span.label for span in spans} == {"KW"}


def test_touching_nouns_merge_into_one_compound(kiwi: Kiwi) -> None:
    text = "대포통장 신고 KT엠모바일"
    merged = KiwiNounExtractor(kiwi).extract([text])[0]
    separate = KiwiNounExtractor(kiwi, merge_compounds=False).extract([text])[0]
    assert surfaces(text, merged) == ["대포통장", "신고", "KT엠모바일"]
    assert surfaces(text, separate) == ["대포", "통장", "신고", "KT", "엠모바일"]


def test_stop_nouns_split_compounds(kiwi: Kiwi) -> None:
    # 조회 (look-up) and 부탁 (request) are stop nouns; the topic noun 배송 is what remains.
    text = "배송조회 부탁드립니다"
    assert surfaces(text, KiwiNounExtractor(kiwi).extract([text])[0]) == ["배송"]
    no_stops = KiwiNounExtractor(kiwi, stop_nouns=()).extract([text])[0]
    assert surfaces(text, no_stops) == ["배송조회", "부탁"]


def test_latin_pieces_of_web_addresses_are_dropped(nouns: KiwiNounExtractor) -> None:
    texts = ["쿠폰 받기 orl.kr/0xvKVvP", "쿠폰 받기 https://bit.ly/Jpgpx4"]
    for text, spans in zip(texts, nouns.extract(texts), strict=True):
        assert surfaces(text, spans) == ["쿠폰"], text


def test_minimum_length_drops_one_syllable_nouns(kiwi: Kiwi) -> None:
    text = "차 수리 예약"  # 차 (car) is a one-syllable noun
    assert surfaces(text, KiwiNounExtractor(kiwi).extract([text])[0]) == ["수리", "예약"]
    with_short = KiwiNounExtractor(kiwi, min_length=1).extract([text])[0]
    assert surfaces(text, with_short) == ["차", "수리", "예약"]
    with pytest.raises(ValueError, match="min_length"):
        KiwiNounExtractor(kiwi, min_length=0)


def test_empty_texts_give_no_spans(nouns: KiwiNounExtractor) -> None:
    assert nouns.extract(["", "   ", "😊"]) == [[], [], []]
    assert nouns.extract([]) == []
    assert nouns.fit(["택배"]) is nouns
    with pytest.raises(TypeError, match="sequence of texts"):
        nouns.extract("택배")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def corpus_with_common_parcel() -> list[str]:
    """택배 (parcel) is in every document, 홍삼 (red ginseng) and 사과 (apple) in none."""
    return ["택배 도착", "택배 반송", "택배 보관", "택배 기사"]


def test_tfidf_prefers_rare_nouns_after_fit(
    nouns: KiwiNounExtractor, corpus_with_common_parcel: list[str]
) -> None:
    text = "택배 홍삼"
    top = TfidfTopK(1, nouns).fit(corpus_with_common_parcel)
    assert surfaces(text, top.extract([text])[0]) == ["홍삼"]
    assert top.idf("홍삼") > top.idf("택배")
    # the same message against a corpus where 홍삼 is the common one
    flipped = TfidfTopK(1, nouns).fit(["홍삼 선물", "홍삼 세트", "홍삼 효능"])
    assert surfaces(text, flipped.extract([text])[0]) == ["택배"]


def test_tfidf_keeps_k_nouns_with_every_occurrence(
    nouns: KiwiNounExtractor, corpus_with_common_parcel: list[str]
) -> None:
    text = "할인 쿠폰 택배 홍삼 사과"
    for k in (1, 2, 3):
        [spans] = TfidfTopK(k, nouns).fit(corpus_with_common_parcel).extract([text])
        assert len(spans) == k
        assert "택배" not in surfaces(text, spans)
    repeated = "홍삼 택배 홍삼"
    [spans] = TfidfTopK(1, nouns).fit(corpus_with_common_parcel).extract([repeated])
    assert spans == [Span(0, 2, "KW"), Span(6, 8, "KW")]


def test_tfidf_breaks_ties_by_first_occurrence(nouns: KiwiNounExtractor) -> None:
    # neither noun is in the fitted corpus, so both score the same
    text = "사과 홍삼"
    [spans] = TfidfTopK(1, nouns).fit(["택배 기사"]).extract([text])
    assert surfaces(text, spans) == ["사과"]


def test_tfidf_rejects_bad_use(nouns: KiwiNounExtractor) -> None:
    for bad_k in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="k must be"):
            TfidfTopK(bad_k, nouns)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="before fit"):
        TfidfTopK(2, nouns).extract(["택배"])
    with pytest.raises(ValueError, match="at least one text"):
        TfidfTopK(2, nouns).fit([])
    assert TfidfTopK(2, nouns).fit(["택배"]).extract(["", "택배"]) == [[], [Span(0, 2, "KW")]]


@pytest.fixture(scope="module")
def synthetic_split() -> tuple[list[str], list[str], list[list[Span]]]:
    messages = generate_messages(120, seed=11)
    train, test = messages[:80], messages[80:]
    gold = [[Span(s.start, s.end, s.label) for s in m.spans] for m in test]
    return [m.text for m in train], [m.text for m in test], gold


def test_kiwi_nouns_find_synthetic_keywords(
    nouns: KiwiNounExtractor, synthetic_split: tuple[list[str], list[str], list[list[Span]]]
) -> None:
    _, texts, gold = synthetic_split
    scores = score_keywords(nouns.extract(texts), gold, texts)
    assert scores["kwset_f1"] > 0.2
    assert scores["partial_recall"] > 0.5


def test_evaluate_baselines_scores_both_with_speed(
    kiwi: Kiwi, synthetic_split: tuple[list[str], list[str], list[list[Span]]]
) -> None:
    train, test, gold = synthetic_split
    results = evaluate_baselines(train, test, gold, top_k=2, kiwi=kiwi)
    assert set(results) == {"kiwi_nouns", "tfidf_top2"}
    for scores in results.values():
        assert 0.0 < scores["kwset_f1"] <= 1.0
        assert scores["n_messages"] == len(test)
        assert scores["messages_per_second"] > 0
    # every TF-IDF pick is one of the Kiwi nouns, so it can only lose recall
    assert results["tfidf_top2"]["kwset_recall"] <= results["kiwi_nouns"]["kwset_recall"]
