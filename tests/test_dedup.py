"""De-duplication: each method on hand-made Korean messages, every row kept, the union of methods,
precision and recall on synthetic duplicate pairs, and the semantic plumbing on a tiny encoder."""

from __future__ import annotations

import gzip
import json
from itertools import islice

import numpy as np
import pytest
import torch
from datasketch import MinHash
from omegaconf import OmegaConf
from test_benchmarks import load_benchmark
from transformers import ElectraConfig, ElectraForPreTraining, ElectraModel

from conftest import requires_shared_data
from electra_rtd.corpus_tools.dedup import (
    COMBINED,
    DedupConfig,
    deduplicate,
    deduplicate_corpus,
    deduplicated,
    exact_key,
    message_template,
    score_methods,
    score_pairs,
    synthetic_pairs,
    write_clusters,
    write_rows,
)
from electra_rtd.corpus_tools.dedup.clusters import merge_labels
from electra_rtd.corpus_tools.dedup.lexical import MinHashLinker
from electra_rtd.corpus_tools.dedup.minhash import ngram_hashes, signatures
from electra_rtd.corpus_tools.dedup.pairs import OTHER_KIND, SAME_KIND, SAME_TEMPLATE
from electra_rtd.corpus_tools.dedup.semantic import SentenceEncoder, semantic_components
from electra_rtd.data.corpus import CorpusError

# Two copies of a coin spam, the second with "b.t.c" spelled out and without carrier tags.
COIN_OBFUSCATED = "[Web발신](광고) b.t.c 리딩방 오늘만 무료 입장 https://han.gl/AbC12"
COIN_PLAIN = "BTC 리딩방 오늘만 무료 입장 https://han.gl/AbC12"
# One stock-room template filled with different codes, links and phone numbers.
STOCK_A = "비트코인 급등 종목 무료 공개 입장코드 4821 bit.ly/xY12 수익 보장 문의 010-2345-6789"
STOCK_B = "비트코인 급등 종목 무료 공개 입장코드 9930 vo.la/Qz77 수익 보장 문의 010-8765-4321"
# One card notice with different names, amounts, dates and times.
CARD_A = "[신한카드] 김민수님 45,000원 일시불 승인 06/12 14:20 스타벅스"
CARD_B = "[신한카드] 이서연님 1,230,000원 일시불 승인 11/03 09:05 스타벅스"
PARCEL = "[한빛택배] 고객님의 택배가 3월 5일 도착 예정입니다. 운송장번호 612345678901"
CHAT = "엄마 오늘 저녁 뭐 먹어?"
MEETING = "내일 회의 10시로 변경되었습니다"
# A long spam and the same spam with one word changed: lexical near-duplicates, two templates.
ROOM = (
    "한빛증권 VIP 리딩방 오늘 추천 종목 무료 공개, 수익 인증 다수, 입장 문의는 카톡 ID "
    "hanbit77 로 주세요 선착순 30명 마감 임박"
)
ROOM_EDITED = ROOM.replace("추천", "급등")

MESSAGES = [COIN_OBFUSCATED, COIN_PLAIN, STOCK_A, STOCK_B, CARD_A, CARD_B]
MESSAGES += [PARCEL, CHAT, MEETING, ROOM, ROOM_EDITED, "", "   ", CHAT]


@pytest.fixture(scope="module")
def result():
    return deduplicate(MESSAGES, DedupConfig(methods=("exact", "lexical", "structural")))


def same(result, method: str, first: str, second: str) -> bool:
    labels = result.labels[method]
    return labels[MESSAGES.index(first)] == labels[MESSAGES.index(second)]


def test_obfuscated_spelling_is_one_exact_and_lexical_cluster(result) -> None:
    assert exact_key(COIN_OBFUSCATED, DedupConfig().normalise) == exact_key(
        COIN_PLAIN, DedupConfig().normalise
    )
    for method in ("exact", "lexical", "structural"):
        assert same(result, method, COIN_OBFUSCATED, COIN_PLAIN)
    # Lower-casing comes after the look-alike repair, which needs the capitals ("C0lN" -> "COIN").
    normalise = DedupConfig().normalise
    assert exact_key("C0lN 무료 입장", normalise) == exact_key("coin 무료 입장", normalise)


def test_same_template_with_other_slots_is_one_structural_cluster(result) -> None:
    for first, second in ((STOCK_A, STOCK_B), (CARD_A, CARD_B)):
        assert same(result, "structural", first, second)
        assert not same(result, "exact", first, second)
    template = message_template(exact_key(STOCK_A, DedupConfig().normalise))
    assert "4821" not in template and "<CODE>" in template and "<PHONE>" in template


def test_one_edited_word_is_lexical_but_not_structural(result) -> None:
    assert same(result, "lexical", ROOM, ROOM_EDITED)
    assert not same(result, "structural", ROOM, ROOM_EDITED)


def test_different_messages_stay_apart(result) -> None:
    distinct = [COIN_PLAIN, STOCK_A, CARD_A, PARCEL, CHAT, MEETING, ROOM]
    for method in result.methods:
        labels = {int(result.labels[method][MESSAGES.index(text)]) for text in distinct}
        assert len(labels) == len(distinct), method


def test_every_row_is_kept_and_in_exactly_one_cluster(result) -> None:
    assert result.num_rows == len(MESSAGES)
    for method in result.methods:
        members = np.concatenate([cluster.members for cluster in result.clusters(method)])
        assert sorted(members.tolist()) == list(range(len(MESSAGES)))
        for cluster in result.clusters(method):
            assert cluster.representative == cluster.members.min()
    # The blank rows are rows too: one cluster; the repeated chat message joins its first copy.
    assert same(result, "exact", "", "   ")
    assert result.labels["exact"][len(MESSAGES) - 1] == MESSAGES.index(CHAT)


def test_no_messages_give_no_rows_and_no_clusters() -> None:
    empty = deduplicate([])
    assert empty.num_rows == 0 and empty.stats(COMBINED).clusters == 0
    assert list(empty.clusters("exact")) == [] and empty.representatives("structural").size == 0


def test_exact_clusters_refine_every_other_method(result) -> None:
    exact = result.labels["exact"]
    for method in result.methods:
        for row in range(result.num_rows):
            assert result.labels[method][row] == result.labels[method][exact[row]]


def test_merge_labels_is_the_union_of_methods() -> None:
    # a joins rows 0-1, b joins 1-2: the union is {0, 1, 2}; row 3 stays alone.
    labels = {"a": np.array([0, 0, 2, 3]), "b": np.array([0, 1, 1, 3])}
    assert merge_labels(labels).tolist() == [0, 0, 0, 3]


def test_combined_joins_what_any_method_joins(result) -> None:
    combined = result.labels[COMBINED]
    assert same(result, COMBINED, ROOM, ROOM_EDITED)  # lexical only
    assert same(result, COMBINED, STOCK_A, STOCK_B)  # structural only
    for method in ("exact", "lexical", "structural"):
        labels = result.labels[method]
        for row in range(result.num_rows):
            assert combined[row] == combined[labels[row]]
    assert result.stats(COMBINED).clusters < result.stats("exact").clusters


def test_stats_and_representatives(result) -> None:
    stats = result.stats("exact")
    # Copies: COIN x2 and CHAT x2 and the two blank rows: 14 rows, 11 clusters.
    assert (stats.rows, stats.clusters, stats.largest) == (14, 11, 2)
    assert stats.duplicate_share == pytest.approx(3 / 14)
    kept = list(deduplicated(MESSAGES, result, "exact"))
    assert kept == [MESSAGES[row] for row in result.representatives("exact")]
    assert kept.count(CHAT) == 1 and COIN_PLAIN not in kept and len(kept) == 11


def test_workers_give_the_same_clusters_as_one_process() -> None:
    texts = MESSAGES * 3
    single = deduplicate(texts, DedupConfig(batch_size=4))
    parallel = deduplicate(texts, DedupConfig(batch_size=4, workers=2))
    for method in single.methods:
        assert np.array_equal(single.labels[method], parallel.labels[method])
    assert single.templates == parallel.templates


def test_minhash_signatures_follow_datasketch() -> None:
    text = "비트코인 급등 종목 무료 공개"
    hashes = ngram_hashes(text, 3)
    assert hashes.size == len(text.replace(" ", "")) - 2
    reference = MinHash(num_perm=64, seed=7, hashfunc=int)
    reference.update_batch(hashes.tolist())
    ours = signatures([text, "짧", ""], ngram=3, num_perm=64, seed=7)
    assert np.array_equal(ours[0], reference.hashvalues)
    assert ours.shape == (3, 64) and not np.array_equal(ours[1], ours[2])


def test_minhash_linker_links_only_similar_items() -> None:
    texts = [ROOM, CHAT, ROOM_EDITED, ROOM.replace(" ", "")]
    linker = MinHashLinker(threshold=0.7, num_perm=128, seed=1)
    for signature in signatures(texts, ngram=3, num_perm=128, seed=1):
        linker.add(signature)
    assert linker.components.roots().tolist() == [0, 1, 0, 0]


def test_structural_minhash_joins_edited_templates() -> None:
    config = DedupConfig.from_dict({"methods": ["structural"], "structural": {"minhash": True}})
    labels = deduplicate([ROOM, CHAT, ROOM_EDITED], config).labels["structural"]
    assert labels.tolist() == [0, 1, 0]


def test_config_from_dict_and_omegaconf() -> None:
    settings = {
        "methods": ["exact", "structural"],
        "lexical": {"threshold": 0.8},
        "normalise": {"lowercase": False},
        "workers": 2,
    }
    config = DedupConfig.from_dict(OmegaConf.create(settings))
    assert config.methods == ("exact", "structural") and config.lexical.threshold == 0.8
    assert not config.normalise.lowercase and config.workers == 2
    assert DedupConfig.from_dict(config.to_dict()) == config
    partial = DedupConfig.from_dict({"methods": "exact", "normalise": {"squash_symbols": False}})
    assert partial.methods == ("exact",)
    assert partial.normalise.lowercase and not partial.normalise.squash_symbols
    with pytest.raises(ValueError, match="unknown settings \\['treshold'\\]"):
        DedupConfig.from_dict({"lexical": {"treshold": 0.8}})
    with pytest.raises(ValueError, match="unknown or no methods \\['fuzzy'\\]"):
        DedupConfig(methods=("exact", "fuzzy"))
    with pytest.raises(ValueError, match="lexical.threshold"):
        DedupConfig.from_dict({"lexical": {"threshold": 1.5}})


def test_writers_account_for_every_row(result, tmp_path) -> None:
    rows_path = write_rows(result, tmp_path / "rows.jsonl", MESSAGES)
    rows = [json.loads(line) for line in rows_path.read_text(encoding="utf-8").splitlines()]
    assert [row["row"] for row in rows] == list(range(len(MESSAGES)))
    assert rows[1]["text"] == COIN_PLAIN and rows[1]["exact"] == 0
    assert "010-2345-6789" not in rows[2]["template"] and rows[3]["structural"] == 2

    tsv = write_rows(result, tmp_path / "rows.tsv.gz")
    with gzip.open(tsv, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert lines[0].split("\t") == ["row", "template", *result.methods]
    assert len(lines) == len(MESSAGES) + 1 and all(len(line.split("\t")) == 6 for line in lines)

    path = write_clusters(result, tmp_path / "clusters.jsonl", methods=["structural"])
    clusters = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted(row for cluster in clusters for row in cluster["members"]) == list(range(14))
    stock = next(cluster for cluster in clusters if cluster["cluster"] == 2)
    assert stock["members"] == [2, 3] and stock["size"] == 2 and "<CODE>" in stock["template"]

    with pytest.raises(ValueError, match="more than the result's 14 rows"):
        write_rows(result, tmp_path / "long.jsonl", [*MESSAGES, "extra"])
    with pytest.raises(ValueError, match="expected a .jsonl or .tsv"):
        write_rows(result, tmp_path / "rows.csv")


def test_corpus_rows_keep_blank_lines_and_bad_lines_name_their_place(tmp_path) -> None:
    corpus = tmp_path / "messages.jsonl"
    lines = [{"text": COIN_PLAIN}, {"text": " "}, {"text": COIN_OBFUSCATED}]
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = deduplicate_corpus(corpus, DedupConfig(methods=("exact",)))
    assert result.labels["exact"].tolist() == [0, 1, 0]
    corpus.write_text(corpus.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=f"{corpus}:4: malformed JSON"):
        deduplicate_corpus(corpus)
    with pytest.raises(TypeError, match="row 1: expected a message string"):
        deduplicate(["ok", None])


# Measured on synthetic_pairs(600, 200, seed=0): 200 pairs per relation. Pairs of one template
# share little text in the synthetic corpus (shop names, foods, places and amounts are all slots,
# and mostly not personal data), so exact and plain-template recall are low by design:
#   exact                        precision 1.000  recall 0.000
#   lexical (Jaccard 0.7, 3-gr.) precision 1.000  recall 0.020
#   structural (equal template)  precision 1.000  recall 0.020
#   structural + MinHash 0.5     precision 0.993  recall 0.745  (1 hard negative joined)
# Seeds 1 and 2: structural + MinHash 0.985/0.640 and 0.985/0.665, the others as above.
def test_precision_and_recall_on_synthetic_pairs() -> None:
    pairs = synthetic_pairs(messages=600, pairs_per_relation=200, seed=0)
    relations = [pair.relation for pair in pairs.pairs]
    assert {relation: relations.count(relation) for relation in set(relations)} == {
        SAME_TEMPLATE: 200,
        SAME_KIND: 200,
        OTHER_KIND: 200,
    }
    scores = score_methods(pairs, deduplicate(pairs.texts))
    for method in ("exact", "lexical", "structural"):
        assert scores[method].precision >= 0.99, method
        assert scores[method].joined[OTHER_KIND] == 0, method
    assert scores["lexical"].recall > 0 and scores["structural"].recall > 0

    config = DedupConfig.from_dict(
        {"methods": ["structural"], "structural": {"minhash": True, "threshold": 0.5}}
    )
    similar_templates = score_methods(pairs, deduplicate(pairs.texts, config))["structural"]
    assert similar_templates.precision >= 0.95 and similar_templates.recall >= 0.6
    assert similar_templates.recall > scores["structural"].recall
    assert similar_templates.joined[OTHER_KIND] == 0


def test_score_pairs_counts_by_hand() -> None:
    pairs = synthetic_pairs(messages=200, pairs_per_relation=5, seed=3)
    everything_apart = np.arange(len(pairs.texts))
    apart = score_pairs(pairs, everything_apart)
    assert (apart.true_positives, apart.false_negatives, apart.recall) == (0, 5, 0.0)
    together = score_pairs(pairs, np.zeros(len(pairs.texts), dtype=int))
    assert together.recall == 1.0 and together.precision == pytest.approx(5 / 15)


@pytest.fixture(scope="module")
def tiny_encoder(small_tokenizer) -> SentenceEncoder:
    torch.manual_seed(0)
    config = ElectraConfig(
        vocab_size=len(small_tokenizer),
        hidden_size=32,
        embedding_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
    )
    return SentenceEncoder(ElectraModel(config), small_tokenizer, batch_size=2, device="cpu")


def test_sentence_embeddings_are_unit_length_and_ignore_padding(tiny_encoder) -> None:
    texts = [
        "택배가 도착했습니다",
        "카드 승인",
        "안녕하세요 오늘 저녁 먹자 비트코인 수익 문의 주세요",
    ]
    together = tiny_encoder.encode(texts)
    alone = np.stack([tiny_encoder.encode([text])[0] for text in texts])
    assert together.shape == (3, 32)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together, alone, atol=1e-5)  # padding in a batch changes nothing


def test_semantic_components_link_neighbours_above_the_threshold() -> None:
    vectors = np.array([[1.0, 0.0], [0.96, 0.28], [0.0, 1.0], [-1.0, 0.0]], dtype=np.float32)
    assert semantic_components(vectors, threshold=0.9, neighbours=3).tolist() == [0, 0, 2, 3]
    assert semantic_components(vectors, threshold=0.99, neighbours=3).tolist() == [0, 1, 2, 3]


def test_semantic_method_end_to_end(tiny_encoder) -> None:
    # "A" and "B" are both [UNK] for the small vocabulary: equal embeddings, different exact keys.
    texts = ["택배가 도착했습니다 A", "카드 승인", "택배가 도착했습니다 B", "카드 승인"]
    config = DedupConfig.from_dict(
        {"methods": ["exact", "semantic"], "semantic": {"threshold": 0.999}}
    )
    result = deduplicate(texts, config, encoder=tiny_encoder)
    assert result.labels["exact"].tolist() == [0, 1, 2, 1]
    assert result.labels["semantic"].tolist() == [0, 1, 0, 1]
    assert result.labels[COMBINED].tolist() == [0, 1, 0, 1]


def test_semantic_encoder_loads_a_discriminator_export(tiny_encoder, small_tokenizer, tmp_path):
    folder = tmp_path / "export" / "discriminator"
    discriminator = ElectraForPreTraining(tiny_encoder.model.config)
    discriminator.electra.load_state_dict(tiny_encoder.model.state_dict())
    discriminator.save_pretrained(folder)
    small_tokenizer.save_pretrained(folder)
    config = DedupConfig.from_dict({"methods": ["semantic"], "semantic": {"model": str(folder)}})
    texts = ["택배가 도착했습니다", "카드 승인"]
    loaded = SentenceEncoder.from_pretrained(folder, device="cpu")
    assert np.allclose(loaded.encode(texts), tiny_encoder.encode(texts), atol=1e-5)
    assert deduplicate(texts, config).labels["semantic"].tolist() == [0, 1]
    with pytest.raises(FileNotFoundError, match="no config.json"):
        SentenceEncoder.from_pretrained(tmp_path)
    with pytest.raises(ValueError, match="needs an encoder"):
        deduplicate(texts, DedupConfig(methods=("semantic",)))


@requires_shared_data("messages", "kisa_spam_2022_reports.tsv.gz")
def test_kisa_sample_keeps_rows_and_groups_copies() -> None:
    benchmark = load_benchmark("dedup")
    texts = benchmark.kisa_messages(benchmark.KISA, limit=500)
    result = deduplicate(texts)
    assert result.num_rows == 500
    exact, structural = result.stats("exact"), result.stats("structural")
    # Spam reports come in copies, and templates join more copies than exact keys do.
    assert exact.duplicate_share > 0.2 and structural.clusters <= exact.clusters


def test_benchmark_smoke(capsys) -> None:
    results = load_benchmark("dedup").main(["--smoke"])
    methods = [r.method for r in results]
    assert methods[:3] == ["exact", "lexical", "structural"] and "all (combined)" in methods
    assert all(r.rows == 300 and r.messages_per_s > 0 for r in results)
    assert "| exact | 300 |" in capsys.readouterr().out


def test_deduplicated_needs_every_row(result) -> None:
    with pytest.raises(ValueError, match="texts has 3 rows, the result 14"):
        list(deduplicated(islice(MESSAGES, 3), result, "exact"))
