"""A minimal client for OpenAI-compatible chat endpoints (`POST {base_url}/chat/completions`).

Standard library only, so any server that speaks the protocol (OpenAI, vLLM, Ollama, llama.cpp...)
works without an SDK. Rate limits, server errors and timeouts are retried with bounded exponential
back-off. The API key is read from an environment variable at request time and goes only into the
Authorization header: it is never logged, and no log line holds a request or response body
without masking.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from electra_rtd.corpus_tools.privacy import mask_for_display

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Characters of an error body kept (masked) in an exception message.
ERROR_SNIPPET = 200


class LlmRequestError(RuntimeError):
    """The endpoint refused a request, or kept failing after every retry."""


@dataclass(frozen=True)
class Endpoint:
    """Where requests go and how patiently they are retried."""

    # As OpenAI's clients take it: including the version, e.g. "https://api.openai.com/v1".
    base_url: str
    model: str
    api_key_env: str = "OPENAI_API_KEY"
    timeout_s: float = 60.0
    # Retries after the first attempt; waits double from `backoff_s` up to `max_backoff_s`.
    max_retries: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")
        if not self.model:
            raise ValueError("model must name the model to ask")
        if self.max_retries < 0 or self.backoff_s < 0 or self.timeout_s <= 0:
            raise ValueError("max_retries and backoff_s must be >= 0 and timeout_s > 0")

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"


class ChatClient:
    """Send chat requests and return the answer's text."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.requests = 0
        if not os.environ.get(endpoint.api_key_env):
            logger.info(
                "no API key in $%s: requests to %s go without one",
                endpoint.api_key_env,
                endpoint.url,
            )

    def complete(self, messages: list[dict[str, str]], **options: Any) -> str:
        """The content of the first choice; `options` (temperature, response_format...) are sent
        as they are."""
        body = json.dumps(
            {"model": self.endpoint.model, "messages": messages, **options}, ensure_ascii=False
        ).encode("utf-8")
        response = self._post_with_retries(body)
        try:
            return response["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise LlmRequestError(
                f"{self.endpoint.url}: the response has no choices[0].message.content"
            ) from None

    def _post_with_retries(self, body: bytes) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                return self._post(body)
            except _Retryable as error:
                if attempt >= self.endpoint.max_retries:
                    raise LlmRequestError(
                        f"{self.endpoint.url}: gave up after {attempt + 1} attempts: {error}"
                    ) from None
                wait = min(self.endpoint.backoff_s * 2**attempt, self.endpoint.max_backoff_s)
                if error.retry_after is not None:
                    wait = min(max(wait, error.retry_after), self.endpoint.max_backoff_s)
                logger.warning(
                    "%s: %s; retry %d/%d in %.1fs",
                    self.endpoint.url,
                    error,
                    attempt + 1,
                    self.endpoint.max_retries,
                    wait,
                )
                time.sleep(wait)
                attempt += 1

    def _post(self, body: bytes) -> dict[str, Any]:
        request = urllib.request.Request(
            self.endpoint.url, data=body, headers=self._headers(), method="POST"
        )
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.endpoint.timeout_s) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            # Redacted before masking and shortening, which could cut the key into pieces.
            detail = mask_for_display(
                self._redacted(error.read().decode("utf-8", "replace")), ERROR_SNIPPET
            )
            if error.code in RETRY_STATUSES:
                raise _Retryable(f"HTTP {error.code}", _retry_after(error)) from None
            raise LlmRequestError(f"{self.endpoint.url}: HTTP {error.code}: {detail}") from None
        except (
            TimeoutError,
            urllib.error.URLError,
            ConnectionError,
            http.client.HTTPException,
        ) as error:
            reason = getattr(error, "reason", error)
            raise _Retryable(f"{type(reason).__name__}: {reason}", None) from None
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            raise LlmRequestError(f"{self.endpoint.url}: the response is not JSON") from None

    def _redacted(self, text: str) -> str:
        """`text` without the API key: a 401 answer may quote the key it rejected."""
        key = os.environ.get(self.endpoint.api_key_env)
        return text.replace(key, "<API_KEY>") if key else text

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.endpoint.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers


class _Retryable(Exception):
    """A failure worth another try (rate limit, server error, timeout, refused connection)."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    """Seconds from a Retry-After header given in seconds (the HTTP-date form is ignored)."""
    value = error.headers.get("Retry-After") if error.headers else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
