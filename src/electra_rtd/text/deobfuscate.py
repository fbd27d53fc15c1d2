"""Undo the spellings spam uses to slip past keyword filters: b.t.c, C0lN, 비II트, 카~지~노, 코 인.

Every rule is conservative on purpose: ordinary Korean must come out unchanged. The rules were
designed on the KISA spam reports and checked against movie reviews and chatbot text, where they
fire almost never. Each function maps (text, offsets) to (text, offsets).
"""

from __future__ import annotations

import re
from functools import lru_cache

from electra_rtd.text.text_offsets import sub_mapped


def _remove_spaces(match: re.Match[str]) -> str:
    return match.group().replace(" ", "")


# --- Latin --------------------------------------------------------------------------------------

_ANY_LATIN = re.compile(r"[A-Za-z]")
_LATIN_GLUE = r"[.,'\-_~*·/|^`()<>]{1,2}"
_LATIN_GLUE_RE = re.compile(_LATIN_GLUE)
# Letters in groups of one or two joined by separators: "b.t.c", "BT.C", "B.o.n.u.s", "b)(t)c".
_LATIN_CHAIN = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z]{{1,2}}(?:{_LATIN_GLUE}[A-Za-z]{{1,2}})+(?![A-Za-z0-9])"
)
# A single one of these between two letters is ordinary writing ("A/S", "I'm", "A~C", "(A)B").
_WEAK_SINGLE_GLUE = re.compile(r"[/()<>'~]")
_LATIN_SPACED = re.compile(r"(?<!\w)[A-Za-z](?: [A-Za-z]){2,}(?!\w)")
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?![A-Za-z0-9])")
# Letter O written inside a number: "3oo만" -> "300만", "1O0%" -> "100%".
_DIGITS_WITH_O = re.compile(r"(?<![A-Za-z0-9.])\d[0-9oO]*[oO][0-9oO]*(?![A-Za-z0-9])")
_UPPER_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "l": "I"})
_LOWER_LOOKALIKES = str.maketrans({"0": "o", "1": "i"})


def _join_latin_chain(match: re.Match[str]) -> str | None:
    chain = match.group()
    glues = _LATIN_GLUE_RE.findall(chain)
    parts = _LATIN_GLUE_RE.split(chain)
    if sum(len(part) == 2 for part in parts) > 1:
        return None  # "SS/Q/SK", "Mr.Ms": short words, not split letters
    if len(parts) == 2 and parts[0] == parts[1]:
        return None  # an emoticon: T_T, T.T, v_v
    if len(glues) == 1 and _WEAK_SINGLE_GLUE.search(glues[0]):
        return None
    return "".join(parts)


def _fix_lookalikes(match: re.Match[str]) -> str | None:
    """C0lN -> COIN, B1TC01N -> BITCOIN, b1tcoin -> bitcoin; a trailing number stays (C01N13).

    With a trailing number the word needs three letters or two look-alikes, so names like "B1A4"
    stay as they are.
    """
    token = match.group()
    core = token.rstrip("0123456789")
    if not all(char.isalpha() or char in "01" for char in core):
        return None
    letters = [char for char in core if char.isalpha()]
    if core != token and len(letters) < 3 and sum(char in "01" for char in core) < 2:
        return None
    capitals = [char for char in letters if char != "l"]
    if len(capitals) >= 2 and all(char.isupper() for char in capitals):
        if "0" in core or "1" in core or "l" in core:
            return core.translate(_UPPER_LOOKALIKES) + token[len(core) :]
    elif all(char.islower() for char in letters) and ("0" in core or "1" in core):
        return core.translate(_LOWER_LOOKALIKES) + token[len(core) :]
    return None


def deobfuscate_latin(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """Latin letters and look-alike digits: split letters, C0lN, 3oo만.

    Each rule first checks for a character it needs, which skips most rules on most messages.
    """
    if not _ANY_LATIN.search(text):
        return text, offsets
    text, offsets = sub_mapped(_LATIN_CHAIN, _join_latin_chain, text, offsets)
    text, offsets = sub_mapped(_LATIN_SPACED, _remove_spaces, text, offsets)
    if any(char in text for char in "01l"):
        text, offsets = sub_mapped(_LATIN_WORD, _fix_lookalikes, text, offsets)
    if "o" in text or "O" in text:
        text, offsets = sub_mapped(_DIGITS_WITH_O, _o_to_zero, text, offsets)
    return text, offsets


def _o_to_zero(match: re.Match[str]) -> str:
    return match.group().replace("o", "0").replace("O", "0")


# --- Hangul -------------------------------------------------------------------------------------

# Vertical strokes pushed between syllables: "비II트", "코ll인", "초l대".
_FILLER = re.compile(r"(?<=[가-힣])[lIi|]{1,3}(?=[가-힣])")
_PARTICLES_AFTER_NUMERAL = frozenset("은는이가을를의에와과도로")
# Separators between syllables: one or two symbols, but not brackets, quotes or an ellipsis, which
# mark real structure ("앞(으)로", "'진짜'입니다", "아...네").
_HANGUL_GLUE = r"(?:[^\w\s()\[\]{}<>\"'“”‘’「」『』…]|[_ㆍ]){1,2}"
_HANGUL_GLUE_RE = re.compile(_HANGUL_GLUE)
# Three or more single syllables joined by one repeated separator, starting a word: "해.외.선.물",
# "가▒입▒특▒별". A changing separator ("환_전..항상") or commas only ("토,일,공휴일") is not one chain.
_HANGUL_CHAIN = re.compile(
    rf"(?<![가-힣])[가-힣](?P<glue>{_HANGUL_GLUE})[가-힣](?:(?P=glue)[가-힣])+"
)
# One-syllable words and counters common in ordinary Korean ("할 수", "좀 더", "물 한 잔"): a
# spaced-out run with two of them is a sentence, not a spaced-out word.
_STANDALONE_SYLLABLES = frozenset(
    "수것거게걸때줄듯번더좀잘안못또꼭다왜뭐딱참늘곧막꽤한두세네그이저새몇각내제너나난날널할볼될알갈살올쓸탈본간온된건뿐"
    "개명잔권장달년분초살층병벌채척줌만"
)
# Four or more spaced-out syllables ("긴 급 공 지"); shorter runs are joined only for lexicon words.
_SPACED_RUN = re.compile(r"(?<!\w)[가-힣](?: [가-힣]){3,}(?!\w)")
_PARTICLE = "[은는이가을를의에도만로]"
_WORD_BREAKS = frozenset(".,!?")

# Spam vocabulary whose split spellings ("수.익", "코 인") are joined; a word list reads best as text.
DEFAULT_LEXICON: tuple[str, ...] = tuple(
    """
    수익 수익률 주식 종목 해외 선물 해외선물 해선 무료 유료 투자 시장 코인 비트 비트코인 이더리움 리플
    가상화폐 암호화폐 거래소 거래 체결 단타 관망 입장 초대 입장코드 참여코드 코드 비밀 비밀번호 비번 암호
    환급 환전 충전 첫충 매충 출금 입금 보장 보상 원금 손실 금전 지급 지원 룰렛 그룹 텔레 텔레그램 카톡
    카카오 카카오톡 운영 평생 출첵 대출 한도 승인 저금리 무직자 신용 당일 전문가 작전 세력 가입 쿠폰 하락
    상승 급등 폭등 상한가 하한가 무상 로또 공시 이벤트 매수 매도 선착순 당첨 달러 리딩 리딩방 추천 혜택
    적중 토토 카지노 바카라 슬롯 스포츠 배팅 베팅 먹튀 파워볼 홀덤 포커 에볼루션 미니게임 사다리 성인
    만남 출장 조건 비아그라 시알리스 도박 보증 마진 레버리지 나스닥 공모주 증권 계좌 인증 만원 억원
    천만원 문의 상담 대박 특가 할인 게임 증정 포인트
    """.split()  # noqa: SIM905
)


def _drop_filler(match: re.Match[str]) -> str | None:
    """Remove the strokes, except a Roman numeral before a particle ("생명과학II를")."""
    if set(match.group()) == {"I"} and match.string[match.end()] in _PARTICLES_AFTER_NUMERAL:
        return None
    return ""


def _join_hangul_chain(match: re.Match[str]) -> str | None:
    """Drop the separators of a chain of single syllables ("카~지~노", "해.외.선.물")."""
    if match.group("glue") == ",":
        return None
    return match.group().replace(match.group("glue"), "")


def _join_lexicon_term(match: re.Match[str]) -> str | None:
    """A known spam word split by separators ("수.익", "지·원", "카~지~노").

    Inside a longer word only unusual separators count: "노출.장난" and "금융감독원,금융위" hold
    a sentence or list break, not a split "출장" or "원금".
    """
    term = match.group()
    parts = _HANGUL_GLUE_RE.split(term)
    if len(parts) == 1:
        return None
    start = match.start()
    inside_word = start > 0 and "가" <= match.string[start - 1] <= "힣"
    if inside_word and any(char in _WORD_BREAKS for char in term):
        return None
    return "".join(parts)


def _join_spaced_run(match: re.Match[str]) -> str | None:
    """Spaced-out syllables ("긴 급 공 지") unless they read as a sentence ("좀 더 알 수")."""
    syllables = match.group().split(" ")
    if sum(syllable in _STANDALONE_SYLLABLES for syllable in syllables) >= 2:
        return None
    return "".join(syllables)


def _trie_pattern(words: list[str], glue: str) -> str:
    """A regex matching any of `words` (longest first) with an optional `glue` between characters."""
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word[1:])
    branches = []
    for first in sorted(by_first):
        rests = [rest for rest in by_first[first] if rest]
        if not rests:
            branches.append(re.escape(first))
            continue
        tail = glue + _trie_pattern(rests, glue)
        optional = "?" if "" in by_first[first] else ""
        branches.append(f"{re.escape(first)}(?:{tail}){optional}")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


@lru_cache(maxsize=8)
def _lexicon_patterns(lexicon: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The pattern for terms split by separators, and the one for terms written syllable by syllable.

    A spaced two-syllable term starting with a common one-syllable word ("수 익" in "할 수 익히다")
    is left out: in ordinary text those are two words.
    """
    glued = re.compile(_trie_pattern(sorted(set(lexicon)), f"(?:{_HANGUL_GLUE})?"))
    spaced_terms = sorted(
        " ".join(term)
        for term in set(lexicon)
        if len(term) > 2 or term[0] not in _STANDALONE_SYLLABLES
    )
    spaced = re.compile(
        rf"(?<!\w)(?:{'|'.join(map(re.escape, spaced_terms))})(?={_PARTICLE}?(?!\w))"
    )
    return glued, spaced


def check_lexicon(lexicon: tuple[str, ...]) -> None:
    """Lexicon terms are Hangul words of two or more syllables; anything else is a config error."""
    for term in lexicon:
        if len(term) < 2 or not all("가" <= char <= "힣" for char in term):
            raise ValueError(f"lexicon term {term!r} must be two or more Hangul syllables")


def deobfuscate_hangul(
    text: str, offsets: list[int], lexicon: tuple[str, ...], join_spaced: bool
) -> tuple[str, list[int]]:
    """Hangul: filler strokes, separator chains, split lexicon words, spaced-out syllables."""
    if any(stroke in text for stroke in "lIi|"):
        text, offsets = sub_mapped(_FILLER, _drop_filler, text, offsets)
    text, offsets = sub_mapped(_HANGUL_CHAIN, _join_hangul_chain, text, offsets)
    glued, spaced = _lexicon_patterns(lexicon) if lexicon else (None, None)
    if join_spaced:
        # Whole runs first ("물 려 계 신 종 목" is one word, not "...종목"); lexicon pairs can split
        # a run that read as a sentence, so runs are checked once more after them.
        text, offsets = sub_mapped(_SPACED_RUN, _join_spaced_run, text, offsets)
        if spaced is not None:
            before_pairs = text
            text, offsets = sub_mapped(spaced, _remove_spaces, text, offsets)
            if text != before_pairs:
                text, offsets = sub_mapped(_SPACED_RUN, _join_spaced_run, text, offsets)
    # Last, so that words joined above can complete a split term ("해 외~선_물" -> "해외선물").
    if glued is not None:
        text, offsets = sub_mapped(glued, _join_lexicon_term, text, offsets)
    return text, offsets
