"""Leak-free splits: near-duplicates stay together, splits are deterministic and near their sizes."""

from __future__ import annotations

import logging
import random
from collections import Counter

import pytest

from electra_rtd.data.labelled import LabelledMessage, synthetic_labelled
from electra_rtd.data.splits import exact_text_key, leaked_groups, split_messages, template_key

SYNTHETIC = synthetic_labelled(600, seed=4)


def message(text: str) -> LabelledMessage:
    return LabelledMessage(text, ())


def test_exact_key_ignores_unicode_form_whitespace_and_case() -> None:
    variants = ["Coin 리딩방  무료", " coin 리딩방\n무료 ", "ＣＯＩＮ 리딩방 무료"]
    assert len({exact_text_key(message(text)) for text in variants}) == 1
    assert exact_text_key(message("Coin 리딩방 유료")) != exact_text_key(message(variants[0]))


def test_template_key_equates_copies_with_different_variable_data() -> None:
    copies = [
        "[Web발신] 김민수님 무료 상담 010-1234-5678 bit.ly/abc12",
        "[Web발신] 김민수님 무료 상담 010-9876-5432 bit.ly/zz9x",
    ]
    assert template_key(message(copies[0])) == template_key(message(copies[1]))
    assert template_key(message("오늘 저녁 먹자")) != template_key(message("내일 저녁 먹자"))


def test_exact_duplicates_always_share_a_template_key() -> None:
    for original in SYNTHETIC[:100]:
        variant = message("  " + original.text.upper().replace(" ", "\u3000"))
        assert template_key(variant) == template_key(original)


def test_split_is_deterministic_and_follows_the_seed() -> None:
    first = split_messages(SYNTHETIC, seed=1)
    assert split_messages(SYNTHETIC, seed=1) == first
    assert split_messages(SYNTHETIC, seed=2) != first


def test_split_does_not_depend_on_input_order() -> None:
    shuffled = list(SYNTHETIC)
    random.Random(0).shuffle(shuffled)
    original = split_messages(SYNTHETIC, seed=3)
    reordered = split_messages(shuffled, seed=3)
    for name in ("train", "dev", "test"):
        assert Counter(m.text for m in reordered[name]) == Counter(m.text for m in original[name])


def test_every_message_lands_once_and_no_group_is_shared() -> None:
    splits = split_messages(SYNTHETIC, seed=0)
    assert sorted(m.text for part in splits.values() for m in part) == sorted(
        m.text for m in SYNTHETIC
    )
    keys = {name: {template_key(m) for m in part} for name, part in splits.items()}
    assert not keys["train"] & keys["dev"]
    assert not keys["train"] & keys["test"]
    assert not keys["dev"] & keys["test"]
    assert leaked_groups(splits) == set()


def test_near_duplicates_land_in_one_split() -> None:
    copies = [
        message(f"[Web발신] 무료 코인 리딩방 입장 010-{1000 + i}-{2000 + i}") for i in range(30)
    ]
    others = [message(f"오늘 {word} 먹자") for word in ("점심", "저녁", "야식", "간식", "라면")]
    others += [
        message(f"택배 {n}번 도착했습니다 {word}") for n, word in enumerate("가나다라마바사")
    ]
    splits = split_messages(copies + others, seed=0)
    assert sum(any(m in part for m in copies) for part in splits.values()) == 1


def test_sizes_are_near_the_fractions() -> None:
    splits = split_messages(SYNTHETIC, fractions=(0.6, 0.2, 0.2), seed=0)
    largest_group = max(Counter(template_key(m) for m in SYNTHETIC).values())
    for name, fraction in zip(("train", "dev", "test"), (0.6, 0.2, 0.2), strict=True):
        assert abs(len(splits[name]) - fraction * len(SYNTHETIC)) <= largest_group


def test_grouping_by_template_id_holds_out_whole_templates() -> None:
    by_template = lambda m: m.meta["template_id"]  # noqa: E731
    splits = split_messages(SYNTHETIC, group_key=by_template)
    assert leaked_groups(splits, by_template) == set()
    assert all(splits.values())


def test_zero_fraction_gives_an_empty_split() -> None:
    splits = split_messages(SYNTHETIC, fractions=(0.9, 0.1, 0.0))
    assert splits["test"] == []
    assert len(splits["train"]) + len(splits["dev"]) == len(SYNTHETIC)


def test_too_few_groups_warn_about_an_empty_split(caplog: pytest.LogCaptureFixture) -> None:
    messages = [message("무료 대출 상담")] * 5 + [message("오늘 저녁 먹자")] * 5
    with caplog.at_level(logging.WARNING, logger="electra_rtd.data.splits"):
        splits = split_messages(messages)
    # Both groups are needed to fill train's 8 messages, leaving nothing for dev and test.
    assert splits["dev"] == splits["test"] == []
    assert "the dev split is empty: 10 messages form only 2 groups" in caplog.text
    assert "the test split is empty" in caplog.text


def test_leaked_groups_finds_a_shared_group() -> None:
    leaky = {"train": [message("무료 대출")], "dev": [message("무료  대출")], "test": []}
    assert leaked_groups(leaky, exact_text_key) == {"무료 대출"}


@pytest.mark.parametrize("fractions", [(0.8, 0.2), (0.8, 0.3, 0.1), (1.2, -0.1, -0.1)])
def test_bad_fractions_are_rejected(fractions: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="fractions"):
        split_messages(SYNTHETIC, fractions=fractions)
