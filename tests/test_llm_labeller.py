"""LLM keyword labels against a small OpenAI-compatible server that the tests start on 127.0.0.1:
batching, retries, the cache, alignment of the answers, and that the API key stays out of logs."""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from electra_rtd.corpus_tools.keyword_alignment import align_keywords
from electra_rtd.corpus_tools.llm_client import LlmRequestError
from electra_rtd.corpus_tools.llm_labeller import LlmConfig, LlmLabeller, parse_answer
from electra_rtd.text.spans import Span

KEY_ENV = "ELECTRA_RTD_TEST_LLM_KEY"
SECRET = "sk-test-6f1d0c9a-never-log-me"
# What the fake model answers for a message containing the key string.
ANSWERS = {
    "리딩방": ["비트코인", "리딩방"],
    "택배": ["택배", "배송"],
    "카지노": ["카지노", "이더리움"],
}
MESSAGES = [
    "비II트코인 리딩방 문의 010-1234-5678",
    "택배 배송 완료 안내입니다",
    "카지노 첫충 이벤트 han.gl/AbCd 문의 010-9876-5432",
]


def model_answer(request: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI-style reply naming, for each message sent, the keywords of ANSWERS."""
    sent = json.loads(request["messages"][1]["content"])["messages"]
    results = []
    for message in sent:
        keywords = next((v for k, v in ANSWERS.items() if k in message["text"]), [])
        results.append({"id": message["id"], "keywords": keywords})
    content = json.dumps({"results": results}, ensure_ascii=False)
    return {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}


Reply = Callable[[dict[str, Any]], tuple[int, Any]]


class FakeChatServer(ThreadingHTTPServer):
    """Replies from `script` (one reply per request, in order), then with `model_answer`."""

    daemon_threads = True

    def __init__(self, script: list[Reply]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = list(script)
        # Headers as received: looked up without regard to case, as HTTP has it.
        self.requests: list[tuple[Message, dict[str, Any]]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a reply to a client that timed out fails on purpose in the timeout test."""

    def reply(self, headers: Message, body: dict[str, Any]) -> tuple[int, Any]:
        self.requests.append((headers, body))
        if self.script:
            return self.script.pop(0)(body)
        return 200, model_answer(body)


class _Handler(BaseHTTPRequestHandler):
    server: FakeChatServer

    def do_POST(self) -> None:
        assert self.path == "/v1/chat/completions", self.path
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        status, answer = self.server.reply(self.headers, body)
        payload = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the server's access log is not what these tests look at."""


def status(code: int, body: Any = "{}") -> Reply:
    return lambda request: (code, body)


def slow(seconds: float) -> Reply:
    def reply(request: dict[str, Any]) -> tuple[int, Any]:
        time.sleep(seconds)
        return 200, model_answer(request)

    return reply


def content(text: str) -> Reply:
    return lambda request: (200, {"choices": [{"message": {"content": text}}]})


@pytest.fixture
def serve() -> Iterator[Callable[..., FakeChatServer]]:
    servers: list[FakeChatServer] = []

    def start(*script: Reply) -> FakeChatServer:
        server = FakeChatServer(list(script))
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def config(server: FakeChatServer, **overrides: Any) -> LlmConfig:
    settings = {
        "base_url": server.base_url,
        "model": "test-model",
        "api_key_env": KEY_ENV,
        "batch_size": 2,
        "timeout_s": 2.0,
        "max_retries": 2,
        **overrides,
    }
    return LlmConfig(**settings)


def test_answers_become_spans_on_the_original_messages(serve, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server = serve()
    labeller = LlmLabeller(config(server))
    labelled = labeller.label(MESSAGES)
    assert [message.keywords for message in labelled] == [
        ["비II트코인", "리딩방"],  # "비트코인" found through normalisation
        ["택배", "배송"],
        ["카지노"],  # "이더리움" is not in the message
    ]
    assert {message.source for message in labelled} == {"llm"}
    assert [message.meta["index"] for message in labelled] == [0, 1, 2]
    stats = labeller.stats
    assert (stats.requests, stats.keywords, stats.dropped) == (2, 6, 1)
    assert (stats.aligned_exactly, stats.aligned_normalised) == (4, 1)


def test_requests_batch_messages_and_carry_the_key_and_no_slots(serve, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server = serve()
    LlmLabeller(config(server, batch_size=2)).label(MESSAGES)
    assert len(server.requests) == 2
    headers, body = server.requests[0]
    assert headers["Authorization"] == f"Bearer {SECRET}"
    assert body["model"] == "test-model"
    assert body["response_format"] == {"type": "json_object"}
    assert [message["role"] for message in body["messages"]] == ["system", "user"]
    sent = [
        message["text"]
        for _, request in server.requests
        for message in json.loads(request["messages"][1]["content"])["messages"]
    ]
    assert len(sent) == 3
    assert sent[0] == "비II트코인 리딩방 문의 <PHONE>"
    assert "han.gl" not in sent[2]


def test_messenger_ids_and_spaced_numbers_never_reach_the_endpoint(serve, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server = serve()
    messages = ["리딩방 카톡 ID secretuser 문의", "택배 ID:secretuser 0 1 0 - 1 2 3 4 - 5 6 7 8"]
    LlmLabeller(config(server)).label(messages)
    body = json.dumps([request for _, request in server.requests], ensure_ascii=False)
    assert "secretuser" not in body
    assert "1 2 3 4" not in body and "5 6 7 8" not in body


def test_a_server_error_is_retried(serve) -> None:
    server = serve(status(500, {"error": "overloaded"}))
    labeller = LlmLabeller(config(server, batch_size=10))
    labelled = labeller.label(MESSAGES)
    assert len(server.requests) == 2
    assert labeller.stats.requests == 2, "retries are counted as requests"
    assert len(labelled) == 3


def test_without_a_key_requests_carry_no_authorization(serve, monkeypatch) -> None:
    """Local servers (vLLM, Ollama) take none; the SDK, which insists on one, sends none either,
    and the OPENAI_API_KEY of another service is not sent in its place."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    server = serve()
    assert len(LlmLabeller(config(server)).label(MESSAGES[:1])) == 1
    headers, _ = server.requests[0]
    assert headers.get("Authorization") is None


def test_without_the_openai_sdk_the_error_says_how_to_install_it(serve, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)  # as if not installed
    with pytest.raises(ImportError, match=r"pip install 'electra-rtd\[llm\]'"):
        LlmLabeller(config(serve()))


def test_a_timeout_is_retried(serve) -> None:
    server = serve(slow(3.0))
    labelled = LlmLabeller(config(server, batch_size=10, timeout_s=1.0)).label(MESSAGES[:1])
    assert len(server.requests) == 2
    assert labelled[0].keywords == ["비II트코인", "리딩방"]


def test_retries_are_bounded(serve) -> None:
    server = serve(*[status(503)] * 10)
    with pytest.raises(LlmRequestError, match="gave up after 3 attempts: HTTP 503"):
        LlmLabeller(config(server, max_retries=2)).label(MESSAGES[:1])
    assert len(server.requests) == 3


def test_a_client_error_is_not_retried_and_hides_the_key(serve, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server = serve(status(401, {"error": f"Incorrect API key provided: {SECRET}"}))
    with pytest.raises(LlmRequestError, match="HTTP 401") as raised:
        LlmLabeller(config(server)).label(MESSAGES[:1])
    assert len(server.requests) == 1
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize(
    ("body", "expected"),
    [("not json", "the response is not JSON"), ({"id": "x"}, "no choices[0].message.content")],
)
def test_a_response_that_is_no_chat_completion_is_an_error(serve, body, expected) -> None:
    server = serve(status(200, body))
    with pytest.raises(LlmRequestError, match=re.escape(expected)):
        LlmLabeller(config(server)).label(MESSAGES[:1])
    assert len(server.requests) == 1


def test_the_cache_answers_a_second_run_without_requests(serve, tmp_path) -> None:
    server = serve()
    cache = str(tmp_path / "answers.sqlite")
    first = LlmLabeller(config(server, cache_path=cache)).label(MESSAGES)
    asked = len(server.requests)
    again = LlmLabeller(config(server, cache_path=cache, batch_size=3))
    assert again.label(MESSAGES) == first
    assert len(server.requests) == asked
    assert again.stats.cached == 3
    # Another model is another question.
    LlmLabeller(config(server, cache_path=cache, model="other-model")).label(MESSAGES[:1])
    assert len(server.requests) == asked + 1


def test_unusable_answers_leave_messages_unlabelled_and_uncached(serve, tmp_path) -> None:
    cache = str(tmp_path / "answers.sqlite")
    server = serve(content("Sure! Here are the keywords: 택배"))
    labeller = LlmLabeller(config(server, cache_path=cache, batch_size=10))
    assert labeller.label(MESSAGES) == []
    assert labeller.stats.unanswered == 3
    assert len(LlmLabeller(config(server, cache_path=cache)).label(MESSAGES)) == 3


def test_the_api_key_never_reaches_the_log(serve, monkeypatch, caplog) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    caplog.set_level(logging.DEBUG)
    server = serve(status(429), status(502))
    LlmLabeller(config(server, batch_size=10)).label(MESSAGES)
    assert server.requests[-1][0]["Authorization"] == f"Bearer {SECRET}"
    assert "Retrying request" in caplog.text  # the SDK's retries and the dropped keyword ...
    assert "dropped keyword" in caplog.text
    assert SECRET not in caplog.text  # ... without the key
    assert "010-9876-5432" not in caplog.text  # the dropped keyword's message, masked


def test_parse_answer_reads_the_shapes_models_return() -> None:
    expected = {1: ["택배"], 2: []}
    assert (
        parse_answer('{"results": [{"id": 1, "keywords": ["택배"]}, {"id": 2, "keywords": []}]}')
        == expected
    )
    assert (
        parse_answer('```json\n[{"id": "1", "keywords": ["택배"]}, {"id": 2, "keywords": []}]\n```')
        == expected
    )
    assert parse_answer('{"1": ["택배", 7], "2": []}') == expected
    with pytest.raises(ValueError, match="not JSON"):
        parse_answer("택배")
    with pytest.raises(ValueError, match="list of keywords"):
        parse_answer('{"results": [{"id": 1, "keywords": "택배"}]}')


def test_alignment_finds_every_occurrence_longest_first() -> None:
    text = "비트코인 코인 리딩방, 코인 b.t.c"
    alignment = align_keywords(text, ["코인", "비트코인", "BTC", "이더리움", " "], "KW")
    assert [text[s.start : s.end] for s in alignment.spans] == ["비트코인", "코인", "코인", "b.t.c"]
    assert alignment.spans[0] == Span(0, 4, "KW")
    assert (alignment.exact, alignment.normalised, alignment.dropped) == (2, 1, ("이더리움",))
