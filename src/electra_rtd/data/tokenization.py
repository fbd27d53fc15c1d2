"""WordPiece tokenizers for Korean messages: load a pretrained one or train one on the corpus.

Korean needs two departures from BERT's defaults, both because BERT's normaliser would otherwise
destroy Hangul: accents are never stripped (stripping runs NFD, which splits every syllable into
jamo that a syllable vocabulary does not contain) and text is not lowercased unless a tokenizer's
config asks for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import datasets
import tokenizers
from filelock import FileLock
from huggingface_hub import is_offline_mode
from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors, trainers
from tokenizers.models import WordPiece
from transformers import (
    AutoTokenizer,
    BertTokenizer,
    PreTrainedTokenizerBase,
    PreTrainedTokenizerFast,
)

from electra_rtd.data.hub_ids import looks_like_path
from electra_rtd.outputs import atomic_path

logger = logging.getLogger(__name__)

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
# Order fixes the ids: [PAD] must be 0 because models pad with id 0.
SPECIAL_TOKENS = (PAD, UNK, CLS, SEP, MASK)
FINGERPRINT_FILE = "training_fingerprint.json"
TEXT_BATCH_SIZE = 1000
HANGUL = "[가-힣ㄱ-ㅎㅏ-ㅣ]"  # syllables and compatibility jamo (ㅋㅋ, ㅠㅠ)


class TokenizerLoadError(OSError):
    """A tokenizer could not be found; the message says what to download or pass instead."""


def load_tokenizer(name_or_path: str | Path) -> PreTrainedTokenizerBase:
    """Load a tokenizer from a local folder or, failing that, a Hugging Face hub id.

    A folder holding only `vocab.txt` (KoELECTRA, KcBERT) is loaded as a Korean-safe WordPiece
    tokenizer, because AutoTokenizer either fails on it or silently lowercases and strips accents.
    """
    folder = Path(name_or_path).expanduser()
    if folder.is_dir():
        if (folder / "vocab.txt").is_file() and not (folder / "tokenizer.json").is_file():
            return _load_vocab_folder(folder)
        try:
            return AutoTokenizer.from_pretrained(folder)
        except (OSError, ValueError) as error:
            raise TokenizerLoadError(
                f"{folder} is not a tokenizer folder: expected tokenizer.json (from save_pretrained) "
                f"or vocab.txt ({error})"
            ) from error
    if looks_like_path(str(name_or_path)):
        raise TokenizerLoadError(f"tokenizer folder {str(name_or_path)!r} does not exist")
    try:
        return AutoTokenizer.from_pretrained(str(name_or_path))
    except OSError as error:
        raise TokenizerLoadError(_not_found_message(str(name_or_path), error)) from error


def train_wordpiece(
    texts: Iterable[str] | datasets.Dataset,
    out_dir: Path,
    vocab_size: int = 8000,
    min_frequency: int = 2,
    model_max_length: int = 128,
    hangul_syllables: bool = False,
) -> PreTrainedTokenizerBase:
    """Train a BERT-style WordPiece tokenizer and save it so plain AutoTokenizer can load it.

    With ``hangul_syllables`` every Hangul syllable (and jamo) is its own token while Latin words
    and numbers still get WordPiece subwords. Korean glues particles to words (택배가 = 택배 + 가),
    and a WordPiece vocabulary learns such pairs as single tokens, so a keyword span could end
    inside a token; syllable tokens make every Hangul span boundary a token boundary.

    `texts` may be a corpus Dataset: its `text` column is then read in Arrow batches, several times
    faster than iterating the Dataset row by row.
    """
    backend = Tokenizer(WordPiece(unk_token=UNK))
    backend.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False
    )
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    if hangul_syllables:
        backend.pre_tokenizer = pre_tokenizers.Sequence(
            [backend.pre_tokenizer, pre_tokenizers.Split(Regex(HANGUL), behavior="isolated")]
        )
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(SPECIAL_TOKENS),
        continuing_subword_prefix="##",
        # Its bars print empty lines into logs and around tqdm's bars; training takes seconds.
        show_progress=False,
    )
    backend.train_from_iterator(_text_batches(texts), trainer=trainer)
    cls_id, sep_id = backend.token_to_id(CLS), backend.token_to_id(SEP)
    backend.post_processor = processors.TemplateProcessing(
        single=f"{CLS} $A {SEP}",
        pair=f"{CLS} $A {SEP} $B:1 {SEP}:1",
        special_tokens=[(CLS, cls_id), (SEP, sep_id)],
    )
    backend.decoder = decoders.WordPiece(prefix="##")
    # Saved as a generic tokenizers-backed tokenizer: tokenizer.json is then loaded as is, where
    # BertTokenizer would rebuild BERT's own pre-tokeniser around the vocabulary.
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token=UNK,
        pad_token=PAD,
        cls_token=CLS,
        sep_token=SEP,
        mask_token=MASK,
        model_max_length=model_max_length,
    )
    tokenizer.save_pretrained(out_dir)
    logger.info("trained a WordPiece tokenizer of %d tokens into %s", len(tokenizer), out_dir)
    return tokenizer


def get_or_train_tokenizer(
    texts: Iterable[str] | datasets.Dataset,
    out_dir: Path,
    vocab_size: int = 8000,
    min_frequency: int = 2,
    model_max_length: int = 128,
    hangul_syllables: bool = False,
    cache_dir: Path | None = None,
) -> PreTrainedTokenizerBase:
    """Reuse the tokenizer in `out_dir` if it was trained on the same texts and settings, else train.

    Training is not reproducible: the `tokenizers` trainer numbers the alphabet and the ``##``
    pieces in hash-map order, which Rust randomises per process, and merges of equal count are
    then chosen by those numbers (two runs gave 68 of 3,000 tokens different). So with
    `cache_dir`, every run trains a given corpus and settings once into a vocabulary kept there
    (under a lock) and copies it into `out_dir`: runs that share a cache share the vocabulary.

    `texts` is read twice on a miss (to fingerprint, then to train), so it must be re-iterable:
    a list or a corpus Dataset (fastest), not a generator.
    """
    if iter(texts) is texts:
        raise TypeError("texts must be re-iterable (a list or a corpus Dataset), not an iterator")
    out_dir = Path(out_dir)
    settings = {
        "vocab_size": vocab_size,
        "min_frequency": min_frequency,
        "model_max_length": model_max_length,
        "hangul_syllables": hangul_syllables,
        "tokenizers_version": tokenizers.__version__,
    }
    fingerprint = {"settings": settings, "corpus": _corpus_fingerprint(texts)}
    stored = out_dir / FINGERPRINT_FILE
    if _read_json(stored) == fingerprint:
        logger.info("reusing the tokenizer in %s: same corpus and settings", out_dir)
        return AutoTokenizer.from_pretrained(out_dir)
    # Dropped first so an interrupted training cannot leave a folder that claims to be up to date.
    stored.unlink(missing_ok=True)
    if cache_dir is not None:
        shared = _shared_tokenizer(texts, Path(cache_dir), fingerprint)
        shutil.copytree(shared, out_dir, dirs_exist_ok=True)
        logger.info("copied the shared tokenizer %s into %s", shared, out_dir)
        return AutoTokenizer.from_pretrained(out_dir)
    tokenizer = train_wordpiece(
        texts, out_dir, vocab_size, min_frequency, model_max_length, hangul_syllables
    )
    stored.write_text(json.dumps(fingerprint, indent=2), encoding="utf-8")
    return tokenizer


def _shared_tokenizer(
    texts: Iterable[str] | datasets.Dataset, cache_dir: Path, fingerprint: dict
) -> Path:
    """The cached tokenizer for `fingerprint`, trained by the first run that needs it."""
    key = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:16]
    folder = cache_dir / key
    cache_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(cache_dir / f"{key}.lock"):
        if not (folder / FINGERPRINT_FILE).is_file():
            settings = {
                k: v for k, v in fingerprint["settings"].items() if k != "tokenizers_version"
            }
            with atomic_path(folder) as tmp:
                train_wordpiece(texts, tmp, **settings)
                (tmp / FINGERPRINT_FILE).write_text(json.dumps(fingerprint, indent=2))
    return folder


def _load_vocab_folder(folder: Path) -> PreTrainedTokenizerBase:
    """A `vocab.txt` folder, honouring tokenizer_config.json but with Korean-safe defaults."""
    config = _read_json(folder / "tokenizer_config.json")
    options = {
        "do_lower_case": config.get("do_lower_case", False),
        "strip_accents": config.get("strip_accents", False),
    }
    # The shared KcBERT folder has config.json but no tokenizer_config.json: use its position limit.
    max_positions = _read_json(folder / "config.json").get("max_position_embeddings")
    if "model_max_length" not in config and max_positions is not None:
        options["model_max_length"] = max_positions
    logger.info("loading %s as a WordPiece vocabulary with %s", folder, options)
    return BertTokenizer.from_pretrained(folder, **options)


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _not_found_message(name: str, error: OSError) -> str:
    if is_offline_mode():
        reason = (
            "the Hugging Face hub is offline (HF_HUB_OFFLINE=1) and it is not in the local cache"
        )
    else:
        reason = f"the Hugging Face hub could not provide it ({error})"
    return (
        f"cannot load tokenizer {name!r}: no local folder has that name and {reason}. "
        f"Download it where the hub is reachable (`hf download {name}`, then copy the Hugging Face "
        f"cache here), or pass a local folder instead: one saved with save_pretrained, or one "
        f"holding vocab.txt (and optionally tokenizer_config.json) as KoELECTRA and KcBERT ship."
    )


def _corpus_fingerprint(texts: Iterable[str] | datasets.Dataset) -> dict:
    """Hash of every text, length-prefixed so that ["ab", "c"] and ["a", "bc"] differ."""
    digest = hashlib.sha256()
    count = 0
    for batch in _text_batches(texts):
        for text in batch:
            encoded = text.encode("utf-8")
            digest.update(len(encoded).to_bytes(8, "little"))
            digest.update(encoded)
        count += len(batch)
    return {"sha256": digest.hexdigest(), "num_texts": count}


def _text_batches(texts: Iterable[str] | datasets.Dataset) -> Iterator[list[str]]:
    if isinstance(texts, datasets.Dataset):
        for batch in texts.select_columns("text").iter(batch_size=TEXT_BATCH_SIZE):
            yield batch["text"]
        return
    remaining = iter(texts)
    while batch := list(islice(remaining, TEXT_BATCH_SIZE)):
        yield batch
