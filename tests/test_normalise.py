"""Message normalisation: every rule, what must stay unchanged, offset mapping, idempotence, config."""

from __future__ import annotations

import re
import unicodedata

import pytest
from omegaconf import OmegaConf

from conftest import requires_shared_data, sample_kisa_messages
from electra_rtd.text.normalise import NormaliseConfig, normalise, normalise_many
from electra_rtd.text.text_offsets import NormalisedText, align, sub_mapped

# Hand-written messages in the style of Korean spam and chat; none is taken from a real dump.
SPAM_LIKE = [
    "[Web발신](광고)B.T.C 실시간 분석!!!! 입장코드 : 4821 https://vo.la/Ab12Cd 무료거부 0801234567 SMS/-",
    "MMS 스팸신고[Web발신](광고) 비II트 코ll인 선.착.순 모집 ★★★ 수.익 보장 MMS/제목없음",
    "(광고)C0lN 거래 3oo만원 시작 카~지~노 첫충 20% han.gl/XyZ9 무료수신거부 080-123-4567",
    "ＢＴＣ 긴 급 공 지 코 인 리딩방 입장번호 : 7 3 1 5 ㈜코인나라… 010-9876-5432",
    "[국제발신]해.외.선.물 E V E N T 진행중 b/t/c 관망OK bit.ly/q1W2e3 SMS/-",
]
ORDINARY = [
    "오늘 3시에 만나",
    "좀 더 알 수 있을까?",
    "물 한 잔 하고 갈래?",
    "할 수 있다! 한 번 더 해보자",
    "감사합니다.이번 주에 뵙겠습니다",
    "영업시간 (토,일,공휴일 휴무)",
    "A/S 문의는 I'm sorry T_T",
    "B1A4 콘서트 생명과학II를 듣고",
    "앞(으)로 (주)국민 지점",
    "노출.장난 아니다 만 남은 시간",
    "연락처 010-1234-5678 금액 1,000원 날짜 2022.12.01 잔액 50만원",
    "ㅋㅋㅋ 진짜 웃기다 ㅠㅠ ㅡㅡ",
    "1 2 3 4편 다 봤다",
]


def text_of(message: str, **config) -> str:
    return normalise(message, NormaliseConfig(**config)).text


# --- unicode --------------------------------------------------------------------------------


def test_nfkc_folds_full_width_and_circled_characters():
    assert text_of("ＢＴＣ ①②③ ％") == "BTC 123 %"


def test_compatibility_jamo_survive_nfkc():
    # Plain NFKC would turn these into conjoining jamo that no vocabulary holds.
    assert text_of("ㅋㅋㅋ ㅠㅠ ㄱㅏ") == "ㅋㅋㅋ ㅠㅠ ㄱㅏ"


def test_invisible_characters_are_removed_and_filler_blanks_become_spaces():
    assert text_of("무\u200b료 상\u00ad담") == "무료 상담"
    assert text_of("안녕\u3164하세요") == "안녕 하세요"
    kept = text_of("무\u200b료", remove_invisible=False, deobfuscate_hangul=False)
    assert kept == "무\u200b료"


def test_decomposed_hangul_is_composed_and_maps_back_to_both_jamo():
    source = "\u1100\u1161나"  # 가 written as two conjoining jamo
    result = normalise(source)
    assert result.text == "가나"
    assert result.to_original_span(0, 1) == (0, 2)
    assert result.original(0, 2) == source


def test_expansions_map_every_output_character_to_the_same_source_character():
    result = normalise("㈜코인")
    assert result.text == "(주)코인"
    assert result.offsets[:3] == [0, 0, 0]
    assert result.to_original_span(0, 3) == (0, 1)


# --- whitespace and symbols -------------------------------------------------------------------


def test_whitespace_is_collapsed_and_stripped():
    assert text_of("  안녕\t\n하세요   반가워요 ") == "안녕 하세요 반가워요"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("대박!!!!!!", "대박!"),
        ("★★★ 이벤트 ★★★", "★ 이벤트 ★"),
        ("그런데.....", "그런데..."),
        ("그런데..", "그런데.."),
        ("좋아요^^ 최고^^^^", "좋아요^^ 최고^^"),
        ("제목ㅡㅡㅡㅡㅡㅡ본문 ㅡㅡ", "제목ㅡ본문 ㅡㅡ"),
        ("구분____선", "구분_선"),
    ],
)
def test_repeated_symbols_are_squashed(message, expected):
    assert text_of(message) == expected


def test_links_keep_their_repeated_symbols():
    assert text_of("open.kakao.com///o//gAb3 입장!!!") == "open.kakao.com///o//gAb3 입장!"


# --- boilerplate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("[Web발신](광고)주식 정보", "주식 정보"),
        ("[Web발신]광고)주식 정보", "주식 정보"),
        ("[광고] 할인 행사", "할인 행사"),
        ("[국제발신]이벤트 당첨", "이벤트 당첨"),
        ("상담 환영 무료거부0801234567", "상담 환영"),
        ("상담 환영 무료 수신거부: 080-123-4567 끝", "상담 환영 끝"),
        ("상담 환영 [무료수신거부]", "상담 환영"),
        ("택배 도착 안내 SMS/-", "택배 도착 안내"),
        ("MMS 스팸신고[Web발신]본문입니다 MMS/[제목없음]", "본문입니다"),
        ("0000(광고)본문입니다 SMS/-", "본문입니다"),
        ("음성 스팸신고 VoiceCall/-", ""),
    ],
)
def test_boilerplate_is_removed(message, expected):
    assert text_of(message) == expected


def test_mms_title_is_kept_on_request_but_placeholder_titles_are_not():
    assert text_of("본문 MMS/주식 정보 안내", keep_mms_title=True) == "본문 주식 정보 안내"
    assert text_of("본문 MMS/제목없음", keep_mms_title=True) == "본문"
    assert text_of("본문 MMS/주식 정보 안내") == "본문"


def test_each_boilerplate_kind_can_be_kept():
    message = "[Web발신](광고)본문 무료거부 0801234567 SMS/-"
    assert text_of(message, strip_carrier_tags=False) == "[Web발신] 본문"
    assert text_of(message, strip_ad_tags=False) == "(광고)본문"
    assert text_of(message, strip_opt_out=False) == "본문 무료거부 0801234567"
    assert text_of(message, strip_report_markers=False) == "본문 SMS/-"


def test_words_about_opting_out_in_a_sentence_stay():
    assert text_of("수신거부 방법을 알려주세요") == "수신거부 방법을 알려주세요"


def test_content_zeros_are_not_taken_for_the_report_prefix():
    assert text_of("0000번 고객님 안녕하세요") == "0000번 고객님 안녕하세요"


# --- de-obfuscation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("b.t.c 거래", "btc 거래"),
        ("B.T.C 거래", "BTC 거래"),
        ("b/t/c 거래", "btc 거래"),
        ("BT.C 거래", "BTC 거래"),
        ("<B><T><C> 거래", "<BTC> 거래"),
        ("B.o.n.u.s 지급", "Bonus 지급"),
        ("E V E N T 진행", "EVENT 진행"),
        ("C0lN 거래", "COIN 거래"),
        ("BlT C01N 거래", "BIT COIN 거래"),
        ("C01N13 차트", "COIN13 차트"),
        ("b1tcoin 시세", "bitcoin 시세"),
        ("3oo만원 지급", "300만원 지급"),
        ("1O0% 환급", "100% 환급"),
    ],
)
def test_latin_and_digit_obfuscation_is_undone(message, expected):
    assert text_of(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("비II트 코ll인 초l대", "비트 코인 초대"),
        ("카~지~노 오픈", "카지노 오픈"),
        ("토.토 사이트", "토토 사이트"),
        ("수.익 보장 주·식 정보", "수익 보장 주식 정보"),
        ("해.외.선.물 계좌", "해외선물 계좌"),
        ("가▒입▒특▒별 행사", "가입특별 행사"),
        ("보장세·력들과 함께", "보장세력들과 함께"),
        ("코 인 투자", "코인 투자"),
        ("긴 급 공 지 입니다", "긴급공지 입니다"),
        ("물 려 계 신 종 목 상담", "물려계신종목 상담"),
        ("해 외~선_물 강의", "해외선물 강의"),
    ],
)
def test_hangul_obfuscation_is_undone(message, expected):
    assert text_of(message) == expected


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_text_is_left_alone(message):
    assert text_of(message) == message


def test_each_deobfuscation_family_can_be_switched_off():
    assert text_of("b.t.c C0lN", deobfuscate_latin=False) == "b.t.c C0lN"
    assert text_of("비II트 카~지~노", deobfuscate_hangul=False) == "비II트 카~지~노"
    assert text_of("긴 급 공 지 코 인", join_spaced_syllables=False) == "긴 급 공 지 코 인"


def test_lexicon_decides_which_split_words_are_joined():
    assert text_of("수.익 보장", lexicon=()) == "수.익 보장"
    assert text_of("사.과 주세요") == "사.과 주세요"
    assert text_of("사.과 주세요", lexicon=("사과",)) == "사과 주세요"


def test_lowercase_is_optional():
    assert text_of("BTC Coin") == "BTC Coin"
    assert text_of("BTC Coin", lowercase=True) == "btc coin"


# --- offsets ----------------------------------------------------------------------------------

LOOKALIKES = {("0", "O"), ("0", "o"), ("1", "I"), ("1", "i"), ("l", "I"), ("o", "0"), ("O", "0")}


def derives_from(char: str, source_char: str) -> bool:
    """The source character, or one character of its NFKC form, possibly as a look-alike."""
    candidates = source_char + unicodedata.normalize("NFKC", source_char)
    return any(char == c or (c, char) in LOOKALIKES for c in candidates)


def check_offsets(result: NormalisedText) -> None:
    assert len(result.offsets) == len(result.text)
    assert result.offsets == sorted(result.offsets)
    for index, char in enumerate(result.text):
        source_char = result.source[result.offsets[index]]
        if char != " ":
            assert derives_from(char, source_char), (result.text, index, char, source_char)


@pytest.mark.parametrize("message", SPAM_LIKE + ORDINARY)
def test_every_character_maps_to_the_source_character_that_produced_it(message):
    check_offsets(normalise(message))


def test_spaces_map_to_source_whitespace_when_no_boilerplate_was_removed():
    result = normalise("코 인   투자\n수.익  보장")
    assert result.text == "코인 투자 수익 보장"
    for index, char in enumerate(result.text):
        if char == " ":
            assert result.source[result.offsets[index]].isspace()


def test_a_space_left_by_removed_boilerplate_maps_into_the_removed_tag():
    result = normalise("입장하기(광고)오늘")
    assert result.text == "입장하기 오늘"
    assert result.source[result.offsets[4]] == "("


def test_normalised_spans_map_back_to_the_obfuscated_original():
    source = "지금 b.t.c 와 코ll인 수.익 확인"
    result = normalise(source)
    for word, original in [("btc", "b.t.c"), ("코인", "코ll인"), ("수익", "수.익")]:
        start = result.text.index(word)
        assert result.original(start, start + len(word)) == original


def test_empty_and_bad_spans():
    result = normalise("[광고]코인")
    assert result.text == "코인"
    assert result.to_original_span(0, 0) == (4, 4)
    assert result.to_original_span(2, 2) == (6, 6)
    with pytest.raises(ValueError, match="outside"):
        result.to_original_span(1, 3)
    with pytest.raises(ValueError, match="one offset per character"):
        NormalisedText("ab", [0], "ab")


def test_align_and_sub_mapped_track_deletions_and_swaps():
    assert align("b.t.c", "btc") == [0, 2, 4]
    assert align("C0lN", "COIN") == [0, 1, 2, 3]
    text, offsets = sub_mapped(re.compile(r"-"), lambda match: "", "a-b-c", [10, 11, 12, 13, 14])
    assert (text, offsets) == ("abc", [10, 12, 14])


# --- idempotence, config, batch ---------------------------------------------------------------


@pytest.mark.parametrize("message", SPAM_LIKE + ORDINARY)
def test_normalise_is_idempotent(message):
    once = normalise(message).text
    assert normalise(once).text == once


def test_config_builds_from_omegaconf_and_stays_hashable():
    structured = OmegaConf.merge(
        OmegaConf.structured(NormaliseConfig),
        OmegaConf.create({"lowercase": True, "lexicon": ["코인", "토토"]}),
    )
    config = OmegaConf.to_object(structured)
    assert isinstance(config, NormaliseConfig)
    assert config.lexicon == ("코인", "토토")
    hash(config)
    assert normalise("토.토 BTC", config).text == "토토 btc"


@pytest.mark.parametrize("term", ["코", "coin", "코인1"])
def test_bad_lexicon_terms_are_rejected_by_name(term):
    with pytest.raises(ValueError, match=repr(term)):
        NormaliseConfig(lexicon=("수익", term))


def test_non_string_input_is_rejected():
    with pytest.raises(TypeError, match="str"):
        normalise(None)  # type: ignore[arg-type]


def test_normalise_many_keeps_order_with_and_without_workers():
    single = [result.text for result in normalise_many(SPAM_LIKE)]
    assert single == [normalise(message).text for message in SPAM_LIKE]
    pooled = list(normalise_many(SPAM_LIKE, workers=2, chunksize=2))
    assert [result.text for result in pooled] == single
    assert [result.offsets for result in pooled] == [normalise(m).offsets for m in SPAM_LIKE]
    with pytest.raises(ValueError, match="workers"):
        list(normalise_many(SPAM_LIKE, workers=0))


@pytest.mark.shared_data
@requires_shared_data("messages", "kisa_spam_2022_reports.tsv.gz")
def test_real_reports_are_idempotent_with_valid_offsets():
    """Non-held-out KISA rows (the 2022-12-31 evaluation day is skipped)."""
    messages = sample_kisa_messages(0, 40000, 20)
    assert len(messages) > 1000
    for message in messages:
        result = normalise(message)
        check_offsets(result)
        assert normalise(result.text).text == result.text
