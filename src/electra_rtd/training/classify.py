"""Text classification fine-tuning (``task=finetune_classifier``): a class per text, through
the same loop as keyword tagging (`electra_rtd.training.finetune.finetune`)."""

from __future__ import annotations

from pathlib import Path

from datasets import Dataset
from omegaconf import DictConfig
from transformers import DataCollatorWithPadding, PreTrainedModel

from electra_rtd.data.batching import make_train_loader
from electra_rtd.data.pretraining import prepare_tokenizer
from electra_rtd.data.text_classes import class_names, encode_text_classes, load_class_splits
from electra_rtd.metrics.class_scores import class_scores
from electra_rtd.models.heads import build_classifier
from electra_rtd.models.text_classifier import TextClassifier
from electra_rtd.training.finetune import FinetuneJob, finetune, with_mode
from electra_rtd.training.runtime import start_run


def finetune_classifier(cfg: DictConfig, run_dir: Path) -> dict[str, float]:
    """Fine-tune a sequence classifier on ``cfg.data``'s classes; keep the weights best on dev
    by ``tagging.select_metric`` (accuracy or macro F1); score them on the test split."""
    accelerator, checkpoint = start_run(cfg, run_dir, weight_keys=("path", "tokenizer"))
    trainer, data = cfg.trainer, cfg.data
    names = class_names(data.labels)
    with accelerator.main_process_first():
        splits = load_class_splits(data)
        train_texts = Dataset.from_dict({"text": [e.text for e in splits["train"]]})
        tokenizer = prepare_tokenizer(cfg.model, train_texts, run_dir / "tokenizer")
        train_set = encode_text_classes(splits["train"], tokenizer, names, data.max_length)
    collate = DataCollatorWithPadding(tokenizer, pad_to_multiple_of=trainer.pad_to_multiple_of)
    options = {"batch_size": trainer.eval_batch_size, "max_length": data.max_length}

    def scores(classifier: TextClassifier, split: str) -> dict[str, float]:
        examples = splits[split]
        predicted = classifier([e.text for e in examples])
        gold = [names.index(e.label) for e in examples]
        return class_scores(predicted, gold, len(names))

    def dev_scores(model: PreTrainedModel) -> dict[str, float]:
        return scores(TextClassifier(model, tokenizer, **options), "dev")

    def test_scores(exported: Path) -> dict[str, float]:
        return scores(TextClassifier.from_pretrained(exported, **options), "test")

    job = FinetuneJob(
        name="classifying",
        model=with_mode(build_classifier(cfg.model, tokenizer, names), cfg.tagging, "sequence"),
        tokenizer=tokenizer,
        train_loader=make_train_loader(train_set, trainer, collate, cfg.seed),
        dev_scores=dev_scores,
        test_scores=test_scores,
    )
    return finetune(cfg, run_dir, accelerator, checkpoint, job)
