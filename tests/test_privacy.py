"""Masking of personal and variable data: each kind, what must stay, template equality, display."""

from __future__ import annotations

import random
import re

import pytest

from conftest import requires_shared_data, sample_kisa_messages
from electra_rtd.text.normalise import NormaliseConfig, normalise
from electra_rtd.text.privacy import (
    MaskSpan,
    PiiKind,
    excerpt_for_error,
    find_pii,
    mask_for_display,
    mask_pii,
)

# (message, masked message) pairs written by hand for every kind.
MASKED = [
    ("문의 010-1234-5678 주세요", "문의 <PHONE> 주세요"),
    ("문의 01012345678", "문의 <PHONE>"),
    ("문의 010 1234 5678", "문의 <PHONE>"),
    ("연락 010_1234_5678 또는 010~2345~6789", "연락 <PHONE> 또는 <PHONE>"),
    ("대표번호 1588-1234 로 연락", "대표번호 <PHONE> 로 연락"),
    ("수신거부 080-123-4567", "수신거부 <PHONE>"),
    ("해외 +82 10-1234-5678", "해외 <PHONE>"),
    ("서울 02-123-4567 부산 051)903-2027", "서울 <PHONE> 부산 <PHONE>"),
    ("계좌 110-123-456789 로 입금", "계좌 <ACCOUNT> 로 입금"),
    ("계좌번호: 12345678901234 입금", "계좌번호: <ACCOUNT> 입금"),
    ("카드 1234-5678-9012-3456 승인", "카드 <CARD> 승인"),
    ("카드 1234-56**-****-3456 승인", "카드 <CARD> 승인"),
    ("https://vo.la/Ab12무료", "<URL>무료"),
    ("bit.ly/xYz 입장, han.gl/AbCd 또는 naver.me/abc", "<URL> 입장, <URL> 또는 <URL>"),
    ("www.example.com. 방문", "<URL>. 방문"),
    ("혜택받기이벤트.kr 입장", "<URL> 입장"),
    ("접속 site.comKEY : 7", "접속 <URL>KEY : 7"),
    ("메일 hong.gildong@example.co.kr 로", "메일 <EMAIL> 로"),
    ("텔레그램 @abc_55 문의", "텔레그램 <HANDLE> 문의"),
    ("TELEGRAM@abc55 가입", "TELEGRAM<HANDLE> 가입"),
    ("입장코드 1234 입니다", "입장코드 <CODE> 입니다"),
    ("인증번호는 [123456] 입니다", "인증번호는 [<CODE>] 입니다"),
    ("비 밀 번 호 : 8899", "비 밀 번 호 : <CODE>"),
    ("입장번호 : 8 8 9 9", "입장번호 : <CODE>"),
    ("PW:3515 code: AB12", "PW:<CODE> code: <CODE>"),
    ("1,000원 입금", "<AMOUNT> 입금"),
    ("50만원 지급 3억 수익", "<AMOUNT> 지급 <AMOUNT> 수익"),
    ("3억 5천만원 대출", "<AMOUNT> 대출"),
    ("100 만원 보너스 $100", "<AMOUNT> 보너스 <AMOUNT>"),
    ("수익률 +300% 달성 12.5% 상승", "수익률 <PERCENT> 달성 <PERCENT> 상승"),
    ("2022.12.01 발표 2022-12-01", "<DATE> 발표 <DATE>"),
    ("12/1 마감", "<DATE> 마감"),
    ("12월 1일(목) 마감", "<DATE> 마감"),
    ("2022년 12월 1일 발표", "<DATE> 발표"),
    ("오후 3시 시작", "<TIME> 시작"),
    ("3시 30분 시작 15:30 종료", "<TIME> 시작 <TIME> 종료"),
    ("김철수 고객님 안녕하세요", "<NAME> 고객님 안녕하세요"),
    ("홍길동님 당첨", "<NAME>님 당첨"),
    ("담당자: 홍길동 입니다", "담당자: <NAME> 입니다"),
    ("박영희 팀장 올림", "<NAME> 팀장 올림"),
    ("운송장 123456789012 배송", "운송장 <NUMBER> 배송"),
]

UNCHANGED = [
    "오늘 3시에 만나",
    "사과 3개 주세요",
    "2022년에 시작했어",
    "1등 당첨 축하해",
    "3일간 진행합니다",
    "구독자 70만명 돌파",
    "코드 확인 부탁해요",
    "입장 100명 제한",
    "담당 부서에 문의",
    "이번주 대표 종목",
    "신청자님 감사합니다",
    "1:1 상담 가능",
    "B1A4 콘서트 2시간",
    "2016,2019,2020년 우승",
]


@pytest.mark.parametrize(("message", "masked"), MASKED)
def test_each_kind_is_masked(message, masked):
    assert mask_pii(message).text == masked


@pytest.mark.parametrize("message", UNCHANGED)
def test_ordinary_numbers_and_words_stay(message):
    assert mask_pii(message).text == message
    assert find_pii(message) == []


def test_spans_give_kind_and_offsets_of_the_masked_value():
    message = "문의 010-1234-5678, 입장코드 4821"
    spans = mask_pii(message).spans
    assert spans == [MaskSpan(PiiKind.PHONE, 3, 16), MaskSpan(PiiKind.CODE, 23, 27)]
    assert [message[span.start : span.end] for span in spans] == ["010-1234-5678", "4821"]


def test_full_width_digits_are_found_and_spans_stay_on_the_original():
    message = "문의 ０１０-１２３４-５６７８"
    (span,) = find_pii(message)
    assert span.kind is PiiKind.PHONE
    assert message[span.start : span.end] == "０１０-１２３４-５６７８"
    assert mask_pii(message).text == "문의 <PHONE>"


def test_links_win_over_the_numbers_inside_them():
    assert mask_pii("bit.ly/01012345678 확인").text == "<URL> 확인"
    assert mask_pii("a.b@mail.com 2022.12.01").text == "<EMAIL> <DATE>"


def test_kinds_can_be_restricted():
    message = "문의 010-1234-5678 50만원 https://vo.la/x1"
    assert mask_pii(message, kinds={PiiKind.URL}).text == "문의 010-1234-5678 50만원 <URL>"
    assert mask_pii(message, kinds=[PiiKind.PHONE, PiiKind.AMOUNT]).text == (
        "문의 <PHONE> <AMOUNT> https://vo.la/x1"
    )


# Copies of one template that differ only in their slots; each pair must mask to one string.
TEMPLATE_PAIRS = [
    (
        "[Web발신](광고)VIP 초대 https://vo.la/Ab12Cd 입장코드 1234 무료거부 0801234567",
        "[Web발신](광고)VIP 초대 https://han.gl/Zz9 입장코드 9876 무료거부 080-999-1111",
    ),
    (
        "고객님 12월 1일(목) 오후 3시 50만원 입금 완료",
        "고객님 8월 23일(화) 오후 11시 1,250,000원 입금 완료",
    ),
    (
        "홍길동 고객님 카드 1234-5678-9012-3456 승인 15:30",
        "김영희 고객님 카드 9876-5432-1098-7654 승인 09:05",
    ),
    (
        "수익률 +305% 달성! 문의 010-1111-2222 bit.ly/abc",
        "수익률 +27% 달성! 문의 01033334444 naver.me/xyz1",
    ),
    (
        "택배 운송장 123456789012 2022.12.01 도착 예정",
        "택배 운송장 998877665544 2023-01-15 도착 예정",
    ),
    (
        "[국제발신]텔레그램 @alpha77 3억 수익 PW:3515",
        "[국제발신]텔레그램 @beta_01 5천만원 수익 PW:0007",
    ),
]


@pytest.mark.parametrize(("first", "second"), TEMPLATE_PAIRS)
def test_copies_of_one_template_mask_to_the_same_string(first, second):
    assert first != second
    assert mask_pii(first).text == mask_pii(second).text


LOWERCASE = NormaliseConfig(lowercase=True)


def test_obfuscated_copies_meet_after_normalising_then_masking():
    first = "[Web발신](광고)B.T.C 수.익 보장 3oo만원 han.gl/Ab1 코드 1111 SMS/-"
    second = "(광고)btc 수익 보장 50만원 bit.ly/Zz9 코드 2222 무료거부 0801112222 SMS/-"

    def template(message: str) -> str:
        return mask_pii(normalise(message, config=LOWERCASE).text).text

    assert template(first) == template(second)


def test_masks_found_in_normalised_text_project_onto_the_raw_message():
    raw = "[Web발신] 문의 ０１０-1234-5678 입니다"
    normalised = normalise(raw)
    (span,) = find_pii(normalised.text)
    start, end = normalised.to_original_span(span.start, span.end)
    assert raw[start:end] == "０１０-1234-5678"


def test_display_form_is_masked_one_line_and_short():
    message = "문의 010-1234-5678\n  https://vo.la/Ab12  입장코드 1234 " + "가" * 100
    shown = mask_for_display(message, max_chars=40)
    assert len(shown) == 40
    assert shown.endswith("…")
    assert shown.startswith("문의 <PHONE> <URL> 입장코드 <CODE> 가")
    assert "\n" not in shown
    assert mask_for_display("짧은 문장") == "짧은 문장"
    assert mask_for_display("문의 ０１０-1234-5678") == "문의 <PHONE>"


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="max_chars"):
        mask_for_display("문의", max_chars=0)
    with pytest.raises(TypeError, match="str"):
        mask_pii(b"010-1234-5678")  # type: ignore[arg-type]


# Independent of the patterns under test: a mobile number in its usual spellings, and a link.
MOBILE = re.compile(r"(?<!\d)01[016789][ .\-]?\d{3,4}[ .\-]?\d{4}(?!\d)")
LINK = re.compile(r"https?://|www\.|\b[a-z0-9]+\.(?:com|kr|ly|gl|me)/", re.IGNORECASE)


@pytest.mark.shared_data
@requires_shared_data("messages", "kisa_spam_2022_reports.tsv.gz")
def test_no_mobile_number_or_link_survives_in_real_reports():
    """Non-held-out KISA rows (the 2022-12-31 evaluation day is skipped), normalised then masked."""
    messages = sample_kisa_messages(7, 60000, 20)
    raw_hits = sum(bool(MOBILE.search(message) or LINK.search(message)) for message in messages)
    assert raw_hits > 100  # the sample does hold numbers and links to mask
    for message in messages:
        masked = mask_pii(normalise(message).text).text
        assert not MOBILE.search(masked), mask_for_display(message)
        assert not LINK.search(masked), mask_for_display(message)


# Masking gaps found by hand: messenger ids after a label, and digits written apart.
ID_LABELS = ["카톡 ID", "카톡ID", "카카오톡 아이디", "카카오톡 아이디 :", "ID:", "id :", "텔레그램",
             "텔레 @", "텔레그램 @", "라인 아이디", "KakaoTalk ID"]  # fmt: skip
SEPARATORS = [" ", ".", "-", " - ", ". ", "_", "  "]
CONTEXTS = ["{} 로 문의 주세요", "상담은 {}", "[Web발신] {} 추가 후 입장", "{}"]


def spaced_phone(rng: random.Random) -> tuple[str, str]:
    """A mobile number with separators between any digits; returns (written, digits)."""
    digits = "010" + "".join(rng.choice("0123456789") for _ in range(8))
    written = digits[0]
    for digit in digits[1:]:
        written += rng.choice(["", *SEPARATORS]) + digit
    return written, digits


def test_generated_messenger_ids_never_survive_masking() -> None:
    rng = random.Random(10)
    for _ in range(400):
        user = rng.choice("abcdefghijklmnopqrstuvwxyz") + "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyz0123456789_") for _ in range(rng.randint(3, 12))
        )
        label = rng.choice(ID_LABELS)
        message = rng.choice(CONTEXTS).format(f"{label}{rng.choice(['', ' '])}{user}")
        masked = mask_pii(message).text
        assert user not in masked, (message, masked)
        assert "<HANDLE>" in masked, (message, masked)


def test_generated_spaced_and_dotted_phone_numbers_never_survive_masking() -> None:
    rng = random.Random(11)
    for _ in range(400):
        written, digits = spaced_phone(rng)
        message = rng.choice(CONTEXTS).format(written)
        masked = mask_pii(message).text
        assert "<PHONE>" in masked, (message, masked)
        assert re.sub(r"\D", "", masked) == "", (message, masked)


@pytest.mark.parametrize(
    "message",
    ["카톡 ID secretuser", "ID:secretuser", "0 1 0 - 1 2 3 4 - 5 6 7 8", "0.1.0.1.2.3.4.5.6.7.8"],
)
def test_the_reported_gaps_are_masked(message: str) -> None:
    masked = mask_pii(message).text
    assert "secretuser" not in masked and not re.search(r"\d", masked), masked


@pytest.mark.parametrize("message", ["온라인 쇼핑몰 오픈", "라인업 공개", "가이드 line 안내"])
def test_words_that_merely_contain_a_messenger_label_stay(message: str) -> None:
    assert mask_pii(message).text == message


def test_error_excerpts_are_masked_and_short() -> None:
    excerpt = excerpt_for_error(
        "홍길동 010-1234-5678 국민은행 123-456-789012 입금 부탁드립니다 감사합니다"
    )
    assert "1234" not in excerpt and "789012" not in excerpt
    assert len(excerpt) <= 32  # 30 characters and the quotes
