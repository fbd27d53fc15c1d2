"""Keyword labels from a large language model behind any OpenAI-compatible chat endpoint, asked
through the `openai` SDK (`llm_client`; `pip install 'electra-rtd[llm]'`).

The same job as the silver labeller, done by asking a model: messages go in batches (one request
answers several), the model returns keyword strings per message id as JSON, and each string is
placed on its message as spans (`align_keywords`: exactly, else through normalisation; strings not
found are dropped and counted, since a model sometimes paraphrases). Answers are cached on disk
per message, so an interrupted run resumes without paying twice. By default the slots of each
message (phone numbers, links, names, codes... see `mask_pii`) are masked before it is sent: they
are never keywords, the endpoint need not see them, and copies of one spam that differ only in
them share one cached answer.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from electra_rtd.corpus_tools.keyword_alignment import align_keywords
from electra_rtd.corpus_tools.llm_cache import AnswerCache, cache_key
from electra_rtd.corpus_tools.llm_client import ChatClient, Endpoint
from electra_rtd.data.labelled import DEFAULT_LABEL, LabelledMessage
from electra_rtd.text.normalise import NormaliseConfig
from electra_rtd.text.privacy import mask_for_display, mask_pii

logger = logging.getLogger(__name__)

SOURCE = "llm"
# Batches between two progress lines in the log.
PROGRESS_EVERY = 10

DEFAULT_PROMPT = """\
You tag keywords in Korean short messages (SMS, messenger chat, notices, advertising and spam).
A keyword is a word or short phrase that says what a message is about: products, services, brands,
organisations, topics and scam bait (for example 택배, 리딩방, 비트코인, 대출, 신한은행).
Not keywords: greetings, generic words (안내, 확인, 고객, 문의), personal names, phone numbers,
links, amounts, dates, codes, and placeholders such as <PHONE> or <URL>.
Copy every keyword exactly as it is written in the message, including unusual spellings
(비II트코인, b.t.c). A message may have no keywords.
The user sends {"messages": [{"id": 1, "text": "..."}, ...]}. Answer with JSON only:
{"results": [{"id": 1, "keywords": ["..."]}, ...]}, one entry per message id."""

_CODE_FENCE = re.compile(r"\A\s*```(?:json)?\s*(.*?)\s*```\s*\Z", re.DOTALL)


@dataclass(frozen=True)
class LlmConfig(Endpoint):
    """The endpoint (base URL, model, key variable, timeout, retries), then batching, cache and
    prompt; the API key itself never appears here (unset variable: requests go without one)."""

    batch_size: int = 20
    temperature: float = 0.0
    # Ask for a JSON object (`response_format`); switch off for servers that reject the option.
    json_mode: bool = True
    # SQLite file of cached answers; None disables the cache.
    cache_path: str | None = None
    mask_slots: bool = True
    prompt: str = DEFAULT_PROMPT
    label: str = DEFAULT_LABEL
    normalise: NormaliseConfig = field(default_factory=NormaliseConfig)

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.normalise, Mapping):
            object.__setattr__(self, "normalise", NormaliseConfig(**self.normalise))
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")


@dataclass
class LlmStats:
    """What a `label` call did, for the log and for checking a run."""

    messages: int = 0
    requests: int = 0
    # Distinct messages (as sent, so after masking) answered from the cache.
    cached: int = 0
    # Messages the model's answer left out or that came back malformed: not labelled at all.
    unanswered: int = 0
    keywords: int = 0
    aligned_exactly: int = 0
    aligned_normalised: int = 0
    dropped: int = 0


class LlmLabeller:
    """Label messages by asking a chat model for their keywords."""

    def __init__(self, config: LlmConfig) -> None:
        self.config = config
        self.client = ChatClient(config)
        self.stats = LlmStats()

    def label(self, texts: Sequence[str]) -> list[LabelledMessage]:
        """The answered messages, in input order, each with `meta["index"]`, its input position.

        Unanswered messages are left out rather than returned without keywords, which would
        teach a tagger that they have none; they are counted in `stats.unanswered`.
        """
        _check_texts(texts)
        self.stats = LlmStats(messages=len(texts))
        requests_before = self.client.requests
        sent = [mask_pii(text).text if self.config.mask_slots else text for text in texts]
        keys = [cache_key(self.config.model, self.config.prompt, message) for message in sent]
        to_ask = dict(zip(keys, sent, strict=True))
        cache = AnswerCache(self.config.cache_path) if self.config.cache_path else None
        try:
            answers = cache.get_many(list(to_ask)) if cache else {}
            self.stats.cached = len(answers)
            missing = [key for key in to_ask if key not in answers]
            size = self.config.batch_size
            batches = [missing[start : start + size] for start in range(0, len(missing), size)]
            for number, batch in enumerate(batches, 1):
                answered = self._ask(batch, to_ask)
                answers.update(answered)
                if cache and answered:
                    cache.put_many(answered)
                if number % PROGRESS_EVERY == 0:
                    logger.info("asked %d of %d batches", number, len(batches))
        finally:
            if cache:
                cache.close()
        self.stats.requests = self.client.requests - requests_before
        labelled = [
            self._labelled(index, text, answers[key])
            for index, (text, key) in enumerate(zip(texts, keys, strict=True))
            if key in answers
        ]
        self.stats.unanswered = len(texts) - len(labelled)
        logger.info("LLM labels: %s", self.stats)
        return labelled

    def _ask(self, batch: list[str], to_ask: dict[str, str]) -> dict[str, list[str]]:
        """Answers for one batch by cache key; what the model left out is missing."""
        ids = {number: key for number, key in enumerate(batch, 1)}
        payload = {"messages": [{"id": n, "text": to_ask[key]} for n, key in ids.items()]}
        options: dict[str, Any] = {"temperature": self.config.temperature}
        if self.config.json_mode:
            options["response_format"] = {"type": "json_object"}
        content = self.client.complete(
            [
                {"role": "system", "content": self.config.prompt},
                {"role": "user", "content": json.dumps(payload, ensure_ascii=False)},
            ],
            **options,
        )
        try:
            by_id = parse_answer(content)
        except ValueError as error:
            logger.warning("unusable answer for a batch of %d messages: %s", len(batch), error)
            return {}
        answered = {ids[number]: keywords for number, keywords in by_id.items() if number in ids}
        if len(answered) < len(batch):
            logger.warning(
                "the answer left out %d of %d messages", len(batch) - len(answered), len(batch)
            )
        return answered

    def _labelled(self, index: int, text: str, keywords: list[str]) -> LabelledMessage:
        alignment = align_keywords(text, keywords, self.config.label, self.config.normalise)
        self.stats.keywords += len(keywords)
        self.stats.aligned_exactly += alignment.exact
        self.stats.aligned_normalised += alignment.normalised
        self.stats.dropped += len(alignment.dropped)
        for keyword in alignment.dropped:
            logger.debug(
                "dropped keyword %r: not in message %d (%s)",
                mask_for_display(keyword, 40),
                index,
                mask_for_display(text),
            )
        return LabelledMessage(text, alignment.spans, SOURCE, {"index": index})


def parse_answer(content: str) -> dict[int, list[str]]:
    """Keywords by message id from the model's JSON; ValueError says what is wrong with it.

    Accepted: {"results": [{"id", "keywords"}]}, a bare list of such objects, or {"<id>": [...]}
    (models drift between these even when told one). Non-string keywords are ignored.
    """
    fenced = _CODE_FENCE.match(content)
    try:
        data = json.loads(fenced.group(1) if fenced else content)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg} at character {error.pos})") from None
    if isinstance(data, dict) and "results" in data:
        data = data["results"]
    if isinstance(data, dict):
        items = [{"id": key, "keywords": value} for key, value in data.items()]
    elif isinstance(data, list):
        items = data
    else:
        raise ValueError(f"expected an object or a list, got {type(data).__name__}")
    answers: dict[int, list[str]] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("keywords"), list):
            raise ValueError("every result needs an id and a list of keywords")
        try:
            number = int(item.get("id"))
        except (TypeError, ValueError):
            shown = mask_for_display(str(item.get("id")), 20)
            raise ValueError(f"result id {shown!r} is not a number") from None
        answers[number] = [word for word in item["keywords"] if isinstance(word, str)]
    return answers


def _check_texts(texts: Sequence[str]) -> None:
    if isinstance(texts, str):
        raise TypeError("label takes a sequence of messages, not one str: wrap it in a list")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"message {index} is a {type(text).__name__}, not a str")
        if not text.strip():
            raise ValueError(f"message {index} is blank")
