"""Hand labels of real messages: the guideline's examples, plain forms, hashed records, and the
rules the real sets must keep (they join the shared data, never touch the held-out day or its
texts, and no family of near-duplicates crosses splits)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import HELD_OUT_DAY, KISA, REPO_ROOT, requires_shared_data
from electra_rtd.corpus_tools.dedup import DedupConfig, deduplicate
from electra_rtd.data.corpus import CorpusError, iter_records
from electra_rtd.data.hashed_labels import (
    hashed_record,
    join_labels,
    labelled_message,
    read_label_file,
    read_label_folder,
    text_sha256,
    write_label_file,
)
from electra_rtd.data.held_out import keep_for_training, normalised_key
from electra_rtd.data.labelled import LabelledMessage, spans_for_keywords
from electra_rtd.text.keyword_norm import keyword_norm

GUIDE = REPO_ROOT / "docs" / "labelling_guide.md"
LABELS = REPO_ROOT / "labels" / "kisa"


def guide_examples() -> list[dict]:
    block = re.search(r"```jsonl\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    return [json.loads(line) for line in block.group(1).splitlines() if line.strip()]


def test_the_guide_illustrates_every_rule_with_examples() -> None:
    rules = {example["rule"] for example in guide_examples()}
    assert {1, 2, 3, 4, 7, 8, 9} <= rules


@pytest.mark.parametrize("example", guide_examples(), ids=lambda e: e["text"][:20])
def test_guide_examples_are_labelled_as_the_guide_says(example: dict) -> None:
    """Each span stands in the message, trimmed; keyword_norm gives the guide's plain form; and a
    hashed record of the example rebuilds the same spans and plain forms."""
    text = example["text"]
    surfaces = [span for span, _ in example["keywords"]]
    for surface, norm in example["keywords"]:
        assert surface in text and surface == surface.strip()
        assert keyword_norm(surface) == norm
    message = LabelledMessage(text, spans_for_keywords(text, surfaces))
    norms = [dict(example["keywords"])[surface] for surface in message.keywords]
    record = hashed_record(message, norms)
    assert "text" not in record and record["sha256"] == text_sha256(text)
    rebuilt = labelled_message(text, json.loads(json.dumps(record)), "hand")
    assert rebuilt.spans == message.spans and rebuilt.meta["norms"] == norms


@pytest.mark.parametrize(
    ("surface", "plain"),
    [
        ("코ll인", "코인"),  # look-alike letters inside a word
        ("코 인", "코인"),  # spaced syllables
        ("코인이", "코인"),  # a particle
        ("비II트", "비트"),
        ("카지노에서", "카지노"),
        ("리딩방으로", "리딩방"),
        ("로또리치입니다", "로또리치"),  # the copula and its ending
        ("KT엠모바일의", "KT엠모바일"),
        ("원금 회복", "원금회복"),
        ("KAJINO", "카지노"),  # a disguise no character rule reaches
        ("아이", "아이"),  # ends like a particle but is one word
        ("택배", "택배"),
    ],
)
def test_plain_form_of_obfuscated_and_particle_bearing_spans(surface: str, plain: str) -> None:
    assert keyword_norm(surface) == plain


def test_label_file_errors_name_the_file_and_line(tmp_path: Path) -> None:
    good = {"sha256": "a" * 64, "keywords": [{"start": 0, "end": 2, "norm": "택배"}]}
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps(good) + "\n" + '{"sha256": "short", "keywords": []}\n')
    with pytest.raises(CorpusError, match=rf"{re.escape(str(path))}:2: not a hashed label"):
        read_label_file(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n")
    with pytest.raises(CorpusError, match=":2: message aaaaaaaaaaaa... is labelled twice"):
        read_label_file(path)
    with pytest.raises(CorpusError, match="no train.jsonl or train/, test.jsonl or test/"):
        read_label_folder(tmp_path)


def test_a_split_can_be_a_folder_of_files_but_never_label_a_message_twice(tmp_path: Path) -> None:
    def record(letter: str) -> dict:
        return {"sha256": letter * 64, "keywords": []}

    (tmp_path / "train").mkdir()
    write_label_file([record("a")], tmp_path / "train" / "round1.jsonl")
    write_label_file([record("b")], tmp_path / "train" / "round2.jsonl")
    write_label_file([record("c")], tmp_path / "dev.jsonl")
    write_label_file([record("d")], tmp_path / "test.jsonl")
    splits = read_label_folder(tmp_path)
    assert {split: sorted(k[0] for k in records) for split, records in splits.items()} == {
        "train": ["a", "b"],
        "dev": ["c"],
        "test": ["d"],
    }
    write_label_file([record("a")], tmp_path / "train" / "round3.jsonl")
    with pytest.raises(
        CorpusError, match="round3.jsonl: message aaaaaaaaaaaa... is labelled in two"
    ):
        read_label_folder(tmp_path)


def test_join_rebuilds_messages_and_refuses_labels_of_another_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "messages.txt"
    corpus.write_text("CJ대한통운 택배가 도착했습니다\n오늘 저녁 먹자\n", encoding="utf-8")
    text = "CJ대한통운 택배가 도착했습니다"
    record = {
        "sha256": text_sha256(text),
        "keywords": [{"start": 0, "end": 6, "norm": "CJ대한통운"}],
    }
    joined = join_labels({"test": {record["sha256"]: record}}, corpus, "text")
    assert joined["test"][0].keywords == ["CJ대한통운"]
    other = {"sha256": text_sha256("다른 메시지"), "keywords": []}
    with pytest.raises(CorpusError, match="1 labelled messages are not in this corpus"):
        join_labels({"test": {other["sha256"]: other}}, corpus, "text")


def test_held_out_texts_are_dropped_on_every_day_they_recur() -> None:
    rows = [
        {"text": "비트코인 리딩방 입장", "file_date": HELD_OUT_DAY},
        {"text": "비트 코인  리딩방 입장", "file_date": "2022-10-09"},  # the same, respaced
        {"text": "택배 도착 안내", "file_date": "2022-10-09"},
        {"text": "택배 도착 안내", "file_date": HELD_OUT_DAY},
        {"text": "적금 만기 안내", "file_date": "2022-10-09"},
        {"text": "카지노 첫충 20%", "file_date": "2022-11-26"},
    ]
    kept = keep_for_training(rows, {"file_date": [HELD_OUT_DAY]})
    assert [row["text"] for row in kept] == ["적금 만기 안내", "카지노 첫충 20%"]
    # Hand-labelled evaluation messages, listed by hash, go the same way.
    kept = keep_for_training(rows, {"file_date": [HELD_OUT_DAY]}, {text_sha256("적금 만기 안내")})
    assert [row["text"] for row in kept] == ["카지노 첫충 20%"]


@pytest.fixture(scope="module")
def real_sets() -> dict[str, list[LabelledMessage]]:
    labels = read_label_folder(LABELS)
    return join_labels(labels, KISA, "message")


@requires_shared_data("messages", "kisa_spam_2022_reports.tsv.gz")
def test_real_labels_join_the_shared_data_and_keep_the_held_out_rules(real_sets) -> None:
    """Every record finds its message; none is of the held-out day or repeats one of its texts;
    at least 3,000 messages, 300 long MMS, and every reporter category is present."""
    sizes = {split: len(messages) for split, messages in real_sets.items()}
    assert sum(sizes.values()) >= 3000 and sizes["dev"] >= 300 and sizes["test"] >= 300
    labelled = {m.text for messages in real_sets.values() for m in messages}
    held_out = {
        normalised_key(row["text"])
        for row in iter_records([KISA], "message", keep_columns=("file_date",))
        if row["file_date"] == HELD_OUT_DAY
    }
    assert not {normalised_key(text) for text in labelled} & held_out
    every = [m for messages in real_sets.values() for m in messages]
    assert sum(bool(m.meta.get("long")) for m in every) >= 300
    assert {"비스팸", "도박", "주식", "불법대출", "부동산", "성인"} <= {
        m.meta["category"] for m in every
    }
    for message in every:
        assert len(message.meta["norms"]) == len(message.spans)
        assert all(" " not in norm and norm for norm in message.meta["norms"])


@requires_shared_data("messages", "kisa_spam_2022_reports.tsv.gz")
def test_no_family_of_near_duplicates_crosses_splits(real_sets) -> None:
    """Exact, lexical and structural de-duplication over all labelled messages: each family
    lies in one split."""
    messages = [(split, m.text) for split, items in real_sets.items() for m in items]
    result = deduplicate((text for _, text in messages), DedupConfig())
    splits_of = defaultdict(set)
    for row, family in enumerate(result.labels["combined"]):
        splits_of[int(family)].add(messages[row][0])
    crossing = [family for family, splits in splits_of.items() if len(splits) > 1]
    assert not crossing, f"{len(crossing)} families cross splits"


@requires_shared_data("messages", "kisa_spam_2022_reports.tsv.gz")
def test_second_readings_are_of_labelled_messages() -> None:
    second = read_label_file(LABELS / "second_reading.jsonl")
    first = {key for records in read_label_folder(LABELS).values() for key in records}
    assert len(second) >= 195 and set(second) <= first  # 200 drawn; 2 recur on the held-out day


def test_pretraining_corpora_drop_the_held_out_day_and_its_recurring_texts(tmp_path: Path) -> None:
    """`corpus=kisa` (any corpus with corpus.exclude) for RTD pretraining keeps the same rule."""
    from omegaconf import OmegaConf

    from electra_rtd.data.pretraining import load_messages
    from electra_rtd.schema import CorpusConfig

    corpus = tmp_path / "dump.tsv"
    rows = [
        (HELD_OUT_DAY, "비트코인 리딩방 입장"),
        ("2022-10-09", "비트 코인 리딩방  입장"),
        ("2022-10-09", "적금 만기 안내"),
        ("2022-11-26", "카지노 첫충 20%"),
    ]
    corpus.write_text(
        "file_date\tmessage\n" + "".join(f"{day}\t{text}\n" for day, text in rows),
        encoding="utf-8",
    )
    corpus_cfg = CorpusConfig(
        source="files",
        path=str(corpus),
        text_column="message",
        max_length=128,
        eval_size=1,
        num_proc=None,
        streaming=False,
        exclude={"file_date": [HELD_OUT_DAY]},
    )
    dataset = load_messages(OmegaConf.structured(corpus_cfg), corpus)
    assert dataset["text"] == ["적금 만기 안내", "카지노 첫충 20%"]
    assert dataset.column_names == ["text"]
