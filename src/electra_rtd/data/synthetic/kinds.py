"""The message kinds: register (how they are dressed), share of the corpus and trend over time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindProfile:
    """`trend` in [-1, 1]: positive kinds grow over the date range, negative ones fade."""

    name: str
    register: str
    weight: float = 1.0
    trend: float = 0.0


PROFILES: tuple[KindProfile, ...] = (
    KindProfile("parcel_delivery", "notice", weight=1.3),
    KindProfile("card_payment", "notice", weight=1.2),
    KindProfile("bank_notice", "notice"),
    KindProfile("verification_code", "notice", weight=1.2),
    KindProfile("appointment_reminder", "notice", weight=0.8),
    KindProfile("telecom_bill", "notice", weight=0.8),
    KindProfile("public_notice", "notice", weight=0.8, trend=-0.4),
    KindProfile("shopping_ad", "ad", weight=1.2),
    KindProfile("real_estate_ad", "ad", weight=0.8, trend=-0.7),
    KindProfile("driver_service", "ad", weight=0.6),
    KindProfile("coin_stock_spam", "spam", weight=1.3, trend=0.8),
    KindProfile("gambling_spam", "spam", weight=1.2, trend=0.3),
    KindProfile("illegal_loan_spam", "spam", trend=-0.5),
    KindProfile("adult_spam", "spam", weight=0.7, trend=-0.2),
    KindProfile("job_scam", "spam", weight=0.8, trend=0.6),
    KindProfile("smishing_parcel", "smishing", weight=0.9, trend=0.5),
    KindProfile("smishing_impersonation", "smishing", weight=0.9, trend=0.3),
    KindProfile("family_chat", "chat", weight=1.1),
    KindProfile("friend_chat", "chat", weight=1.1),
    KindProfile("greeting", "greeting", weight=0.7),
)

KINDS: tuple[str, ...] = tuple(profile.name for profile in PROFILES)
