"""Shared test setup: offline hub, no W&B account, tiny models, a small hand-made tokenizer."""

from __future__ import annotations

import gzip
import os
from itertools import islice
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["WANDB_MODE"] = "disabled"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402
import torch  # noqa: E402
from transformers import BertTokenizer  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = [
    "택배",
    "##가",
    "도착",
    "##했",
    "##습니다",
    "카드",
    "승인",
    "코인",
    "리딩방",
    "대출",
    "안녕",
    "##하세요",
]
WORDS += ["비트", "##코인", "수익", "문의", "주세요", "오늘", "내일", "저녁", "먹자", "ㅋ", "##ㅋ"]


@pytest.fixture(scope="module")
def one_cpu_thread():
    """Tiny models run fastest on one thread; two fight over cores other tests are using."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def small_tokenizer() -> BertTokenizer:
    """A WordPiece tokenizer over a hand-written Korean vocabulary (no training, no hub)."""
    vocab = {token: index for index, token in enumerate(SPECIALS + WORDS)}
    return BertTokenizer(vocab=vocab, do_lower_case=False)


def requires_shared_data(*parts: str) -> pytest.MarkDecorator:
    """Skip a test cleanly where ../shared/data (or the named file in it) is absent."""
    path = SHARED_DATA.joinpath(*parts)
    return pytest.mark.skipif(not path.exists(), reason=f"{path} not available")


KISA = SHARED_DATA / "messages" / "kisa_spam_2022_reports.tsv.gz"
HELD_OUT_DAY = "2022-12-31"


def sample_kisa_messages(start: int, stop: int, step: int) -> list[str]:
    """Every ``step``-th KISA message in rows [start, stop), never from the held-out day."""
    with gzip.open(KISA, "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        date_column, message_column = header.index("file_date"), header.index("message")
        rows = (line.rstrip("\n").split("\t") for line in handle)
        return [
            row[message_column]
            for row in islice(rows, start, stop, step)
            if row[date_column] != HELD_OUT_DAY
        ]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*.json from this run instead of comparing (review the diff)",
    )
