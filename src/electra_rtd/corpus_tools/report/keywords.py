"""Keywords of every family, then counted per topic and over the whole corpus.

A family is read once, through its first message: its copies say the same thing, and spam dumps
are mostly copies. The keywords come from a trained keyword tagger when one is given; otherwise
from the silver labeller, fitted on the families against a background of ordinary messages, which
keeps the nouns that set this corpus apart. Keywords are compared and counted by their plain form
(`keyword_norm`, casefolded: `코ll인`, `코 인` and `코인이` are one keyword `코인`), in messages: a
family's keyword counts once per member row.
Anything that looks like personal data (a number, a link) is never reported as a keyword.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from tqdm.auto import tqdm

from electra_rtd.corpus_tools.silver import KEYWORDS_META, SilverConfig, SilverLabeller
from electra_rtd.data.synthetic import generate_messages
from electra_rtd.text.keyword_norm import plain_keyword
from electra_rtd.text.privacy import find_pii

if TYPE_CHECKING:
    # torch loads only when a tagger is really used.
    from electra_rtd.tagging import KeywordTagger

logger = logging.getLogger(__name__)

# Synthetic kinds that make up ordinary traffic: notices, chat and greetings, no ads or spam.
BACKGROUND_KINDS = (
    "parcel_delivery",
    "card_payment",
    "bank_notice",
    "verification_code",
    "appointment_reminder",
    "telecom_bill",
    "public_notice",
    "family_chat",
    "friend_chat",
    "greeting",
)


@dataclass(frozen=True)
class KeywordCount:
    """A keyword (normalised form) and the number of messages that contain it."""

    keyword: str
    count: int


def synthetic_background(size: int = 5000, seed: int = 0) -> list[str]:
    """Ordinary messages from the project's generator: a background that is always at hand."""
    return [message.text for message in generate_messages(size, seed, kinds=BACKGROUND_KINDS)]


def silver_keywords(
    texts: Sequence[str], background: Sequence[str], config: SilverConfig | None = None
) -> list[list[str]]:
    """The silver vocabulary terms found in each text (none if no term is frequent enough)."""
    messages = SilverLabeller(config).fit_label(texts, background)
    return [[plain_keyword(term) for term in message.meta[KEYWORDS_META]] for message in messages]


def tagger_keywords(
    texts: Sequence[str], tagger: KeywordTagger, progress: bool = False
) -> list[list[str]]:
    """The plain forms of the keywords a trained tagger finds in each text."""
    found = tqdm(
        tagger.iter_extract(texts), total=len(texts), desc="keywords", disable=not progress
    )
    return [[keyword.norm.casefold() for keyword in keywords] for keywords in found]


def reportable(keywords: Iterable[str]) -> list[str]:
    """Distinct keywords in first-seen order, without those holding personal or variable data."""
    return [keyword for keyword in dict.fromkeys(keywords) if keyword and not find_pii(keyword)]


def keyword_counts(
    family_keywords: Sequence[Collection[str]],
    family_sizes: np.ndarray,
    families: Iterable[int] | None = None,
) -> Counter[str]:
    """Messages containing each keyword, over `families` (default: all)."""
    counts: Counter[str] = Counter()
    for family in range(len(family_keywords)) if families is None else families:
        for keyword in set(family_keywords[family]):
            counts[keyword] += int(family_sizes[family])
    return counts


def top_keywords(counts: Counter[str], top: int) -> list[KeywordCount]:
    """The `top` keywords by messages; ties alphabetically, so input order does not matter."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [KeywordCount(keyword, count) for keyword, count in ranked[:top]]


def characteristic_keywords(
    counts: Counter[str], corpus_counts: Counter[str], messages: int, top: int
) -> list[KeywordCount]:
    """The `top` keywords of a part of the corpus (`counts`), most characteristic first.

    A keyword's weight is its messages in the part times its IDF over the corpus's `messages`
    (`corpus_counts`): words the whole dump uses ("입장", "안녕") do not name every topic.
    """

    def weight(item: tuple[str, int]) -> float:
        keyword, count = item
        return count * math.log(messages / corpus_counts[keyword])

    ranked = sorted(counts.items(), key=lambda item: (-weight(item), item[0]))
    return [KeywordCount(keyword, count) for keyword, count in ranked[:top]]
