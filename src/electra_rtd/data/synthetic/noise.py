"""Piece-level noise: spam obfuscation of keywords, casual chat spelling and spacing slips.

Every function works on one piece's text, so span offsets stay exact. Obfuscation keeps a
keyword's first and last characters non-blank: separators only go between characters.
"""

from __future__ import annotations

from itertools import pairwise
from random import Random

from electra_rtd.data.synthetic.lexicon import SPAM_SPELLINGS

_SEPARATORS = (".", ".", "~", " ", "-", "/", "_", "*", "ㅣ", "♡", ",")
_FILLERS = ("ll", "II", "l", ".", " ", "ㅣ")
_LOOKALIKES = {
    "O": "0",
    "o": "0",
    "I": "l",
    "i": "1",
    "l": "I",
    "S": "$",
    "A": "4",
    "E": "3",
    "B": "8",
    "T": "7",
    "C": "(",
}
_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3

# Formal or standard spellings in chat templates, and how people actually type them.
CASUAL_SPELLINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("했어", ("했엉", "했음", "햇어", "했당")),
    ("갈게", ("갈께", "감", "갈겡")),
    ("진짜", ("ㄹㅇ", "진짜루", "찐", "진쨔")),
    ("너무", ("넘", "너므", "넘나")),
    ("괜찮", ("갠찮", "괜찬")),
    ("알았어", ("ㅇㅋ", "알써", "ㅇㅇ")),
    ("뭐해", ("머해", "모해", "뭐함", "뭐햄")),
    ("있어", ("이써", "있엉", "있음")),
    ("재밌", ("잼있", "재밋")),
    ("축하해", ("추카해", "ㅊㅋㅊㅋ", "축하축하")),
    ("같이", ("가치", "같이같이")),
    ("오늘", ("오눌", "오늘오늘")),
    ("먹을래", ("먹을랭", "먹을래??", "먹을뤠")),
    ("보자", ("보쟈", "ㄱㄱ")),
    ("어때", ("어땡", "ㅇㄸ", "어떰")),
    ("할게", ("할께", "할겡")),
    ("와라", ("와랑", "와라~")),
    ("거야", ("거얌", "꺼야")),
    ("해요", ("해용", "해여")),
    ("요.", ("용~", "요~", "요!!")),
    ("니?", ("니??", "니~?")),
    ("지금", ("지굼", "ㅈㄱ")),
    ("그래서", ("그래서ㅋ", "그니까")),
    ("감사합니다", ("감사해요", "감사합니당", "ㄳ")),
)


def obfuscate(word: str, rng: Random) -> str:
    """A spam-style spelling of `word` that differs from it (b.t.c, 카~지~노, 코ll인, ㅋ지노)."""
    variants = SPAM_SPELLINGS.get(word)
    if variants and rng.random() < 0.7:
        return rng.choice(variants)
    method = rng.randrange(4)
    if method == 1:
        candidate = _lookalike(word, rng)
    elif method == 2:
        candidate = _insert_filler(word, rng)
    elif method == 3:
        candidate = _initial_jamo(word, rng)
    else:
        candidate = word
    if candidate == word:
        candidate = _interleave(word, rng.choice(_SEPARATORS))
    return candidate


def _interleave(word: str, separator: str) -> str:
    out = [word[0]]
    for previous, char in pairwise(word):
        if previous != " " and char != " ":
            out.append(separator)
        out.append(char)
    return "".join(out)


def _lookalike(word: str, rng: Random) -> str:
    positions = [i for i, char in enumerate(word) if char in _LOOKALIKES]
    if not positions:
        return word
    i = rng.choice(positions)
    return word[:i] + _LOOKALIKES[word[i]] + word[i + 1 :]


def _insert_filler(word: str, rng: Random) -> str:
    inner = [i for i in range(1, len(word)) if word[i - 1] != " " and word[i] != " "]
    if not inner:
        return word
    i = rng.choice(inner)
    return word[:i] + rng.choice(_FILLERS) + word[i:]


def _initial_jamo(word: str, rng: Random) -> str:
    """Replace one Hangul syllable by its initial consonant (카지노 -> ㅋ지노)."""
    syllables = [i for i, char in enumerate(word) if _HANGUL_FIRST <= ord(char) <= _HANGUL_LAST]
    if len(syllables) < 2:
        return word
    i = rng.choice(syllables)
    initial = _CHOSEONG[(ord(word[i]) - _HANGUL_FIRST) // 588]
    return word[:i] + initial + word[i + 1 :]


def casualize(text: str, rng: Random, probability: float) -> str:
    """Swap standard spellings for chat spellings, each with `probability`."""
    for standard, casual in CASUAL_SPELLINGS:
        if standard in text and rng.random() < probability:
            text = text.replace(standard, rng.choice(casual), 1)
    return text


def slip_space(text: str, rng: Random) -> str:
    """One spacing mistake: drop a space, or split two Hangul syllables with one."""
    spaces = [i for i, char in enumerate(text) if char == " " and 0 < i < len(text) - 1]
    if spaces and rng.random() < 0.6:
        i = rng.choice(spaces)
        return text[:i] + text[i + 1 :]
    joins = [i for i in range(1, len(text)) if _is_hangul(text[i - 1]) and _is_hangul(text[i])]
    if not joins:
        return text
    i = rng.choice(joins)
    return text[:i] + " " + text[i:]


def squash_spaces(text: str) -> str:
    """Drop every space, as much real spam does to dodge filters and fit one SMS."""
    return text.replace(" ", "")


def _is_hangul(char: str) -> bool:
    return _HANGUL_FIRST <= ord(char) <= _HANGUL_LAST
