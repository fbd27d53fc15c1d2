"""The silver-tagger path: which messages it may train on, and the whole run on a small dump."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from omegaconf import OmegaConf
from test_pretrain import compose_cfg

from electra_rtd.data.labelled import read_labelled
from electra_rtd.data.synthetic import generate_messages
from electra_rtd.tagging import KeywordTagger
from electra_rtd.tasks import run_task
from electra_rtd.training.silver_tagger import read_messages

HELD_OUT_DAY = "2022-12-31"
EVERYDAY = ["영화 봤어", "밥 먹었어", "산책 다녀왔어", "커피 마셨어", "게임 했어", "청소 끝냈어"]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_dump(path: Path, texts: list[str], days: list[str]) -> Path:
    """A KISA-shaped gzip-less TSV: a date column and the message, every text sent twice."""
    rows = [f"{day}\t{text}" for text, day in zip(texts, days, strict=True) for _ in range(2)]
    path.write_text("file_date\tmessage\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def write_hashes(path: Path, texts: list[str]) -> Path:
    lines = [json.dumps({"sha256": sha256(text), "keywords": []}) for text in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def dump(tmp_path: Path) -> dict[str, object]:
    # One line per row, as in the KISA file (its reader takes no quoting).
    texts = [" ".join(message.text.split()) for message in generate_messages(400, seed=3)]
    texts = list(dict.fromkeys(texts))
    days = [HELD_OUT_DAY if index % 10 == 0 else "2022-10-09" for index in range(len(texts))]
    return {
        "texts": texts,
        "held_out": {text for text, day in zip(texts, days, strict=True) if day == HELD_OUT_DAY},
        "dev": write_hashes(tmp_path / "dev.jsonl", texts[1:4]),
        "test": write_hashes(tmp_path / "test.jsonl", texts[4:6]),
        "corpus": write_dump(tmp_path / "dump.tsv", texts, days),
    }


def silver_section(dump: dict[str, object], max_messages: int = 10_000) -> OmegaConf:
    return OmegaConf.create(
        {
            "corpus": str(dump["corpus"]),
            "text_column": "message",
            "exclude": {"file_date": [HELD_OUT_DAY]},
            "exclude_hashes": [str(dump["dev"]), str(dump["test"])],
            "max_messages": max_messages,
            "seed": 0,
        }
    )


def test_training_messages_are_distinct_and_never_held_out_or_hand_labelled(dump) -> None:
    texts = read_messages(silver_section(dump))
    labelled = set(dump["texts"][1:6])
    assert len(texts) == len(set(texts))
    assert set(texts) == set(dump["texts"]) - dump["held_out"] - labelled
    assert read_messages(silver_section(dump, max_messages=50)) == texts[:50]


@pytest.mark.parametrize("pretrain_steps", [0, 3])
def test_whole_path_writes_silver_labels_and_a_tagger_for_the_cli(
    dump, tmp_path: Path, pretrain_steps: int
) -> None:
    background = tmp_path / "background.txt"
    # Enough ordinary lines that a term in a few percent of the dump stands out against them.
    lines = [
        f"{who} {what}" for who in ("친구랑", "엄마랑", "혼자", "동생이랑") for what in EVERYDAY
    ]
    background.write_text("\n".join(lines * 10) + "\n", encoding="utf-8")
    cfg = compose_cfg(
        "+experiment=kisa_silver_tagger", "model=tiny", "logger=none", "model.vocab_size=800",
        f"silver.corpus={dump['corpus']}", f"silver.background={background}",
        "silver.background_column=text", f"silver.exclude_hashes=[{dump['dev']},{dump['test']}]",
        "silver.labeller.workers=1", "trainer.max_steps=4", "trainer.batch_size=8",
        "tagging.eval_every=2", f"silver.pretrain_steps={pretrain_steps}",
    )  # fmt: skip
    metrics = run_task(cfg, tmp_path / "run")

    silver = read_labelled(tmp_path / "run" / "silver.jsonl")
    assert {message.text for message in silver} == set(read_messages(cfg.silver))
    assert sum(bool(message.spans) for message in silver) > len(silver) // 2
    vocabulary = json.loads((tmp_path / "run" / "silver_vocabulary.json").read_text())
    assert len(vocabulary) > 20
    assert metrics["test_n_messages"] > 0
    backbone = tmp_path / "run" / "pretrain"
    if pretrain_steps:
        # The backbone learnt from exactly the tagger's messages, and brought its tokenizer.
        corpus = [json.loads(line)["text"] for line in (backbone / "corpus.jsonl").open()]
        assert corpus == read_messages(cfg.silver)
        assert (backbone / "export" / "discriminator" / "config.json").is_file()
        assert not (tmp_path / "run" / "tokenizer").exists()
    else:
        assert not backbone.exists() and (tmp_path / "run" / "tokenizer").is_dir()
    tagger = KeywordTagger.from_pretrained(tmp_path / "run" / "export" / "model")
    assert len(tagger.extract(dump["texts"][:3])) == 3
