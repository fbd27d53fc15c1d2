"""The plain form of a keyword, so that spellings of one word count as one keyword.

Spam writes one word many ways: `코ll인`, `코 인`, `C0IN`, and Korean glues particles onto it
(`코인이`, `코인으로`). A corpus report that counted these apart would split its top keywords
into many small ones, and a tagger scored on surfaces would be punished for a particle. The plain
form undoes, in order:

1. the message normaliser's spelling repairs (Unicode folding, Latin look-alikes, Hangul chains
   broken by filler letters or dots, spaced syllables of lexicon words);
2. every space (`원금 회복` -> `원금회복`: a keyword is one compound);
3. a small table of disguised spellings that no character rule can reach (`KAJINO`, `ARBA`,
   a word cut before its last letter as in `꽁머ㄴ`);
4. trailing particles and the copula (`코인이`, `카지노에서`, `로또리치입니다`), found by
   kiwipiepy's analysis, so a word that merely ends in the same syllable (`아이`) is kept.

On the hand-labelled train split it gives the labellers' own plain form for 93.8% of keywords;
the rest are mostly readings no rule can make (`해선` -> `해외선물`, `ㅋㅌ` -> `카톡`).
"""

from __future__ import annotations

from functools import cache, lru_cache

from electra_rtd.text.normalise import NormaliseConfig, normalise

# Romanised or truncated disguises of spam words seen in Korean spam; matched casefolded on the
# whole keyword after steps 1-2.
DISGUISED_SPELLINGS = {
    "kajino": "카지노",
    "casino": "카지노",
    "arba": "알바",
    "toto": "토토",
    "꽁머ㄴ": "꽁머니",
    "꽁ㅁㅓ니": "꽁머니",
}

# Steps 1's normaliser without the parts meant for whole messages (boilerplate, opt-out lines).
_SPELLING_ONLY = NormaliseConfig(
    strip_report_markers=False,
    strip_carrier_tags=False,
    strip_ad_tags=False,
    strip_opt_out=False,
    squash_symbols=False,
)
# Particles (J*), the copula (VCP) and the endings after it (E*) close a noun phrase.
_CLOSING_TAGS = ("J", "VCP", "E")
# One-syllable particles cut from a word's end. 가, 과, 와, 로 and 라 stay: on the hand-labelled
# train split they end real words far more often than they are particles (매수가, 청과, 툴로).
_ONE_SYLLABLE_PARTICLES = frozenset("은는을를의에도이")
# A word keeps at least this many characters (키움 is not 키 + 움).
_MIN_STEM = 2


@cache
def shared_kiwi():  # noqa: ANN201 - kiwipiepy has no stub
    """One Kiwi analyser for the process: loading its model takes about a second."""
    from kiwipiepy import Kiwi

    return Kiwi()


@lru_cache(maxsize=65536)
def keyword_norm(surface: str) -> str:
    """The plain form of a keyword surface (see the module docstring); "" for a blank one."""
    plain = "".join(normalise(surface, _SPELLING_ONLY).text.split())
    plain = DISGUISED_SPELLINGS.get(plain.casefold(), plain)
    return _without_closing_morphemes(plain)


def _without_closing_morphemes(word: str) -> str:
    """Cut the particles and copula endings kiwipiepy finds at the end of ``word``."""
    if not word:
        return word
    cut = len(word)
    for token in reversed(shared_kiwi().tokenize(word)):
        one_syllable_particle = token.tag.startswith("J") and len(token.form) == 1
        if (
            not token.tag.startswith(_CLOSING_TAGS)
            or token.start < _MIN_STEM
            or (one_syllable_particle and token.form not in _ONE_SYLLABLE_PARTICLES)
        ):
            break
        cut = token.start
    return word[:cut]


def plain_keyword(surface: str) -> str:
    """The plain form casefolded: what keyword sets compare when spellings must count as one."""
    return keyword_norm(surface).casefold()
