"""KeywordTagger: decoding, batching and order, truncation, blank texts, loading errors, pipeline.

Most tests use a "rule model": a tiny ELECTRA whose weights are set by hand so that each token's tag
depends on the token alone (see `save_rule_model`). Expected keywords then follow from the
tokenization of the hand-written vocabulary in conftest, whatever the batching or padding.
"""

from __future__ import annotations

import math
import random
import shutil
from pathlib import Path

import pytest
import torch
from transformers import (
    BertTokenizer,
    ElectraConfig,
    ElectraForTokenClassification,
    PreTrainedTokenizerBase,
    pipeline,
)

from electra_rtd.data.synthetic import generate_messages
from electra_rtd.data.tokenization import train_wordpiece
from electra_rtd.metrics import score_keywords
from electra_rtd.tagging import Keyword, KeywordTagger, TaggerError, keywords_from_tokens
from electra_rtd.text.spans import Span

pytestmark = pytest.mark.usefixtures("one_cpu_thread")

ID2LABEL = {0: "O", 1: "B-KW", 2: "I-KW"}
# Tokens of the conftest vocabulary the rule model tags B-KW / I-KW; every other token is O.
BEGIN_TOKENS = frozenset({"비트", "수익", "택배", "카드", "대출"})
INSIDE_TOKENS = frozenset({"##코인"})
HIDDEN = 32
EMBEDDING_SCALE = 10.0


def tiny_config(vocab_size: int, **overrides: object) -> ElectraConfig:
    settings = {
        "vocab_size": vocab_size,
        "embedding_size": HIDDEN,
        "hidden_size": HIDDEN,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 64,
        "max_position_embeddings": 128,
        "id2label": ID2LABEL,
        "label2id": {label: index for index, label in ID2LABEL.items()},
    }
    return ElectraConfig(**{**settings, **overrides})


def save_rule_model(folder: Path, tokenizer: PreTrainedTokenizerBase) -> Path:
    """A tiny ELECTRA tagging B-KW on BEGIN_TOKENS, I-KW on INSIDE_TOKENS, O elsewhere.

    Every layer's attention and feed-forward output projections are zero, so a layer only passes
    its input through the residual and LayerNorm; position and segment embeddings are zero. Each
    token's embedding is EMBEDDING_SCALE times the one-hot of its tag id, and the classifier reads
    dimension i as the logit of tag i. No token sees any other, so padding cannot matter.
    """
    vocab = tokenizer.get_vocab()
    model = ElectraForTokenClassification(tiny_config(len(vocab))).eval()
    with torch.no_grad():
        embeddings = model.electra.embeddings
        for table in (embeddings.word_embeddings, embeddings.position_embeddings):
            table.weight.zero_()
        embeddings.token_type_embeddings.weight.zero_()
        for token, index in vocab.items():
            tag = 1 if token in BEGIN_TOKENS else 2 if token in INSIDE_TOKENS else 0
            embeddings.word_embeddings.weight[index, tag] = EMBEDDING_SCALE
        for layer in model.electra.encoder.layer:
            for projection in (layer.attention.output.dense, layer.output.dense):
                projection.weight.zero_()
                projection.bias.zero_()
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        for tag in ID2LABEL:
            model.classifier.weight[tag, tag] = 1.0
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def rule_probability() -> float:
    """The rule model's probability for every token, from LayerNorm and softmax by hand.

    The hidden state is LayerNorm(scale * one-hot) (LayerNorm again changes nothing): the tag's
    dimension holds (s - s/d) / sigma and every other -(s/d) / sigma, sigma the std of the vector.
    """
    d, s = HIDDEN, EMBEDDING_SCALE
    mean = s / d
    sigma = math.sqrt(((s - mean) ** 2 + (d - 1) * mean**2) / d)
    on, off = (s - mean) / sigma, -mean / sigma
    return math.exp(on) / (math.exp(on) + 2 * math.exp(off))


@pytest.fixture(scope="module")
def rule_model_dir(tmp_path_factory, small_tokenizer: BertTokenizer) -> Path:
    return save_rule_model(tmp_path_factory.mktemp("rule_model"), small_tokenizer)


@pytest.fixture(scope="module")
def rule_tagger(rule_model_dir: Path) -> KeywordTagger:
    return KeywordTagger.from_pretrained(rule_model_dir, device="cpu", batch_size=4)


@pytest.fixture(scope="module")
def random_model_dir(tmp_path_factory) -> Path:
    """A random tiny tagger with a WordPiece vocabulary trained on synthetic messages."""
    folder = tmp_path_factory.mktemp("random_model")
    texts = [message.text for message in generate_messages(300, seed=3)]
    tokenizer = train_wordpiece(texts, folder, vocab_size=600)
    torch.manual_seed(0)
    ElectraForTokenClassification(tiny_config(len(tokenizer))).save_pretrained(folder)
    return folder


def spans(keywords: list[Keyword]) -> list[tuple[int, int, str]]:
    return [(k.start, k.end, k.text) for k in keywords]


# --- what the rule model finds ------------------------------------------------------------------


def test_keywords_follow_the_tagged_tokens(rule_tagger: KeywordTagger) -> None:
    texts = [
        "비트코인 수익 문의 주세요",  # 비트 ##코인 | 수익 | 문의 | 주세요
        "안녕하세요 택배가 도착했습니다",  # 택배 (B) then ##가 (O): the span stops at 택배
        "오늘코인",  # 오늘 (O) ##코인 (I): seqeval opens a span at a stray I-
        "내일 저녁 먹자",  # nothing tagged
        "카드,대출!",  # punctuation splits words: 카드 | , | 대출 | !
    ]
    found = rule_tagger.extract(texts)
    assert [spans(keywords) for keywords in found] == [
        [(0, 4, "비트코인"), (5, 7, "수익")],
        [(6, 8, "택배")],
        [(2, 4, "코인")],
        [],
        [(0, 2, "카드"), (3, 5, "대출")],
    ]
    assert {k.label for keywords in found for k in keywords} == {"KW"}
    for keyword in found[0]:
        assert keyword.score == pytest.approx(rule_probability(), rel=1e-5)


def test_blank_texts_get_no_keywords(rule_tagger: KeywordTagger) -> None:
    found = rule_tagger.extract(["", "수익", "   ", "\n\t", "택배"])
    assert [spans(keywords) for keywords in found] == [
        [],
        [(0, 2, "수익")],
        [],
        [],
        [(0, 2, "택배")],
    ]


def test_with_no_stride_long_texts_are_truncated(rule_model_dir: Path) -> None:
    tagger = KeywordTagger.from_pretrained(rule_model_dir, device="cpu", max_length=10, stride=None)
    (found,) = tagger.extract(["수익 " * 50])
    # 10 tokens = [CLS] + 8 words + [SEP]; word i starts at character 3 * i.
    assert spans(found) == [(3 * i, 3 * i + 2, "수익") for i in range(8)]


@pytest.mark.parametrize("stride", [0, 1, 3, 7, "auto"])
def test_long_texts_are_read_in_windows_that_tile_them(rule_model_dir: Path, stride) -> None:
    """Every keyword of a text many windows long is found once, with 비트 + ##코인 kept whole
    wherever a window edge falls: the rule model tags each token alone, so windowing must give
    exactly the keywords of reading the whole text at once."""
    words = ["수익", "오늘", "비트코인", "문의", "택배", "먹자"]
    rng = random.Random(3)
    text = " ".join(rng.choice(words) for _ in range(200))
    tagger = KeywordTagger.from_pretrained(
        rule_model_dir, device="cpu", max_length=12, stride=stride
    )
    (found,) = tagger.extract([text])
    expected, position = [], 0
    for word in text.split(" "):
        if word in ("수익", "비트코인", "택배"):
            expected.append((position, position + len(word), word))
        position += len(word) + 1
    assert spans(found) == expected


@pytest.mark.parametrize("stride", [-1, 10, 1.5, "half"])
def test_a_stride_that_leaves_no_room_is_refused(rule_model_dir: Path, stride) -> None:
    with pytest.raises(TaggerError, match="stride must be"):
        KeywordTagger.from_pretrained(rule_model_dir, device="cpu", max_length=12, stride=stride)


def test_order_is_kept_across_mixed_lengths_batches_and_chunks(
    rule_tagger: KeywordTagger,
) -> None:
    rng = random.Random(7)
    words = ["수익", "택배", "비트코인", "오늘", "문의", "먹자"]
    keyword_words = {"수익", "택배", "비트코인"}
    texts, expected = [], []
    for _ in range(120):
        chosen = rng.choices(words, k=rng.choice([0, 1, 2, 5, 15, 40]))
        texts.append(" ".join(chosen))
        message, position = [], 0
        for word in chosen:
            if word in keyword_words:
                message.append((position, position + len(word), word))
            position += len(word) + 1
        expected.append(message)

    one_shot = rule_tagger.extract(texts)
    assert [spans(keywords) for keywords in one_shot] == expected
    streamed = list(rule_tagger.iter_extract(iter(texts), chunk_size=7))
    assert streamed == one_shot


def test_random_model_gives_the_same_keywords_however_it_is_batched(
    random_model_dir: Path,
) -> None:
    """Different batch widths and chunks may change the floats, not the keywords."""
    texts = [message.text for message in generate_messages(40, seed=11)]
    texts[5:5] = ["", "짧은 문자", "긴 문자 " * 200]
    batched = KeywordTagger.from_pretrained(random_model_dir, device="cpu", batch_size=8)
    one_by_one = KeywordTagger.from_pretrained(random_model_dir, device="cpu", batch_size=1)

    one_shot = batched.extract(texts)
    assert sum(map(len, one_shot)) > 0, "a random model tags something: the comparison is real"
    for reference in (list(batched.iter_extract(texts, chunk_size=3)), one_by_one.extract(texts)):
        assert [spans(k) for k in reference] == [spans(k) for k in one_shot]
        for left, right in zip(reference, one_shot, strict=True):
            assert [k.score for k in left] == pytest.approx([k.score for k in right], abs=1e-5)


def test_keywords_score_with_the_project_metrics(rule_tagger: KeywordTagger) -> None:
    texts = ["비트코인 수익 문의 주세요"]
    predicted = [[k.span for k in keywords] for keywords in rule_tagger.extract(texts)]
    assert predicted == [[Span(0, 4, "KW"), Span(5, 7, "KW")]]
    scores = score_keywords(predicted, [[Span(0, 4, "KW")]], texts)
    assert scores["span_precision"] == 0.5 and scores["span_recall"] == 1.0


def test_bfloat16_weights_find_the_same_keywords(rule_model_dir: Path) -> None:
    tagger = KeywordTagger.from_pretrained(rule_model_dir, device="cpu", dtype="bfloat16")
    (found,) = tagger.extract(["비트코인 수익 문의 주세요"])
    assert spans(found) == [(0, 4, "비트코인"), (5, 7, "수익")]
    assert found[0].score == pytest.approx(rule_probability(), abs=1e-2)


def test_onnx_runtime_finds_what_pytorch_finds(random_model_dir: Path) -> None:
    """fp32 in ONNX Runtime: the same keywords as PyTorch, scores equal to float precision; the
    graph is exported once and reused."""
    texts = [message.text for message in generate_messages(40, seed=12)] + ["긴 문자 " * 200]
    reference = KeywordTagger.from_pretrained(random_model_dir, device="cpu").extract(texts)
    onnx = KeywordTagger.from_pretrained(random_model_dir, backend="onnx").extract(texts)
    assert sum(map(len, reference)) > 0, "a random model tags something: the comparison is real"
    assert [spans(k) for k in onnx] == [spans(k) for k in reference]
    for left, right in zip(onnx, reference, strict=True):
        assert [k.score for k in left] == pytest.approx([k.score for k in right], abs=1e-4)
    graph = random_model_dir / "onnx" / "model.onnx"
    written = graph.stat().st_mtime_ns
    KeywordTagger.from_pretrained(random_model_dir, backend="onnx")
    assert graph.stat().st_mtime_ns == written


def test_int8_onnx_keeps_clear_keywords(rule_model_dir: Path, rule_tagger: KeywordTagger) -> None:
    texts = ["비트코인 수익 문의 주세요", "택배 도착 대출 문의 " * 30, ""]
    int8 = KeywordTagger.from_pretrained(rule_model_dir, backend="onnx-int8")
    assert (rule_model_dir / "onnx" / "model.int8.onnx").is_file()
    assert [spans(k) for k in int8.extract(texts)] == [spans(k) for k in rule_tagger.extract(texts)]


def test_a_model_folder_the_graph_cannot_go_into_is_a_clear_error(
    tmp_path: Path, rule_model_dir: Path
) -> None:
    folder = tmp_path / "model"
    shutil.copytree(rule_model_dir, folder, ignore=shutil.ignore_patterns("onnx"))
    (folder / "onnx").write_text("a file where the graph folder should go")
    with pytest.raises(TaggerError, match="cannot write the ONNX graph beside the model"):
        KeywordTagger.from_pretrained(folder, backend="onnx")


@pytest.mark.parametrize(
    "options",
    [{"backend": "tensorrt"}, {"backend": "onnx", "compile_model": True},
     {"backend": "onnx-int8", "dtype": "bfloat16"}],
)  # fmt: skip
def test_onnx_options_that_cannot_work_are_refused(rule_model_dir: Path, options) -> None:
    with pytest.raises(TaggerError, match="backend"):
        KeywordTagger.from_pretrained(rule_model_dir, **options)


def test_a_non_string_text_is_rejected(rule_tagger: KeywordTagger) -> None:
    with pytest.raises(TypeError, match="text 1 is a NoneType"):
        rule_tagger.extract(["수익", None])


# --- decoding one message ---------------------------------------------------------------------


def test_decoding_averages_probabilities_and_trims_whitespace() -> None:
    # Offsets as a SentencePiece tokenizer gives them: the leading space belongs to the token.
    text = "비트 코인 수익"
    found = keywords_from_tokens(
        text,
        offsets=[(0, 2), (2, 5), (5, 8)],
        label_ids=[1, 2, 1],
        probabilities=[0.9, 0.7, 0.6],
        tags=["O", "B-KW", "I-KW"],
    )
    assert found == [
        Keyword(0, 5, "비트 코인", pytest.approx(0.8), "KW"),
        Keyword(6, 8, "수익", pytest.approx(0.6), "KW"),
    ]


def test_decoding_rejects_misaligned_inputs() -> None:
    with pytest.raises(ValueError, match="must match"):
        keywords_from_tokens("ab", [(0, 1)], [1, 1], [0.5, 0.5], ["O", "B-X"])


# --- loading errors ---------------------------------------------------------------------------


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TaggerError, match="does not exist"):
        KeywordTagger.from_pretrained(tmp_path / "nowhere")


def test_hub_id_not_in_the_cache_offline_says_what_to_download(monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(
        TaggerError, match=r"(?s)'someone/keyword-tagger'.*HF_HUB_OFFLINE.*hf download"
    ):
        KeywordTagger.from_pretrained("someone/keyword-tagger")


def test_hub_id_loads_from_the_local_cache_offline(
    tmp_path: Path, rule_model_dir: Path, monkeypatch
) -> None:
    """A hub id is read from the Hugging Face cache layout (refs/main -> snapshots/<commit>)."""
    from huggingface_hub import constants

    repo = tmp_path / "models--someone--keyword-tagger"
    commit = "0" * 40
    shutil.copytree(rule_model_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    tagger = KeywordTagger.from_pretrained("someone/keyword-tagger", device="cpu")
    assert [k.text for k in tagger("택배가 도착했습니다")] == ["택배"]


def test_training_export_folder_points_to_its_model_subfolder(
    tmp_path: Path, rule_model_dir: Path
) -> None:
    (tmp_path / "model").mkdir()
    with pytest.raises(TaggerError, match=r"no config.json.*did you mean .*model"):
        KeywordTagger.from_pretrained(tmp_path)


def test_model_without_a_tokenizer_is_a_clear_error(tmp_path: Path) -> None:
    ElectraForTokenClassification(tiny_config(40)).save_pretrained(tmp_path)
    with pytest.raises(TaggerError, match="holds no tokenizer"):
        KeywordTagger.from_pretrained(tmp_path)


@pytest.mark.parametrize(
    "id2label",
    [
        {0: "LABEL_0", 1: "LABEL_1"},  # a pretraining or classification export
        {0: "O", 1: "I-KW"},  # I- without its B-
        {0: "O", 1: "B-KW", 2: "KW"},  # no prefix
        {0: "B-KW", 1: "I-KW"},  # no O
    ],
)
def test_labels_that_are_not_bio_are_a_clear_error(
    tmp_path: Path, small_tokenizer: BertTokenizer, id2label: dict[int, str]
) -> None:
    config = tiny_config(len(small_tokenizer), id2label=id2label, label2id=None)
    ElectraForTokenClassification(config).save_pretrained(tmp_path)
    small_tokenizer.save_pretrained(tmp_path)
    with pytest.raises(TaggerError, match="not a BIO tag set"):
        KeywordTagger.from_pretrained(tmp_path)


def test_max_length_beyond_the_model_positions_is_rejected(rule_model_dir: Path) -> None:
    with pytest.raises(TaggerError, match="max_length must be between 3 and the model's 128"):
        KeywordTagger.from_pretrained(rule_model_dir, device="cpu", max_length=512)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a CPU-only machine")
def test_asking_for_cuda_without_a_gpu_is_a_clear_error(rule_model_dir: Path) -> None:
    with pytest.raises(TaggerError, match="no CUDA GPU"):
        KeywordTagger.from_pretrained(rule_model_dir, device="cuda")


# --- the export works with plain transformers ---------------------------------------------------


def test_transformers_pipeline_finds_the_same_keywords(
    rule_model_dir: Path, rule_tagger: KeywordTagger
) -> None:
    texts = ["비트코인 수익 문의 주세요", "오늘 택배가 도착했습니다"]
    tagger_pipeline = pipeline(
        "token-classification",
        model=str(rule_model_dir),
        aggregation_strategy="simple",
        device="cpu",
    )
    for text, keywords in zip(texts, rule_tagger.extract(texts), strict=True):
        entities = tagger_pipeline(text)
        assert [(e["start"], e["end"], e["entity_group"]) for e in entities] == [
            (k.start, k.end, k.label) for k in keywords
        ]
        assert [float(e["score"]) for e in entities] == pytest.approx([k.score for k in keywords])


# --- benchmark --------------------------------------------------------------------------------


def test_the_tagging_package_exports_every_name_it_lists() -> None:
    """Its names are imported on first use (PEP 562); each must resolve to its submodule's."""
    import electra_rtd.tagging as tagging
    from electra_rtd.tagging import extractor, model_folder

    assert [getattr(tagging, name).__name__ for name in tagging.__all__] == tagging.__all__
    assert tagging.KeywordTagger is extractor.KeywordTagger
    assert tagging.TaggerError is model_folder.TaggerError
    with pytest.raises(AttributeError, match="no attribute 'Tagger'"):
        tagging.Tagger  # noqa: B018
