"""Random non-keyword slot values: amounts, codes, phone numbers, URLs, names and dates.

Each maker takes the message's RNG and its date, so dates inside a text ("8/14 도착") fall a few
days after the message date and stay plausible in a corpus sorted by date.
"""

from __future__ import annotations

import string
from datetime import date, timedelta
from random import Random

from electra_rtd.data.synthetic import vocabulary as vocab

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits
_WEEKDAYS = "월화수목금토일"
_SHORTENERS = (
    "bit.ly/",
    "han.gl/",
    "vo.la/",
    "me2.do/",
    "url.kr/",
    "ko.gl/",
    "buly.kr/",
    "orl.kr/",
    "c11.kr/",
    "kko.to/",
    "tuney.kr/",
    "zrr.kr/",
    "https://bit.ly/",
    "https://han.gl/",
    "http://vo.la/",
)
_FAKE_HOST_WORDS = (
    "cj-delivery",
    "epost-kr",
    "hanjin-info",
    "lotte-post",
    "parcel-check",
    "kr-customs",
    "delivery-kor",
    "post-center",
    "police-kr",
    "gov-notice",
    "fss-case",
    "mobile-card",
    "invite-card",
    "notice-kr",
    "safe-login",
)
_FAKE_TLDS = ("xyz", "top", "cc", "site", "online", "info", "shop", "link", "com", "kr")


def _digits(rng: Random, k: int) -> str:
    return "".join(rng.choices(string.digits, k=k))


def _day(rng: Random, today: date, max_ahead: int = 7) -> date:
    return today + timedelta(days=rng.randint(0, max_ahead))


def won(rng: Random, today: date) -> str:
    """A price or payment between 1,000 and 2,000,000 won, rounded like real receipts."""
    value = rng.choice(
        (
            rng.randint(10, 99) * 100,
            rng.randint(10, 999) * 100,
            rng.randint(1, 200) * 1000,
            rng.randint(100, 20000) * 100,
        )
    )
    return f"{value:,}원"


def won_man(rng: Random, today: date) -> str:
    """A round sum in units of 10,000 won (3만원, 150만원), the unit spam and chat use."""
    amount = rng.choice((1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 1000))
    return f"{amount}만{rng.choice(('원', '원', ''))}"


def won_big(rng: Random, today: date) -> str:
    """A loan limit or house price (3억 5천, 5천만원)."""
    if rng.random() < 0.4:
        return f"{rng.choice((1, 2, 3, 5, 7, 9))}천만원"
    billions = rng.randint(1, 12)
    rest = rng.choice(("", "", " 5천", " 2천", "천", " 8천"))
    return f"{billions}억{rest}"


def percent(rng: Random, today: date) -> str:
    """A spam-style return (300%) — large on purpose."""
    return f"{rng.randint(30, 990)}{rng.choice(('%', '%', '프로'))}"


def small_percent(rng: Random, today: date) -> str:
    """A discount, bonus or data-usage share (5%–90%)."""
    return f"{rng.choice((5, 10, 15, 20, 25, 30, 40, 50, 70, 80, 90))}%"


def interest_rate(rng: Random, today: date) -> str:
    """A yearly loan rate (연 3.9%)."""
    return f"연 {rng.randint(2, 15)}.{rng.randint(0, 9)}%"


def usd(rng: Random, today: date) -> str:
    """A foreign card charge in dollars."""
    return f"{rng.randint(1, 400)}.{rng.randint(0, 99):02d}"


def count(rng: Random, today: date) -> str:
    """A small head count or number of times."""
    return str(rng.randint(2, 12))


def age(rng: Random, today: date) -> str:
    """An adult's age."""
    return str(rng.randint(20, 79))


def minutes(rng: Random, today: date) -> str:
    """A validity window in minutes."""
    return str(rng.choice((3, 5, 10, 30)))


def pyeong(rng: Random, today: date) -> str:
    """A flat size in 평 (Korean floor-area unit)."""
    return str(rng.choice((18, 24, 25, 32, 33, 34, 39, 42, 49, 59)))


def kilograms(rng: Random, today: date) -> str:
    """A produce box weight."""
    return str(rng.choice((2, 3, 5, 10, 15, 20)))


def code6(rng: Random, today: date) -> str:
    """A six-digit verification code."""
    return _digits(rng, 6)


def code4(rng: Random, today: date) -> str:
    """A four-digit room code or password."""
    return _digits(rng, 4)


def invoice_number(rng: Random, today: date) -> str:
    """A parcel tracking number, dashed or not."""
    if rng.random() < 0.5:
        return f"{_digits(rng, 4)}-{_digits(rng, 4)}-{_digits(rng, 4)}"
    return _digits(rng, 12)


def masked_invoice_number(rng: Random, today: date) -> str:
    """A half-hidden tracking number as smishing shows it (62-*5-14*)."""
    return f"{_digits(rng, 2)}-*{_digits(rng, 1)}-{_digits(rng, 2)}*"


def masked_account(rng: Random, today: date) -> str:
    """A bank account number with the middle hidden."""
    return f"{_digits(rng, 3)}-***-{_digits(rng, 6)}"


def mobile_phone(rng: Random, today: date) -> str:
    """A 010 mobile number, written with or without dashes."""
    if rng.random() < 0.75:
        return f"010-{_digits(rng, 4)}-{_digits(rng, 4)}"
    return f"010{_digits(rng, 8)}"


def hotline(rng: Random, today: date) -> str:
    """A nationwide company number (1588-xxxx)."""
    return (
        f"{rng.choice(('1588', '1577', '1544', '1661', '1600', '1644', '1899'))}-{_digits(rng, 4)}"
    )


def landline(rng: Random, today: date) -> str:
    """A wired number with an area code."""
    area = rng.choice(("02", "031", "032", "051", "053", "042", "062", "064"))
    return f"{area}-{_digits(rng, rng.choice((3, 4)))}-{_digits(rng, 4)}"


def opt_out_number(rng: Random, today: date) -> str:
    """The 080 number that ads must give for opting out."""
    if rng.random() < 0.5:
        return f"080-{_digits(rng, 3)}-{_digits(rng, 4)}"
    return f"080{_digits(rng, 7)}"


def short_url(rng: Random, today: date) -> str:
    """A URL-shortener link, as nearly every ad and spam carries."""
    return rng.choice(_SHORTENERS) + "".join(rng.choices(_ALNUM, k=rng.randint(5, 8)))


def fake_url(rng: Random, today: date) -> str:
    """A look-alike phishing domain."""
    host = rng.choice(_FAKE_HOST_WORDS) + rng.choice(("", str(rng.randint(1, 99))))
    path = "".join(rng.choices(_LOWER_ALNUM, k=rng.randint(3, 6)))
    scheme = rng.choice(("http://", "https://", ""))
    return f"{scheme}{host}.{rng.choice(_FAKE_TLDS)}/{path}"


def open_chat_url(rng: Random, today: date) -> str:
    """A KakaoTalk open-chat invite link."""
    return "open.kakao.com/o/" + rng.choice("gs") + "".join(rng.choices(_ALNUM, k=7))


def person_name(rng: Random, today: date) -> str:
    """A full Korean name (surname + given name)."""
    return rng.choice(vocab.SURNAMES) + rng.choice(vocab.GIVEN_NAMES)


def masked_name(rng: Random, today: date) -> str:
    """A name with the middle syllable hidden, as card and bank notices print it."""
    return f"{rng.choice(vocab.SURNAMES)}*{rng.choice(vocab.GIVEN_NAMES)[-1]}"


def month_day(rng: Random, today: date) -> str:
    """A short date near the message date (8/14 or 08/14)."""
    day = _day(rng, today)
    return f"{day.month:02d}/{day.day:02d}" if rng.random() < 0.5 else f"{day.month}/{day.day}"


def korean_date(rng: Random, today: date) -> str:
    """A written date near the message date (8월 14일)."""
    day = _day(rng, today, max_ahead=14)
    return f"{day.month}월 {day.day}일"


def weekday(rng: Random, today: date) -> str:
    """A weekday name (월 ... 일)."""
    return _WEEKDAYS[rng.randrange(7)]


def clock_time(rng: Random, today: date) -> str:
    """A 24-hour time (14:30)."""
    return f"{rng.randint(7, 23):02d}:{rng.choice((0, 10, 15, 20, 30, 40, 45, 50)):02d}"


def korean_hour(rng: Random, today: date) -> str:
    """A spoken hour (오후 3시, 오전 10시 30분)."""
    hour = rng.randint(1, 12)
    half = rng.choice(("", "", " 30분"))
    return f"{rng.choice(('오전', '오후'))} {hour}시{half}"


def time_window(rng: Random, today: date) -> str:
    """A delivery window (13~15시)."""
    start = rng.randint(8, 19)
    return f"{start}~{start + 2}시"


def month(rng: Random, today: date) -> str:
    """The message's month, the one a bill or a spam's track record refers to."""
    return str(today.month)


def year(rng: Random, today: date) -> str:
    """The message's year, or the next one for new-year greetings sent in December."""
    return str(today.year + (1 if today.month == 12 else 0))


def apartment_name(rng: Random, today: date) -> str:
    """A complex name: construction brand + place + optional phase (힐스테이트 명덕 2차)."""
    return (
        f"{rng.choice(vocab.APT_BRANDS)} {rng.choice(vocab.PLACES)}{rng.choice(vocab.APT_SUFFIXES)}"
    )


def district_office(rng: Random, today: date) -> str:
    """A district office (강남구청), an organisation name and so a keyword."""
    return rng.choice(vocab.DISTRICTS) + "청"
