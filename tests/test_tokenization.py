"""Tokenizers: Korean-safe training, offsets, save/reload, vocab-only folders, hub errors, caching."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import datasets
import pytest
from huggingface_hub import is_offline_mode
from transformers import AutoTokenizer

from electra_rtd.data import tokenization
from electra_rtd.data.tokenization import (
    FINGERPRINT_FILE,
    TokenizerLoadError,
    get_or_train_tokenizer,
    load_tokenizer,
    train_wordpiece,
)

SHARED_VOCAB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "vocab"

# Hand-written messages in the style of Korean SMS; repeated so WordPiece has pairs to merge.
MESSAGES = [
    "[Web발신] 고객님 대출 한도 조회 결과 안내드립니다.",
    "오늘 저녁 7시에 만나요! 늦지 마세요~",
    "택배 배송 완료: 문 앞에 두었습니다 (CJ대한통운)",
    "고객님의 카드 승인 50,000원 결제 완료",
    "내일 회의는 오후 3시로 변경되었습니다.",
] * 20

# Compatibility jamo, conjoining jamo and the jamo extensions: what NFD decomposition produces.
JAMO = set(range(0x1100, 0x1200)) | set(range(0x3130, 0x3190)) | set(range(0xA960, 0xA980))
JAMO |= set(range(0xD7B0, 0xD800))


@pytest.fixture(scope="module")
def training(tmp_path_factory):
    """The folder train_wordpiece saved to and the tokenizer it returned."""
    out_dir = tmp_path_factory.mktemp("wordpiece")
    return out_dir, train_wordpiece(MESSAGES, out_dir, vocab_size=300, model_max_length=64)


@pytest.fixture(scope="module")
def trained_dir(training) -> Path:
    return training[0]


@pytest.fixture(scope="module")
def trained(trained_dir):
    return AutoTokenizer.from_pretrained(trained_dir)


def write_vocab_folder(folder: Path, tokens: list[str], **files: dict) -> Path:
    folder.mkdir(parents=True)
    (folder / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    for name, content in files.items():
        (folder / f"{name}.json").write_text(json.dumps(content), encoding="utf-8")
    return folder


HAND_VOCAB = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "안녕",
    "##하세요",
    "반",
    "##갑",
    "##습니다",
]
HAND_VOCAB += ["ABC", "abc", "!"]


# --- trained tokenizer -----------------------------------------------------------------------


def test_special_tokens_have_fixed_ids(trained):
    ids = trained.convert_tokens_to_ids(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    assert ids == [0, 1, 2, 3, 4]
    assert (trained.pad_token_id, trained.mask_token_id) == (0, 4)
    encoded = trained("고객님 대출")["input_ids"]
    assert encoded[0] == trained.cls_token_id and encoded[-1] == trained.sep_token_id


def test_hangul_is_never_decomposed_into_jamo(trained):
    vocab_chars = {ord(ch) for token in trained.get_vocab() for ch in token}
    assert not vocab_chars & JAMO
    tokens = trained.tokenize("고객님의 카드 승인 결제 완료")
    assert not {ord(ch) for token in tokens for ch in token} & JAMO
    assert "[UNK]" not in tokens
    assert trained.decode(trained("고객님의 카드 승인")["input_ids"], skip_special_tokens=True) == (
        "고객님의 카드 승인"
    )


def test_offsets_map_tokens_back_to_their_substrings(trained):
    text = "고객님 대출 한도 (CJ대한통운) 50,000원!"
    encoded = trained(text, return_offsets_mapping=True)
    tokens = trained.convert_ids_to_tokens(encoded["input_ids"])
    pieces = [
        (tok, text[start:end])
        for tok, (start, end) in zip(tokens, encoded["offset_mapping"], strict=True)
    ]
    assert pieces[0] == ("[CLS]", "") and pieces[-1] == ("[SEP]", "")
    for token, piece in pieces[1:-1]:
        assert token == "[UNK]" or token.removeprefix("##") == piece
    assert "".join(piece for _, piece in pieces) == text.replace(" ", "")


def test_no_lowercasing_and_no_accent_stripping(trained):
    normalized = trained.backend_tokenizer.normalizer.normalize_str("CJ대한통운 Café")
    assert normalized == "CJ대한통운 Café"
    assert unicodedata.is_normalized("NFC", normalized)


def test_saved_folder_loads_with_plain_autotokenizer(training):
    out_dir, direct = training
    reloaded = AutoTokenizer.from_pretrained(out_dir)
    assert reloaded.is_fast
    assert reloaded.model_max_length == 64
    for text in ["택배 배송 완료", "내일 회의는 오후 3시", "처음 보는 문장 XYZ"]:
        assert reloaded(text)["input_ids"] == direct(text)["input_ids"]


# --- loading folders and hub ids -------------------------------------------------------------


def test_vocab_only_folder_honours_tokenizer_config(tmp_path):
    folder = write_vocab_folder(
        tmp_path / "vocab",
        HAND_VOCAB,
        tokenizer_config={"do_lower_case": False, "model_max_length": 77},
    )
    tokenizer = load_tokenizer(folder)
    assert tokenizer.is_fast
    assert tokenizer.model_max_length == 77
    assert tokenizer.tokenize("안녕하세요 반갑습니다 ABC!") == [
        "안녕", "##하세요", "반", "##갑", "##습니다", "ABC", "!"
    ]  # fmt: skip
    encoded = tokenizer("반갑습니다", return_offsets_mapping=True)
    assert encoded["offset_mapping"] == [(0, 0), (0, 1), (1, 2), (2, 5), (0, 0)]


def test_vocab_only_folder_lowercases_when_asked_but_keeps_hangul(tmp_path):
    folder = write_vocab_folder(
        tmp_path / "vocab", HAND_VOCAB, tokenizer_config={"do_lower_case": True}
    )
    assert load_tokenizer(folder).tokenize("ABC 안녕하세요") == ["abc", "안녕", "##하세요"]


def test_bare_vocab_folder_is_cased_and_takes_length_from_config_json(tmp_path):
    # KcBERT's layout: vocab.txt and a model config.json, no tokenizer_config.json.
    folder = write_vocab_folder(
        tmp_path / "vocab", HAND_VOCAB, config={"max_position_embeddings": 300}
    )
    tokenizer = load_tokenizer(folder)
    assert tokenizer.tokenize("ABC 안녕하세요") == ["ABC", "안녕", "##하세요"]
    assert tokenizer.model_max_length == 300


def test_trained_folder_loads_through_load_tokenizer(trained_dir, trained):
    assert (
        load_tokenizer(trained_dir)("택배 배송")["input_ids"] == trained("택배 배송")["input_ids"]
    )


@pytest.mark.skipif(not is_offline_mode(), reason="needs HF_HUB_OFFLINE=1 so no request is made")
def test_uncached_hub_id_offline_says_what_to_download():
    with pytest.raises(TokenizerLoadError) as raised:
        load_tokenizer("electra-rtd-tests/no-such-tokenizer")
    message = str(raised.value)
    assert "HF_HUB_OFFLINE=1" in message
    assert "hf download electra-rtd-tests/no-such-tokenizer" in message
    assert "local folder" in message


def test_missing_local_folder_and_folder_without_tokenizer(tmp_path):
    with pytest.raises(TokenizerLoadError, match="does not exist"):
        load_tokenizer(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(TokenizerLoadError, match="not a tokenizer folder"):
        load_tokenizer(tmp_path / "empty")


# --- caching ---------------------------------------------------------------------------------


def test_cache_hit_reuses_the_saved_tokenizer_without_training(tmp_path, monkeypatch):
    out_dir = tmp_path / "tok"
    first = get_or_train_tokenizer(MESSAGES, out_dir, vocab_size=300)
    saved_at = (out_dir / "tokenizer.json").stat().st_mtime_ns

    def no_training(*args, **kwargs):
        raise AssertionError("trained again although corpus and settings are unchanged")

    monkeypatch.setattr(tokenization, "train_wordpiece", no_training)
    again = get_or_train_tokenizer(list(MESSAGES), out_dir, vocab_size=300)
    assert (out_dir / "tokenizer.json").stat().st_mtime_ns == saved_at
    assert again("고객님 대출")["input_ids"] == first("고객님 대출")["input_ids"]


def test_changed_corpus_or_settings_retrain(tmp_path, monkeypatch):
    out_dir = tmp_path / "tok"
    get_or_train_tokenizer(MESSAGES, out_dir, vocab_size=300)
    calls = []
    real_train = tokenization.train_wordpiece

    def counting_train(*args, **kwargs):
        calls.append(args)
        return real_train(*args, **kwargs)

    monkeypatch.setattr(tokenization, "train_wordpiece", counting_train)
    get_or_train_tokenizer([*MESSAGES, "새 문자"], out_dir, vocab_size=300)
    get_or_train_tokenizer([*MESSAGES, "새 문자"], out_dir, vocab_size=250)
    get_or_train_tokenizer([*MESSAGES, "새 문자"], out_dir, vocab_size=250)
    assert len(calls) == 2
    stored = json.loads((out_dir / FINGERPRINT_FILE).read_text(encoding="utf-8"))
    assert stored["settings"]["vocab_size"] == 250
    assert stored["corpus"]["num_texts"] == len(MESSAGES) + 1


def test_fingerprint_separates_texts_that_concatenate_alike(tmp_path, monkeypatch):
    get_or_train_tokenizer(["가나", "다"] * 10, tmp_path / "tok", vocab_size=100, min_frequency=1)
    calls = []
    monkeypatch.setattr(tokenization, "train_wordpiece", lambda *a, **k: calls.append(a))
    get_or_train_tokenizer(["가", "나다"] * 10, tmp_path / "tok", vocab_size=100, min_frequency=1)
    assert len(calls) == 1


def test_corpus_dataset_and_list_of_its_texts_share_the_cache(tmp_path, monkeypatch):
    corpus = datasets.Dataset.from_dict({"text": MESSAGES, "date": ["d"] * len(MESSAGES)})
    from_dataset = get_or_train_tokenizer(corpus, tmp_path / "tok", vocab_size=300)
    monkeypatch.setattr(tokenization, "train_wordpiece", None)  # a second training would fail
    from_list = get_or_train_tokenizer(list(MESSAGES), tmp_path / "tok", vocab_size=300)
    assert from_list.get_vocab() == from_dataset.get_vocab()
    assert from_dataset.tokenize("택배 배송 완료") == ["택배", "배송", "완료"]


def test_runs_sharing_a_cache_get_the_same_vocabulary(tmp_path, monkeypatch):
    """Training itself is not reproducible across processes (see get_or_train_tokenizer), so two
    fresh runs must take one trained vocabulary from the shared cache, trained once."""
    calls = []
    real_train = tokenization.train_wordpiece
    monkeypatch.setattr(
        tokenization, "train_wordpiece", lambda *a, **k: calls.append(a) or real_train(*a, **k)
    )
    cache = tmp_path / "cache"
    first = get_or_train_tokenizer(
        MESSAGES, tmp_path / "a" / "tok", vocab_size=300, cache_dir=cache
    )
    second = get_or_train_tokenizer(
        list(MESSAGES), tmp_path / "b" / "tok", vocab_size=300, cache_dir=cache
    )
    assert len(calls) == 1
    assert first.get_vocab() == second.get_vocab()
    assert (tmp_path / "a" / "tok" / "tokenizer.json").read_bytes() == (
        tmp_path / "b" / "tok" / "tokenizer.json"
    ).read_bytes()
    get_or_train_tokenizer(MESSAGES, tmp_path / "c" / "tok", vocab_size=250, cache_dir=cache)
    assert len(calls) == 2 and len(list(cache.glob("*/tokenizer.json"))) == 2


def test_one_shot_iterator_is_rejected(tmp_path):
    with pytest.raises(TypeError, match="re-iterable"):
        get_or_train_tokenizer(iter(MESSAGES), tmp_path / "tok")


# --- real vocabularies (optional) ------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["kcbert-base", "koelectra-v1"])
def test_real_korean_vocab_folders_load_offline(name, tmp_path):
    source = SHARED_VOCAB / name
    if not (source / "vocab.txt").is_file():
        pytest.skip("../shared/data is not beside the repository")
    folder = Path(shutil.copytree(source, tmp_path / name))
    tokenizer = load_tokenizer(folder)
    text = "고객님 대출 한도 조회 결과 안내"
    encoded = tokenizer(text, return_offsets_mapping=True)
    tokens = tokenizer.convert_ids_to_tokens(encoded["input_ids"])
    assert "[UNK]" not in tokens
    for token, (start, end) in zip(tokens[1:-1], encoded["offset_mapping"][1:-1], strict=True):
        assert token.removeprefix("##") == text[start:end]


def test_hangul_syllable_tokens_put_every_hangul_boundary_on_a_token_edge(tmp_path: Path) -> None:
    """택배가 = 택배 + 가: with syllable tokens the keyword 택배 ends on a token boundary."""
    texts = ["택배가 도착했습니다", "택배 배송 완료", "CJ대한통운 택배가 왔어요 ㅋㅋ"] * 20
    trained = train_wordpiece(texts, tmp_path / "tok", vocab_size=200, hangul_syllables=True)
    reloaded = AutoTokenizer.from_pretrained(tmp_path / "tok")
    for tokenizer in (trained, reloaded):
        encoded = tokenizer("CJ대한통운 택배가 ㅋㅋ", return_offsets_mapping=True)
        ends = {end for _, end in encoded["offset_mapping"]}
        # CJ|대|한|통|운 택|배|가 ㅋ|ㅋ: 택배 ends at 9, 가 at 10, the first ㅋ at 12.
        assert {2, 3, 6, 9, 10, 12, 13} <= ends
        assert tokenizer.tokenize("택배가") == ["택", "배", "가"]
        assert "CJ" in tokenizer.tokenize("CJ대한통운")
