"""Chat requests to any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp...) through the
`openai` SDK, the optional `llm` extra (`pip install 'electra-rtd[llm]'`).

The SDK does the transport: `base_url`, `timeout`, and `max_retries` with its exponential back-off
(honouring `Retry-After`) for rate limits, server errors, timeouts and refused connections. What
stays ours is the key handling: the key comes from the variable the user names (`api_key_env`, so
`OPENAI_API_KEY` is never sent to another server by accident), an unset variable means requests
without any key (local servers), the key is never logged, and an error quotes the server's answer
only with the key redacted and personal data masked.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from electra_rtd.text.privacy import mask_for_display

if TYPE_CHECKING:
    import openai

logger = logging.getLogger(__name__)

# Characters of an error body kept (masked) in an exception message.
ERROR_SNIPPET = 200
# The SDK will not start without a key; with none configured it gets this one, which is never
# sent: `_on_request` takes the Authorization header off every request instead.
NO_KEY = "no-key"
INSTALL_HINT = "pip install 'electra-rtd[llm]'"


class LlmRequestError(RuntimeError):
    """The endpoint refused a request, or kept failing after every retry."""


@dataclass(frozen=True)
class Endpoint:
    """Where requests go and how often they are retried."""

    # As OpenAI's clients take it: including the version, e.g. "https://api.openai.com/v1".
    base_url: str
    model: str
    api_key_env: str = "OPENAI_API_KEY"
    timeout_s: float = 60.0
    # Retries after the first attempt, waiting as the SDK does (0.5 s doubling up to 8 s, with
    # jitter, or what the server's Retry-After asks).
    max_retries: int = 4

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")
        if not self.model:
            raise ValueError("model must name the model to ask")
        if self.max_retries < 0 or self.timeout_s <= 0:
            raise ValueError("max_retries must be >= 0 and timeout_s > 0")

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"


class ChatClient:
    """Send chat requests and return the answer's text. The key is read from the environment
    when the client is made."""

    def __init__(self, endpoint: Endpoint) -> None:
        openai = _openai()
        self.endpoint = endpoint
        # HTTP requests sent, the SDK's retries included.
        self.requests = 0
        self._key = os.environ.get(endpoint.api_key_env) or None
        if self._key is None:
            logger.info(
                "no API key in $%s: requests to %s go without one",
                endpoint.api_key_env,
                endpoint.url,
            )
        self._client = openai.OpenAI(
            base_url=endpoint.base_url,
            api_key=self._key or NO_KEY,
            timeout=endpoint.timeout_s,
            max_retries=endpoint.max_retries,
            http_client=openai.DefaultHttpxClient(event_hooks={"request": [self._on_request]}),
        )

    def complete(self, messages: list[dict[str, str]], **options: Any) -> str:
        """The content of the first choice; `options` (temperature, response_format...) are
        passed to `chat.completions.create` as they are."""
        openai = _openai()
        sent_before = self.requests
        try:
            completion = self._client.chat.completions.create(
                model=self.endpoint.model, messages=messages, **options
            )
        except openai.APIError as error:
            raise self._request_error(error, self.requests - sent_before) from None
        except ValueError:  # the SDK passes a body that is not JSON on as a JSONDecodeError
            raise LlmRequestError(f"{self.endpoint.url}: the response is not JSON") from None
        try:
            content = completion.choices[0].message.content
        except (AttributeError, IndexError, TypeError):
            content = None
        if not isinstance(content, str):
            raise LlmRequestError(
                f"{self.endpoint.url}: the response has no choices[0].message.content"
            )
        return content

    def _request_error(self, error: openai.APIError, attempts: int) -> LlmRequestError:
        """What went wrong, after how many attempts, with the server's answer redacted and masked
        (redacted first: masking and shortening could cut the key into pieces)."""
        if isinstance(error, _openai().APIStatusError):
            body = mask_for_display(self._redacted(error.response.text), ERROR_SNIPPET)
            problem = f"HTTP {error.status_code}: {body}"
        else:
            problem = f"{type(error).__name__}: {mask_for_display(self._redacted(str(error)))}"
        tries = f"gave up after {attempts} attempts: " if attempts > 1 else ""
        return LlmRequestError(f"{self.endpoint.url}: {tries}{problem}")

    def _redacted(self, text: str) -> str:
        """`text` without the API key: a 401 answer may quote the key it rejected."""
        return text.replace(self._key, "<API_KEY>") if self._key else text

    def _on_request(self, request: Any) -> None:
        """httpx event hook on every HTTP request (first attempt or retry): count it, and send no
        key when none is configured."""
        self.requests += 1
        if self._key is None:
            request.headers.pop("Authorization", None)


def _openai() -> Any:
    """The `openai` module, or an ImportError saying how to install it."""
    try:
        import openai
    except ImportError:
        raise ImportError(
            f"asking a chat model needs the openai SDK, an optional extra: {INSTALL_HINT}"
        ) from None
    return openai
