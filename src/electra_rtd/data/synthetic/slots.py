"""The slot table: every `{name}` a template may use, and whether its values are keywords.

Three kinds of slot: a word list, a maker function from `slot_values`, and a fragment (a small
template whose literal words are labelled by the lexicon like any template text). A slot keeps
its value for the whole message unless `memo` is False, so `{parcel_brand}` twice names one brand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from random import Random

from electra_rtd.data.synthetic import slot_values as make
from electra_rtd.data.synthetic import vocabulary as vocab


@dataclass(frozen=True)
class ListSlot:
    """Picks one value from a word list."""

    values: tuple[str, ...]
    keyword: bool
    memo: bool = True


@dataclass(frozen=True)
class MadeSlot:
    """Calls a maker for a fresh random value (amount, code, URL, name ...)."""

    make: Callable[[Random, date], str]
    keyword: bool = False
    memo: bool = True


@dataclass(frozen=True)
class FragmentSlot:
    """A reusable piece of template; its keywords come from the lexicon."""

    template: str
    memo: bool = True


Slot = ListSlot | MadeSlot | FragmentSlot


def _keywords(values: tuple[str, ...]) -> ListSlot:
    return ListSlot(values, keyword=True)


def _plain(values: tuple[str, ...], memo: bool = True) -> ListSlot:
    return ListSlot(values, keyword=False, memo=memo)


SLOTS: dict[str, Slot] = {
    # brands, services and products (keywords)
    "parcel_brand": _keywords(vocab.PARCEL_BRANDS),
    "fake_parcel_brand": _keywords(vocab.FAKE_PARCEL_BRANDS),
    "card_brand": _keywords(vocab.CARD_BRANDS),
    "bank_brand": _keywords(vocab.BANK_BRANDS),
    "merchant": _keywords(vocab.MERCHANTS),
    "foreign_merchant": _keywords(vocab.FOREIGN_MERCHANTS),
    "app_brand": _keywords(vocab.APP_BRANDS),
    "telecom_brand": _keywords(vocab.TELECOM_BRANDS),
    "phone_plan": _keywords(vocab.PHONE_PLANS),
    "phone_model": _keywords(vocab.PHONE_MODELS),
    "shop_brand": _keywords(vocab.SHOP_BRANDS),
    "product": _keywords(vocab.PRODUCTS),
    "farm_product": _keywords(vocab.FARM_PRODUCTS),
    "coin": _keywords(vocab.COINS),
    "market": _keywords(vocab.MARKETS),
    "gov_agency": _keywords(vocab.GOV_AGENCIES),
    "prosecutor": _keywords(vocab.PROSECUTORS),
    "hospital": _keywords(vocab.HOSPITALS),
    "beauty_service": _keywords(vocab.BEAUTY_SERVICES),
    "food": _keywords(vocab.FOODS),
    "food2": _keywords(vocab.FOODS),
    "activity": _keywords(vocab.ACTIVITIES),
    "occasion": _keywords(vocab.OCCASIONS),
    "hazard": _keywords(vocab.HAZARDS),
    "tax": _keywords(vocab.TAXES),
    "election": _keywords(vocab.ELECTIONS),
    "loan_product": _keywords(vocab.LOAN_PRODUCTS),
    "game": _keywords(vocab.GAMES),
    "game2": _keywords(vocab.GAMES),
    "adult_service": _keywords(vocab.ADULT_SERVICES),
    "job_platform": _keywords(vocab.JOB_PLATFORMS),
    "apt_name": MadeSlot(make.apartment_name, keyword=True),
    "district_office": MadeSlot(make.district_office, keyword=True),
    # people, places and invented sender names (never keywords)
    "name": MadeSlot(make.person_name),
    "name2": MadeSlot(make.person_name),
    "masked_name": MadeSlot(make.masked_name),
    "given": _plain(vocab.GIVEN_NAMES),
    "fam": _plain(vocab.FAMILY),
    "place": _plain(vocab.PLACES),
    "district": _plain(vocab.DISTRICTS),
    "city": _plain(vocab.CITIES),
    "city2": _plain(vocab.CITIES),
    "country": _plain(vocab.COUNTRIES),
    "stem": _plain(vocab.NAME_STEMS),
    "spam_sender": _plain(vocab.SPAM_SENDERS),
    "site": _plain(vocab.GAMBLING_SITES),
    "restaurant": _plain(vocab.RESTAURANTS),
    "company": _plain(vocab.COMPANIES),
    "safety_tip": _plain(vocab.SAFETY_TIPS),
    "emoji": _plain(vocab.EMOJI + ("", ""), memo=False),
    "laugh": _plain(vocab.LAUGHS + ("",), memo=False),
    "cry": _plain(vocab.CRIES + ("",), memo=False),
    "deco": _plain(vocab.DECORATIONS + ("",), memo=False),
    # numbers, codes, links and dates (never keywords)
    "won": MadeSlot(make.won),
    "won2": MadeSlot(make.won),
    "won_man": MadeSlot(make.won_man),
    "won_big": MadeSlot(make.won_big),
    "pct": MadeSlot(make.percent),
    "pct_small": MadeSlot(make.small_percent),
    "pct_small2": MadeSlot(make.small_percent),
    "rate": MadeSlot(make.interest_rate),
    "usd": MadeSlot(make.usd),
    "count": MadeSlot(make.count),
    "age": MadeSlot(make.age),
    "minutes": MadeSlot(make.minutes),
    "py": MadeSlot(make.pyeong),
    "kg": MadeSlot(make.kilograms),
    "code6": MadeSlot(make.code6),
    "code4": MadeSlot(make.code4),
    "card_last4": MadeSlot(make.code4),
    "invoice_no": MadeSlot(make.invoice_number),
    "invoice_masked": MadeSlot(make.masked_invoice_number),
    "acct": MadeSlot(make.masked_account),
    "phone": MadeSlot(make.mobile_phone),
    "hotline": MadeSlot(make.hotline),
    "landline": MadeSlot(make.landline),
    "url": MadeSlot(make.short_url),
    "url_fake": MadeSlot(make.fake_url),
    "url_kakao": MadeSlot(make.open_chat_url),
    "md": MadeSlot(make.month_day),
    "md2": MadeSlot(make.month_day),
    "date_kr": MadeSlot(make.korean_date),
    "weekday": MadeSlot(make.weekday),
    "hhmm": MadeSlot(make.clock_time),
    "hour_kr": MadeSlot(make.korean_hour),
    "time_window": MadeSlot(make.time_window),
    "month": MadeSlot(make.month),
    "year": MadeSlot(make.year),
    # fragments
    "clinic": FragmentSlot("{stem}{치과|내과|피부과|정형외과|안과|한의원|소아과}"),
    "salon": FragmentSlot("{stem} {헤어|뷰티|헤어살롱|헤어샵}"),
    "driver_co": FragmentSlot("{stem}{대리|콜|드라이브}"),
    "place_spot": FragmentSlot("{문 앞|경비실|택배함|무인택배함|1층 현관|관리사무소}"),
    "installment": FragmentSlot("{일시불|일시불|일시불|할부 {count}개월|{count}개월}"),
    "day_rel": FragmentSlot("{내일|모레|이번 주말|토요일|금요일 저녁|다음 주|오늘 저녁}"),
    "sender_sig": FragmentSlot(
        "{{name} 드림|{company} {name} 올림|{name} 올림|{company} 임직원 일동|{given} 드림}"
    ),
}
