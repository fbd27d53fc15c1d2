"""What a user gets per keyword: its plain form, calibrated scores, top_n / threshold, the
candidate decodings, and the whole `kisa_tagger` path on a small hashed-label set."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from test_extractor import rule_probability, save_rule_model
from test_pretrain import compose_cfg
from transformers import BertTokenizer

from electra_rtd.cli import main
from electra_rtd.corpus_tools.report.keywords import tagger_keywords
from electra_rtd.data.hashed_labels import hashed_record, write_label_file
from electra_rtd.data.labelled import LabelledMessage, synthetic_labelled
from electra_rtd.metrics import score_keywords
from electra_rtd.tagging import Keyword, KeywordTagger, TaggerError
from electra_rtd.tagging.calibration import (
    Calibration,
    expected_calibration_error,
    fit_calibration,
    reliability_bins,
)
from electra_rtd.tagging.extractor import with_candidates
from electra_rtd.tagging.ranker import (
    SCATTERED_TAG,
    compound_candidates,
    fit_ranker,
    scattered_candidates,
)
from electra_rtd.tasks import run_task
from electra_rtd.text.spans import Span
from electra_rtd.training import kisa_tagger
from electra_rtd.training.kisa_tagger import calibrate, cross_fitted_scores

pytestmark = pytest.mark.usefixtures("one_cpu_thread")


@pytest.fixture(scope="module")
def rule_model_dir(tmp_path_factory, small_tokenizer: BertTokenizer) -> Path:
    return save_rule_model(tmp_path_factory.mktemp("rule_model"), small_tokenizer)


def test_every_keyword_carries_its_plain_form(rule_model_dir: Path) -> None:
    tagger = KeywordTagger.from_pretrained(rule_model_dir, device="cpu")
    found = tagger.extract(["비트코인 수익 문의 주세요", "택배가 도착했습니다"])
    assert [(k.text, k.norm) for keywords in found for k in keywords] == [
        ("비트코인", "비트코인"),
        ("수익", "수익"),
        ("택배", "택배"),
    ]


def test_top_n_and_threshold_limit_the_keywords(rule_model_dir: Path) -> None:
    tagger = KeywordTagger.from_pretrained(rule_model_dir, device="cpu")
    text = "카드 대출 택배 수익"
    assert len(tagger.extract(text)) == 4
    assert [k.text for k in tagger.extract(text, top_n=2)] == ["카드", "대출"]
    assert tagger.extract(text, threshold=rule_probability() + 1e-3) == []
    assert len(tagger.extract(text, threshold=rule_probability() - 1e-3)) == 4
    # A keyword named twice is one of the top n, with both of its occurrences.
    repeated = tagger.extract(["카드 대출 카드 택배"], top_n=1)[0]
    assert [(k.start, k.norm) for k in repeated] == [(0, "카드"), (6, "카드")]
    with pytest.raises(TaggerError, match="top_n must be at least 1"):
        tagger.extract(text, top_n=0)


def test_one_text_gives_its_keywords_a_list_gives_one_list_per_text(rule_model_dir: Path) -> None:
    """As KeyBERT's extract_keywords and HF pipelines: a str in, its keywords out."""
    tagger = KeywordTagger.from_pretrained(rule_model_dir, device="cpu")
    one = tagger.extract("택배가 도착했습니다")
    assert [(k.text, type(k)) for k in one] == [("택배", Keyword)]
    assert tagger.extract(["택배가 도착했습니다", "내일 저녁 먹자"]) == [one, []]
    assert tagger("택배가 도착했습니다") == one
    assert tagger(["카드 대출"], top_n=1) == [tagger.extract("카드 대출", top_n=1)]
    assert tagger.extract([]) == []
    with pytest.raises(TypeError, match="not one str"):
        next(tagger.iter_extract("카드 대출"))


def overconfident(n: int = 4000, seed: int = 0) -> tuple[list[float], list[bool]]:
    """Scores in [0.5, 1] that are right only (score - 0.3) of the time."""
    rng = random.Random(seed)
    scores = [rng.uniform(0.5, 1.0) for _ in range(n)]
    return scores, [rng.random() < score - 0.3 for score in scores]


def test_calibration_makes_scores_mean_what_they_say(tmp_path: Path) -> None:
    scores, correct = overconfident()
    calibration = fit_calibration(scores, correct, fitted_on="synthetic")
    calibrated = [calibration(score) for score in scores]
    assert expected_calibration_error(scores, correct) > 0.25
    assert expected_calibration_error(calibrated, correct) < 0.03
    # Monotone: the order of keywords is kept.
    grid = [calibration(x / 100) for x in range(50, 101)]
    assert grid == sorted(grid)
    for point in reliability_bins(calibrated, correct):
        if point.count > 200:
            assert point.share_right == pytest.approx(point.mean_score, abs=0.06)
    calibration.save(tmp_path)
    assert Calibration.load(tmp_path) == calibration
    assert Calibration.load(tmp_path / "nowhere") is None
    with pytest.raises(ValueError, match="both right and wrong"):
        fit_calibration([0.9, 0.8], [True, True], "all right")


def test_a_saved_calibration_maps_the_taggers_scores(rule_model_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    for path in rule_model_dir.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    Calibration((0.0, 1.0), (0.0, 0.5), "halve").save(folder)
    tagger = KeywordTagger.from_pretrained(folder, device="cpu")
    (keyword,) = tagger.extract(["수익"])[0]
    assert keyword.score == pytest.approx(rule_probability() / 2, rel=1e-5)


def test_candidates_the_encoder_believes_in_join_the_tagged_keywords() -> None:
    text = "리딩방 고수익 보장"
    offsets = [(0, 2), (2, 3), (4, 5), (5, 7), (8, 10)]  # 리딩 ##방 고 ##수익 보장
    keyword_probability = [0.9, 0.8, 0.7, 0.6, 0.1]
    tagged = [Keyword(0, 2, "리딩", 0.9, "KW")]  # the tags stopped inside a word
    candidates = [Span(0, 3, "KW"), Span(4, 7, "KW"), Span(8, 10, "KW")]
    found = with_candidates(tagged, text, candidates, offsets, keyword_probability)
    # 리딩방 overlaps the tagged 리딩 (kept as tagged); 고수익 scores 0.65; 보장 0.1 is dropped.
    assert [(k.text, round(k.score, 2)) for k in found] == [("리딩", 0.9), ("고수익", 0.65)]
    assert with_candidates([], text, candidates, offsets, keyword_probability)[0].text == "리딩방"


@pytest.mark.parametrize("decode", ["candidates", "both"])
def test_candidate_decodings_on_the_rule_model(rule_model_dir: Path, decode: str) -> None:
    tagger = KeywordTagger.from_pretrained(rule_model_dir, device="cpu", decode=decode)
    found = tagger.extract(["비트코인 수익 문의 주세요", "내일 저녁 먹자"])
    assert [k.text for k in found[0]] == ["비트코인", "수익"]
    assert found[1] == []
    with pytest.raises(TaggerError, match="decode must be one of"):
        KeywordTagger.from_pretrained(rule_model_dir, device="cpu", decode="words")


def test_cli_top_k_min_score_and_decode(rule_model_dir: Path, tmp_path: Path, capsys) -> None:
    source = tmp_path / "messages.txt"
    source.write_text("카드 대출 택배 수익\n내일 비트코인 문의\n", encoding="utf-8")
    output = tmp_path / "keywords.jsonl"
    common = ["keywords", "--model", str(rule_model_dir), str(source), "-o", str(output)]
    assert main([*common, "--no-progress", "--top-k", "1", "--decode", "both"]) == 0
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [[k["norm"] for k in row["keywords"]] for row in rows] == [["카드"], ["비트코인"]]
    assert main([*common, "--no-progress", "--min-score", "0.999"]) == 0
    assert all(not json.loads(line)["keywords"] for line in output.open(encoding="utf-8"))
    with pytest.raises(SystemExit) as exit_info:
        main([*common, "--top-k", "0"])
    assert exit_info.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_the_report_counts_keywords_by_plain_form() -> None:
    class FixedTagger:
        def iter_extract(self, texts):
            for text in texts:
                yield [Keyword(0, len(text), text, 0.9, "KW", norm="코인")]

    assert tagger_keywords(["코ll인", "코 인", "코인이"], FixedTagger()) == [["코인"]] * 3


def test_kisa_tagger_path_on_a_small_hashed_label_set(tmp_path: Path) -> None:
    """Silver stage then hand labels, chosen on dev by plain-form keyword sets, calibrated."""
    messages = synthetic_labelled(240, seed=5)
    texts = [" ".join(m.text.split()) for m in messages]
    messages = [m for m, t in zip(messages, texts, strict=True) if t == m.text]
    corpus = tmp_path / "dump.tsv"
    rows = [f"2022-10-09\t{m.text}" for m in messages] + ["2022-12-31\t오늘 저녁 먹자"]
    corpus.write_text("file_date\tmessage\n" + "\n".join(rows) + "\n", encoding="utf-8")
    labels = tmp_path / "labels"
    labels.mkdir()
    parts = {"train": messages[:-40], "dev": messages[-40:-20], "test": messages[-20:]}
    for split, items in parts.items():
        records = [hashed_record(m, [m.text[s.start : s.end] for s in m.spans]) for m in items]
        write_label_file(records, labels / f"{split}.jsonl")
    background = tmp_path / "background.txt"
    background.write_text("\n".join(["친구랑 영화 봤어", "밥 먹었어", "산책 다녀왔어"] * 30))
    cfg = compose_cfg(
        "+experiment=kisa_tagger", "model=tiny", "logger=none", "model.vocab_size=800",
        f"data.labels={labels}", f"data.corpus={corpus}", f"silver.corpus={corpus}",
        f"silver.background={background}", "silver.background_column=text",
        f"silver.exclude_hashes=[{labels / 'dev.jsonl'},{labels / 'test.jsonl'}]",
        "silver.labeller.workers=1", "silver.pretrain_steps=0", "silver.tagging_steps=3",
        "trainer.max_steps=4", "trainer.batch_size=8", "tagging.eval_every=2",
        "ranker.cross_fit_steps=2",
    )  # fmt: skip
    metrics = run_task(cfg, tmp_path / "run")
    assert (tmp_path / "run" / "silver" / "export" / "model" / "config.json").is_file()
    for half in ("half_0", "half_1"):  # the hand-label-tuned copies whose scores the ranker read
        assert (
            tmp_path / "run" / "cross_fit" / half / "export" / "model" / "config.json"
        ).is_file()
    assert metrics["test_n_messages"] == 20 and "best_dev_kwset_f1" in metrics
    # Four updates teach a tiny model little: calibrated when its dev keywords allow it.
    calibrated = Calibration.load(tmp_path / "run" / "export" / "model") is not None
    assert calibrated == ("dev_calibration_error" in metrics)


def test_cross_fitting_scores_each_half_with_the_copy_that_never_saw_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ranker must learn from token scores of messages the tagger was not tuned on."""
    trained_on: dict[str, set[str]] = {}

    def finetune(cfg, out_dir: Path, splits) -> dict[str, float]:
        assert cfg.trainer.max_steps == 7 and splits["dev"] == ["dev"]
        trained_on[out_dir.name] = {m.text for m in splits["train"]}
        return {}

    class ScoresWhoScored:
        def __init__(self, copy: str) -> None:
            self.copy = copy

        def token_scores(self, texts: list[str]) -> list[tuple[str, str]]:
            return [(self.copy, text) for text in texts]

    monkeypatch.setattr(kisa_tagger, "finetune_tagger", finetune)
    monkeypatch.setattr(
        kisa_tagger.KeywordTagger,
        "from_pretrained",
        lambda folder, **options: ScoresWhoScored(Path(folder).parents[1].name),
    )
    train = [LabelledMessage(f"메시지 {i}") for i in range(5)]
    cfg = compose_cfg("+experiment=kisa_tagger", "ranker.cross_fit_steps=7")
    splits = {"train": train, "dev": ["dev"], "test": []}
    encoder, scores = cross_fitted_scores(cfg, tmp_path, splits)
    assert encoder == tmp_path / "half_0" / "export" / "model"
    assert trained_on["half_0"] | trained_on["half_1"] == {m.text for m in train}
    assert not trained_on["half_0"] & trained_on["half_1"]
    for message, (copy, text) in zip(train, scores, strict=True):
        assert text == message.text and message.text not in trained_on[copy]
    with pytest.raises(ValueError, match="two halves"):
        cross_fitted_scores(cfg, tmp_path, {**splits, "train": train[:1]})


def test_calibration_is_fitted_on_dev_keywords_and_saved(
    rule_model_dir: Path, tmp_path: Path, caplog
) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    for path in rule_model_dir.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    text = "택배 수익 문의"  # the rule model finds 택배 (right) and 수익 (wrong)
    dev = [LabelledMessage(text, (Span(0, 2, "KW"),))] * 3
    errors = calibrate(folder, dev)
    calibration = Calibration.load(folder)
    assert calibration(rule_probability()) == pytest.approx(0.5)
    assert errors["dev_calibration_error"] < errors["dev_calibration_error_raw"]
    only_right = [LabelledMessage(text, (Span(0, 2, "KW"), Span(3, 5, "KW")))]
    assert calibrate(folder, only_right) == {}
    assert "scores not calibrated" in caplog.text


def test_compound_candidates_are_noun_runs_and_their_sub_runs() -> None:
    (candidates,) = compound_candidates(["비트코인 리딩방 무료입장 안내"], max_tokens=2)
    surfaces = {"비트코인 리딩방 무료입장 안내"[c.start : c.end] for c in candidates}
    assert {"비트코인", "리딩방", "무료", "입장", "무료입장"} <= surfaces
    whole = [c for c in candidates if c.whole_run]
    assert all(c.starts_run and c.ends_run for c in whole)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("수.익 보장 리딩방", ["수.익"]),
        ("해.외.선물 카-지-노 안내", ["해.외.선물", "카-지-노"]),
        ("[레 이 스 벳] 가입", ["레 이 스 벳"]),
        ("할 수 있다 010.1234.5678", []),  # prose, and digits are slots
        ("무.료 픽", ["무.료"]),  # one separator throughout: the space ends it
    ],
)
def test_scattered_spellings_are_candidates_of_their_own(text: str, expected: list[str]) -> None:
    assert [text[c.start : c.end] for c in scattered_candidates(text, set())] == expected
    (candidates,) = compound_candidates([text])
    found = {text[c.start : c.end] for c in candidates if c.first_tag == SCATTERED_TAG}
    assert found == set(expected) - {
        text[c.start : c.end] for c in candidates if c.first_tag != SCATTERED_TAG
    }


def test_a_fitted_ranker_is_saved_beside_the_model_and_decodes_by_default(
    rule_model_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    for path in rule_model_dir.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    messages = [m for m in synthetic_labelled(300, seed=2) if m.spans and len(m.text) < 120]
    tagger = KeywordTagger.from_pretrained(folder, device="cpu")
    assert tagger.decode == "tags" and tagger.ranker is None
    ranker = fit_ranker(tagger, messages[:200], messages[200:], max_tokens=2)
    assert 0.05 <= ranker.threshold <= 0.7 and ranker.prior
    ranker.save(folder)
    loaded = KeywordTagger.from_pretrained(folder, device="cpu")
    assert loaded.decode == "ranked" and loaded.ranker.threshold == ranker.threshold
    found = loaded.extract([m.text for m in messages[200:]])
    texts = [m.text for m in messages[200:]]
    for text, keywords in zip(texts, found, strict=True):
        for keyword in keywords:
            assert text[keyword.start : keyword.end] == keyword.text and 0 <= keyword.score <= 1
    # The ranker learnt something: it beats taking every candidate (and taking none scores 0).
    gold = [list(m.spans) for m in messages[200:]]
    every = [[Span(c.start, c.end, "KW") for c in cs] for cs in compound_candidates(texts, 2)]
    ranked = [[k.span for k in keywords] for keywords in found]
    assert (
        score_keywords(ranked, gold, texts)["kwset_f1"]
        > score_keywords(every, gold, texts)["kwset_f1"] + 0.1
    )
    settings = json.loads((folder / "ranker.json").read_text(encoding="utf-8"))
    settings["features"] = settings["features"][:-1]
    (folder / "ranker.json").write_text(json.dumps(settings), encoding="utf-8")
    with pytest.raises(ValueError, match="fitted on other features"):
        KeywordTagger.from_pretrained(folder, device="cpu")
    with pytest.raises(TaggerError, match="needs a candidate ranker"):
        KeywordTagger.from_pretrained(rule_model_dir, device="cpu", decode="ranked")
