"""Silver keyword labels: candidates, scores against a background, obfuscated spellings, slots,
clusters, and the labelled file. Every message below is written by hand for these tests."""

from __future__ import annotations

import math

import pytest

from electra_rtd.corpus_tools.keyword_candidates import GLUED, SPACED, NounToken, candidate_keys
from electra_rtd.corpus_tools.keyword_scoring import TermCounts, score_terms
from electra_rtd.corpus_tools.silver import SilverConfig, SilverLabeller, silver_label_file
from electra_rtd.data.labelled import read_labelled

CODES = ["4821", "7315", "2290", "6604"]
PHONES = ["010-1234-5678", "010-8765-4321", "010-2468-1357", "010-1357-2468"]
LINKS = ["bit.ly/Ab12Cd", "vo.la/XyZ9", "han.gl/QwEr", "me2.do/ZxCv"]
SPAM_TEMPLATES = [
    "[Web발신](광고) 비트코인 리딩방 무료 입장 코드 {code} 문의 {phone}",
    "비II트코인 단타 리딩방 오픈! 수익 보장 {link}",
    "b.t.c 급등 종목 추천 리딩방 입장 {link}",
    "코ll인 리딩방 코인 정보 공유 김민수 팀장 {phone}",
    "코인 상승 종목 리딩방 문의 김민수 팀장",
]
CORPUS = [
    template.format(code=code, phone=phone, link=link)
    for template in SPAM_TEMPLATES
    for code, phone, link in zip(CODES, PHONES, LINKS, strict=True)
] + ["친구랑 영화 보러 가자", "영화 친구 다 같이 보자", "친구 생일 선물 샀어"]
BACKGROUND = [
    "친구랑 영화 봤는데 재밌었어",
    "이 영화 친구가 추천해 줬어",
    "영화관에서 친구 만났어",
    "친구 결혼식 가야 해",
    "영화 너무 길어서 졸았다",
    "친구가 영화 표 예매했대",
    "주말에 친구랑 밥 먹자",
    "배우 연기가 좋았던 영화",
    "비 오는 날엔 집에 있고 싶다",
    "엄마가 김치찌개 끓여 주셨어",
    "회사 끝나고 운동 가려고",
    "강아지 산책 다녀왔어",
]


@pytest.fixture(scope="module")
def background() -> TermCounts:
    return SilverLabeller().background_counts(BACKGROUND)


@pytest.fixture(scope="module")
def fitted(background: TermCounts) -> tuple[SilverLabeller, list]:
    labeller = SilverLabeller()
    return labeller, labeller.fit_label(CORPUS, background)


def keywords_of(vocabulary: list) -> list[str]:
    return [term.keyword for term in vocabulary]


def message_with(messages: list, start: str):
    return next(message for message in messages if message.text.startswith(start))


def test_candidates_are_runs_of_attached_nouns() -> None:
    # "CJ대한통운 택배 배송": CJ + 대한통운 touch, 택배 follows a space, 배송 starts a new run.
    nouns = (
        NounToken("cj", 0, 2, None),
        NounToken("대한통운", 2, 6, GLUED),
        NounToken("택배", 7, 9, SPACED),
        NounToken("배송", 10, 12, None),
    )
    assert candidate_keys(nouns, max_tokens=3, min_chars=2) == {
        "cj",
        "대한통운",
        "cj대한통운",
        "택배",
        "대한통운 택배",
        "cj대한통운 택배",
        "배송",
    }
    assert candidate_keys(nouns, max_tokens=1, min_chars=3) == {"대한통운"}


def test_score_is_the_rate_times_its_log_ratio_to_the_background() -> None:
    coin = (NounToken("코인", 0, 2, None),)
    movie = (NounToken("영화", 0, 2, None),)
    corpus = [coin, coin, movie, ()]
    background = TermCounts({"영화": 8}, n_documents=9)
    scored = score_terms(corpus, background, max_tokens=1, min_chars=2, min_count=1, smoothing=1.0)
    # 코인: in 2 of 4 messages, background (0 + 1) / (9 + 1). 영화: 1/4 against 9/10 is negative.
    assert [term.keyword for term in scored] == ["코인"]
    assert scored[0].score == pytest.approx(0.5 * math.log(0.5 / 0.1))
    assert (scored[0].count, scored[0].background_count) == (2, 0)


def test_corpus_terms_are_chosen_and_background_terms_are_not(fitted) -> None:
    labeller, _ = fitted
    vocabulary = keywords_of(labeller.vocabulary)
    assert {"리딩방", "비트코인", "btc", "코인", "종목"} <= set(vocabulary)
    # Frequent in the corpus too, but more frequent in ordinary chat.
    assert "친구" not in vocabulary
    assert "영화" not in vocabulary
    scores = [term.score for term in labeller.vocabulary]
    assert scores == sorted(scores, reverse=True)


def test_obfuscated_spellings_are_labelled_where_they_stand(fitted) -> None:
    _, messages = fitted
    assert "비II트코인" in message_with(messages, "비II트코인").keywords
    assert "b.t.c" in message_with(messages, "b.t.c").keywords
    assert "코ll인" in message_with(messages, "코ll인").keywords


def test_every_occurrence_is_labelled(fitted) -> None:
    _, messages = fitted
    keywords = message_with(messages, "코ll인").keywords
    assert keywords[:3] == ["코ll인", "리딩방", "코인"]


def test_slots_and_boilerplate_are_never_keywords(fitted, background) -> None:
    labeller, messages = fitted
    vocabulary = keywords_of(labeller.vocabulary)
    assert not {"김민수", "web", "발신", "광고", "무료"} & set(vocabulary)
    first = message_with(messages, "[Web발신]")
    assert all(span.start >= len("[Web발신](광고) ") for span in first.spans)
    # The name is kept out by the slot rule alone: without it, it is a keyword like any other.
    unmasked = SilverLabeller(SilverConfig(excluded_slots=())).fit(CORPUS, background)
    assert "김민수" in keywords_of(unmasked.vocabulary)


def test_scores_travel_with_the_spans(fitted) -> None:
    labeller, messages = fitted
    scores = {term.keyword: term.score for term in labeller.vocabulary}
    for message in messages:
        assert message.source == "silver"
        keywords = message.meta["silver_keywords"]
        assert len(keywords) == len(message.spans)
        assert message.meta["silver_scores"] == pytest.approx(
            [scores[k] for k in keywords], abs=1e-6
        )


def test_clusters_weigh_a_repeated_campaign_once(background) -> None:
    campaign = [f"블루벳 카지노 이벤트 {link}" for link in LINKS * 5]
    varied = [
        "리딩방 종목 추천",
        "리딩방 무료 체험",
        "해외 선물 리딩방 모집",
        "리딩방 단타 정보",
        "리딩방 수익 인증",
    ]
    texts = campaign + varied
    config = SilverConfig(min_count=2)

    def rank(cluster_ids: list[int] | None) -> list[str]:
        vocabulary = SilverLabeller(config).fit(texts, background, cluster_ids).vocabulary
        return [word for word in keywords_of(vocabulary) if word in ("블루벳", "리딩방")]

    # Per message, the campaign's 20 copies outnumber the 5 리딩방 messages ...
    assert rank(None) == ["블루벳", "리딩방"]
    # ... but as one cluster against five, it is the rarer term.
    clusters = [0] * len(campaign) + list(range(1, len(varied) + 1))
    assert rank(clusters) == ["리딩방", "블루벳"]


def test_a_fitted_vocabulary_labels_new_messages(fitted) -> None:
    labeller, _ = fitted
    [message] = labeller.label(["오늘 비II트코인 리딩방 모임 있어요"])
    assert message.keywords == ["비II트코인", "리딩방"]


def test_nothing_distinctive_gives_an_empty_vocabulary_not_an_error(background) -> None:
    labeller = SilverLabeller(SilverConfig(min_count=1))
    messages = labeller.fit_label(BACKGROUND, background)
    assert labeller.vocabulary == []
    assert [message.spans for message in messages] == [()] * len(BACKGROUND)


def test_top_n_bounds_the_vocabulary(background) -> None:
    labeller = SilverLabeller(SilverConfig(top_n=2))
    messages = labeller.fit_label(CORPUS, background)
    assert len(labeller.vocabulary) == 2
    chosen = set(keywords_of(labeller.vocabulary))
    assert all(set(message.meta["silver_keywords"]) <= chosen for message in messages)


def test_no_top_n_keeps_every_term_that_scores_above_zero(background) -> None:
    capped = SilverLabeller(SilverConfig(top_n=2)).fit(CORPUS, background)
    uncapped = SilverLabeller(SilverConfig(top_n=None)).fit(CORPUS, background)
    assert uncapped.vocabulary[:2] == capped.vocabulary
    assert len(uncapped.vocabulary) > 2
    assert all(term.score > 0 for term in uncapped.vocabulary)


def test_worker_processes_give_the_same_labels(fitted, background) -> None:
    labeller, messages = fitted
    parallel = SilverLabeller(SilverConfig(workers=2, chunk_size=5))
    assert parallel.fit_label(CORPUS, background) == messages
    assert parallel.vocabulary == labeller.vocabulary


def test_labelled_file_round_trips(tmp_path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(CORPUS) + "\n", encoding="utf-8")
    background = tmp_path / "background.txt"
    background.write_text("\n".join(BACKGROUND) + "\n", encoding="utf-8")
    output = tmp_path / "silver.jsonl"
    vocabulary = silver_label_file(corpus, background, output)
    messages = read_labelled(output)
    assert [message.text for message in messages] == CORPUS
    assert {message.source for message in messages} == {"silver"}
    assert "리딩방" in keywords_of(vocabulary)
    assert "비II트코인" in message_with(messages, "비II트코인").keywords


def test_bad_input_is_reported_clearly(background) -> None:
    labeller = SilverLabeller()
    with pytest.raises(RuntimeError, match="call fit"):
        labeller.label(["비트코인 리딩방"])
    with pytest.raises(ValueError, match="corpus message 1 is blank"):
        labeller.fit(["비트코인 리딩방", "  "], background)
    with pytest.raises(ValueError, match="one cluster id per message"):
        labeller.fit(CORPUS, background, cluster_ids=[0, 1])
    with pytest.raises(TypeError, match="not one str"):
        labeller.fit("비트코인 리딩방", background)
    with pytest.raises(ValueError, match="unknown slot kinds \\['PASSPORT'\\]"):
        SilverConfig(excluded_slots=("PHONE", "PASSPORT"))
    with pytest.raises(ValueError, match="top_n must be at least 1"):
        SilverConfig(top_n=0)
