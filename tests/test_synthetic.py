"""Tests of the synthetic message corpus: determinism, labels, variety, noise, dates and JSONL."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from random import Random

import pytest

from electra_rtd.data.synthetic import (
    KINDS,
    KeywordSpan,
    SyntheticMessage,
    generate_messages,
    read_jsonl,
    write_jsonl,
)
from electra_rtd.data.synthetic import vocabulary as vocab
from electra_rtd.data.synthetic.dates import DateRange
from electra_rtd.data.synthetic.kinds import PROFILES
from electra_rtd.data.synthetic.lexicon import SPAM_SPELLINGS, TOPIC_KEYWORDS
from electra_rtd.data.synthetic.noise import obfuscate
from electra_rtd.data.synthetic.pieces import Role, assemble
from electra_rtd.data.synthetic.renderer import Renderer, lexicon_for
from electra_rtd.data.synthetic.slots import SLOTS, ListSlot
from electra_rtd.data.synthetic.template_language import (
    Lexicon,
    TemplateError,
    compile_template,
)
from electra_rtd.data.synthetic.templates import TEMPLATES

SPAM_KINDS = [profile.name for profile in PROFILES if profile.register == "spam"]
HANGUL = re.compile(r"[가-힣]")


@pytest.fixture(scope="module")
def corpus() -> list[SyntheticMessage]:
    return generate_messages(20_000, seed=7)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return lexicon_for(SLOTS, TOPIC_KEYWORDS)


def canonical_keywords() -> set[str]:
    """Every keyword as written in templates and keyword lists, before any obfuscation."""
    words = set(TOPIC_KEYWORDS)
    for slot in SLOTS.values():
        if isinstance(slot, ListSlot) and slot.keyword:
            words.update(slot.values)
    return words


def corpus_digest(messages: list[SyntheticMessage]) -> str:
    payload = json.dumps([m.to_record() for m in messages], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# ---- determinism ----------------------------------------------------------------------------


def test_same_seed_gives_same_messages_and_other_seed_differs() -> None:
    first = generate_messages(500, seed=3)
    assert first == generate_messages(500, seed=3)
    other = generate_messages(500, seed=4)
    assert sum(a.text != b.text for a, b in zip(first, other, strict=True)) > 450


def test_a_fresh_process_with_another_hash_seed_gives_the_same_corpus() -> None:
    # String hashing is randomised per process; a set or hash() in the generator would show here.
    code = (
        "from electra_rtd.data.synthetic import generate_messages;"
        "import hashlib, json;"
        "m = generate_messages(400, seed=11);"
        "p = json.dumps([x.to_record() for x in m], ensure_ascii=False, sort_keys=True);"
        "print(hashlib.sha256(p.encode('utf-8')).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == corpus_digest(generate_messages(400, seed=11))


# ---- kinds and templates --------------------------------------------------------------------


def test_every_kind_appears_in_a_sample(corpus: list[SyntheticMessage]) -> None:
    assert len(KINDS) >= 15
    seen = Counter(message.kind for message in corpus[:3000])
    assert set(seen) == set(KINDS)


def test_every_kind_has_several_templates_and_all_are_used(corpus: list[SyntheticMessage]) -> None:
    assert set(TEMPLATES) == set(KINDS)
    assert all(len(TEMPLATES[kind]) >= 6 for kind in KINDS)
    used = {message.template_id for message in corpus}
    assert len(used) == sum(len(sources) for sources in TEMPLATES.values())


def test_a_template_id_always_belongs_to_one_kind(corpus: list[SyntheticMessage]) -> None:
    kinds_of: dict[str, set[str]] = {}
    for message in corpus:
        kinds_of.setdefault(message.template_id, set()).add(message.kind)
    assert all(len(kinds) == 1 for kinds in kinds_of.values())


def test_kinds_argument_restricts_the_mix() -> None:
    messages = generate_messages(200, seed=1, kinds=["gambling_spam", "greeting"])
    assert {message.kind for message in messages} == {"gambling_spam", "greeting"}


def test_most_texts_are_distinct(corpus: list[SyntheticMessage]) -> None:
    assert len({message.text for message in corpus}) / len(corpus) >= 0.9


# ---- spans ----------------------------------------------------------------------------------


def test_spans_lie_inside_the_text_without_overlap(corpus: list[SyntheticMessage]) -> None:
    for message in corpus:
        assert message.spans, message.text  # every template is about something
        previous_end = 0
        for span in message.spans:
            assert previous_end <= span.start < span.end <= len(message.text), message
            surface = message.text[span.start : span.end]
            assert not surface[0].isspace() and not surface[-1].isspace(), message
            assert span.label == "KW"
            previous_end = span.end


def test_span_texts_are_never_numbers_links_phones_or_names(
    corpus: list[SyntheticMessage],
) -> None:
    number = re.compile(r"[\d,.\-/:%원만+ ]+")
    link = re.compile(r"https?://|www\.|\.(kr|ly|la|do|gl|com|xyz|top|cc|site|to)/", re.I)
    phone = re.compile(r"\d{2,4}-?\d{3,4}-?\d{4}")
    names = {surname + given for surname in vocab.SURNAMES for given in vocab.GIVEN_NAMES}
    boilerplate = {"[Web발신]", "(광고)", "[광고]", "무료거부", "수신거부"}
    for message in corpus:
        for surface in message.keywords:
            assert not number.fullmatch(surface), (surface, message.text)
            assert not link.search(surface), (surface, message.text)
            assert not phone.search(surface), (surface, message.text)
            assert surface not in names and surface not in boilerplate, (surface, message.text)


def test_a_lexicon_word_in_the_text_is_always_labelled(
    corpus: list[SyntheticMessage], lexicon: Lexicon
) -> None:
    # Same word, same label: a keyword that starts a word but lies outside every span means some
    # template or slot let it through unlabelled. (Matches glued across two words by dropped
    # spaces, like 노출금지 -> 출금, do not start a word and are not inconsistencies.)
    unlabelled = []
    for message in corpus:
        text, position = message.text, 0
        while (match := lexicon.find(text, position)) is not None:
            start, end = match
            inside = any(span.start < end and start < span.end for span in message.spans)
            word_start = start == 0 or not text[start - 1].isalnum()
            if not inside and word_start:
                unlabelled.append((text[start:end], text))
            position = end
    assert unlabelled == []


def test_non_keyword_vocabularies_contain_no_keyword(lexicon: Lexicon) -> None:
    for name, slot in SLOTS.items():
        if isinstance(slot, ListSlot) and not slot.keyword:
            hits = [value for value in slot.values if lexicon.find(value) is not None]
            assert hits == [], name


def test_keywords_field_matches_the_spans(corpus: list[SyntheticMessage]) -> None:
    message = corpus[0]
    record = message.to_record()
    assert record["keywords"] == [message.text[s["start"] : s["end"]] for s in record["spans"]]


# ---- noise ----------------------------------------------------------------------------------


def test_spam_keywords_are_often_obfuscated(corpus: list[SyntheticMessage]) -> None:
    canonical = canonical_keywords()
    for kind in SPAM_KINDS:
        messages = [message for message in corpus if message.kind == kind]
        obfuscated = [m for m in messages if any(k not in canonical for k in m.keywords)]
        assert len(obfuscated) / len(messages) > 0.3, kind
    spam_surfaces = [k for m in corpus if m.kind in SPAM_KINDS for k in m.keywords]
    separated = re.compile(r"[가-힣][.~\-/ *ㅣ♡_,][가-힣]")
    assert any(separated.search(surface) for surface in spam_surfaces)  # 카~지~노
    assert any(re.search(r"[ㄱ-ㅎ]", surface) for surface in spam_surfaces)  # ㅋ지노
    assert any(surface in SPAM_SPELLINGS["비트코인"] for surface in spam_surfaces)


def test_plain_notices_are_never_obfuscated(corpus: list[SyntheticMessage]) -> None:
    canonical = canonical_keywords()
    for kind in ("parcel_delivery", "card_payment", "bank_notice", "verification_code"):
        surfaces = {k for m in corpus if m.kind == kind for k in m.keywords}
        assert surfaces <= canonical, kind


def test_ads_carry_carrier_boilerplate(corpus: list[SyntheticMessage]) -> None:
    ads = [m.text for m in corpus if m.kind in ("shopping_ad", "real_estate_ad")]
    assert sum("(광고)" in text or "[광고]" in text for text in ads) / len(ads) > 0.8
    assert sum(re.search(r"거부:? ?080", text) is not None for text in ads) / len(ads) > 0.6
    chats = [m.text for m in corpus if m.kind in ("family_chat", "friend_chat")]
    assert not any("(광고)" in text or "080" in text for text in chats)


def test_chat_has_laughter_and_tears(corpus: list[SyntheticMessage]) -> None:
    chats = [m.text for m in corpus if m.kind in ("family_chat", "friend_chat")]
    assert sum("ㅋㅋ" in text for text in chats) > len(chats) / 10
    assert sum("ㅠ" in text or "ㅜ" in text for text in chats) > len(chats) / 20


def test_obfuscate_changes_a_word_but_keeps_its_edges_solid() -> None:
    rng = Random(0)
    for word in ["카지노", "대출", "리딩방", "GS25", "한우 선물세트", "비트코인", "갤럭시 S22"]:
        for _ in range(30):
            spelled = obfuscate(word, rng)
            assert spelled != word
            assert spelled == spelled.strip() and spelled


def test_hand_written_spellings_have_no_outer_spaces() -> None:
    for variants in SPAM_SPELLINGS.values():
        assert all(variant and variant == variant.strip() for variant in variants)


# ---- pieces and the template language -------------------------------------------------------


def test_assemble_counts_offsets_and_tidies_only_text_edges() -> None:
    pieces = [
        ("  [", Role.TEXT),
        ("CJ대한통운", Role.KEYWORD),
        ("] ", Role.TEXT),
        (" 오늘 ", Role.TEXT),  # an empty optional part left two spaces
        ("택배", Role.KEYWORD),
        ("가 도착 ", Role.TEXT),
        ("010-1234-5678", Role.VALUE),
        (" \n", Role.TEXT),
    ]
    text, spans = assemble(pieces)
    assert text == "[CJ대한통운] 오늘 택배가 도착 010-1234-5678"
    assert spans == (KeywordSpan(1, 7), KeywordSpan(12, 14))
    assert [text[s.start : s.end] for s in spans] == ["CJ대한통운", "택배"]


def test_lexicon_prefers_longest_and_respects_ascii_word_edges() -> None:
    lexicon = Lexicon(["택배", "무료배송", "배송", "KT"])
    assert lexicon.split("무료배송 택배가") == (
        ("무료배송", Role.KEYWORD),
        (" ", Role.TEXT),
        ("택배", Role.KEYWORD),
        ("가", Role.TEXT),
    )
    assert lexicon.split("SKT와 KT") == (("SKT와 ", Role.TEXT), ("KT", Role.KEYWORD))
    with pytest.raises(ValueError):
        Lexicon(["배"])


def test_templates_choose_fill_and_remember_slots() -> None:
    slots = {"brand": ListSlot(("한진택배", "로젠택배"), keyword=True)}
    renderer = Renderer(slots, Lexicon(["택배", "한진택배", "로젠택배"]))
    sequence = renderer.compile("[{brand}] {택배|소포} 도착{!|} {brand} 문의", where="test")
    seen = set()
    for seed in range(200):
        text, spans = assemble(renderer.render(sequence, Random(seed), date(2022, 1, 1)))
        surfaces = [text[s.start : s.end] for s in spans]
        assert surfaces[0] == surfaces[-1]  # one brand per message
        assert ("택배" in surfaces) == ("택배 도착" in text)
        seen.add(text)
    assert len(seen) == 8  # 2 brands x 2 nouns x optional "!"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{nope} 도착", "unknown slot"),
        ("{a|b 도착", "unclosed"),
        ("도착}", "stray"),
        ("{택배} 도착", "neither a slot nor a choice"),
    ],
)
def test_bad_templates_fail_with_the_template_name(source: str, problem: str) -> None:
    with pytest.raises(TemplateError, match=f"card_payment/03.*{problem}"):
        compile_template(source, Lexicon(["택배"]), {"brand"}, where="card_payment/03")


# ---- dates ----------------------------------------------------------------------------------


def test_dates_stay_in_the_range_and_follow_the_trends() -> None:
    messages = generate_messages(12_000, seed=5, start_date="2021-01-01", end_date="2021-12-31")
    assert all(re.fullmatch(r"2021-\d\d-\d\d", m.date) for m in messages)

    def halves(kind: str) -> tuple[int, int]:
        days = [date.fromisoformat(m.date) for m in messages if m.kind == kind]
        first = sum(day < date(2021, 7, 2) for day in days)
        return first, len(days) - first

    # Trend 0.8 puts 30% of the mass in the first half and 70% in the second; -0.7 the reverse.
    early, late = halves("coin_stock_spam")
    assert late > 1.6 * early
    early, late = halves("real_estate_ad")
    assert early > 1.6 * late
    early, late = halves("card_payment")
    assert 0.8 < early / late < 1.25


def test_date_range_sampling_covers_both_ends() -> None:
    days = DateRange.parse("2022-03-01", "2022-03-03")
    rng = Random(0)
    assert {days.sample(rng, 0.0) for _ in range(300)} == {
        date(2022, 3, 1),
        date(2022, 3, 2),
        date(2022, 3, 3),
    }
    single = DateRange.parse("2022-03-01", "2022-03-01")
    assert {single.sample(rng, 0.9) for _ in range(50)} == {date(2022, 3, 1)}


# ---- arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"n": -1}, "non-negative"),
        ({"n": 5, "kinds": ["weather_report"]}, "unknown"),
        ({"n": 5, "start_date": "2022-05-01", "end_date": "2022-04-01"}, "before it starts"),
        ({"n": 5, "start_date": "01/05/2022"}, "ISO"),
    ],
)
def test_bad_arguments_are_rejected(kwargs: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        generate_messages(**kwargs)


# ---- JSONL ----------------------------------------------------------------------------------


def test_jsonl_round_trip_keeps_korean_readable(tmp_path) -> None:
    messages = generate_messages(50, seed=2)
    path = write_jsonl(messages, tmp_path / "out" / "synthetic.jsonl")
    raw = path.read_text(encoding="utf-8")
    assert HANGUL.search(raw) and "\\u" not in raw
    lines = raw.splitlines()
    assert len(lines) == 50
    assert set(json.loads(lines[0])) == {"text", "kind", "template_id", "date", "spans", "keywords"}
    assert read_jsonl(path) == messages


def test_read_jsonl_names_the_file_and_line_of_a_bad_record(tmp_path) -> None:
    good = json.dumps(generate_messages(1, seed=0)[0].to_record(), ensure_ascii=False)
    bad = json.dumps(
        {
            "text": "짧음",
            "kind": "x",
            "template_id": "x/00",
            "date": "2022-01-01",
            "spans": [{"start": 0, "end": 9}],
        },
        ensure_ascii=False,
    )
    path = tmp_path / "broken.jsonl"
    path.write_text(f"{good}\n{bad}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.jsonl:2: .*outside"):
        read_jsonl(path)
