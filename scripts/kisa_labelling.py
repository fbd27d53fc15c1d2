"""Hand-labelling of real KISA messages: choose the messages, then collect the labellers' work.

    python scripts/kisa_labelling.py select --out /tmp/labelling     # batches of messages to read
    python scripts/kisa_labelling.py collect --work /tmp/labelling   # labels -> labels/kisa/*.jsonl

`select` writes batches of `{"id", "category", "text"}` outside the repository (message text
never enters it). A labeller reads each message and writes, per message, the keywords as they
stand in the text and their plain forms (docs/labelling_guide.md). `collect` checks every
keyword against its message, turns it into character spans and writes the hashed records.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
from collections import defaultdict
from pathlib import Path

from electra_rtd.corpus_tools.labelling_sample import (
    Family,
    SampleConfig,
    assign_split,
    draw,
    families,
)
from electra_rtd.data.corpus import iter_records
from electra_rtd.data.hashed_labels import (
    hashed_record,
    read_label_folder,
    text_sha256,
    write_label_file,
)
from electra_rtd.data.held_out import keep_for_training
from electra_rtd.data.labelled import LabelledMessage, spans_for_keywords
from electra_rtd.text.keyword_norm import keyword_norm

REPO = Path(__file__).resolve().parents[1]
KISA = REPO.parent / "shared" / "data" / "messages" / "kisa_spam_2022_reports.tsv.gz"
EXCLUDE = {"file_date": ["2022-12-31"]}
# The first 94 hand-labelled messages (keywords as strings, 2026-11-25), already dev and test.
EARLIER = {
    "dev": REPO / "labels/kisa/earlier/dev_keywords.jsonl",
    "test": REPO / "labels/kisa/earlier/test_keywords.jsonl",
}
log = logging.getLogger("kisa_labelling")


def training_families(config: SampleConfig) -> list[Family]:
    """Families of the KISA rows that may be trained on (held-out day and its texts dropped)."""
    records = list(
        iter_records([KISA], "message", keep_columns=("file_date", "spam_type", "msg_type"))
    )
    return families(keep_for_training(records, EXCLUDE), config)


def earlier_labels() -> dict[str, str]:
    """The split of each of the first 94 hand-labelled messages, by hash."""
    return {
        json.loads(line)["sha256"]: split for split, path in EARLIER.items() for line in path.open()
    }


def select(
    out: Path, batches: int, double: int, config: SampleConfig, after: Path | None = None
) -> None:
    """Draw families to label into ``out``; ``after``: a label folder whose families (with those
    of the earlier messages) are left out and whose dev and test stay as they are, so every new
    message goes to train (a further round)."""
    found = training_families(config)
    taken = set(earlier_labels())
    if after is not None:
        taken |= {key for records in read_label_folder(after).values() for key in records}
    # A family holding an already labelled message is labelled (and split) already.
    chosen = draw([f for f in found if not f.member_hashes & taken], config)
    log.info(
        "%d families, %d chosen (%d long)", len(found), len(chosen), sum(f.long for f in chosen)
    )
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(config.seed)
    order = chosen[:]
    rng.shuffle(order)
    manifest = []
    for index, family in enumerate(order):
        key = text_sha256(family.text)
        manifest.append(
            {
                "id": key[:16],
                "sha256": key,
                "batch": index % batches,
                "split": "train" if after is not None else assign_split(key, config),
                "category": family.category,
                "family_rows": family.rows,
                "long": family.long,
                "text": family.text,
            }
        )
    second = rng.sample(range(len(manifest)), double)
    for index in second:
        manifest[index]["second_batch"] = (
            manifest[index]["batch"] + 1 + rng.randrange(batches - 1)
        ) % batches
    with (out / "manifest.jsonl").open("w") as handle:
        for item in manifest:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    for batch in range(batches):
        first = [m for m in manifest if m["batch"] == batch]
        again = [m for m in manifest if m.get("second_batch") == batch]
        with (out / f"batch_{batch:02d}.jsonl").open("w") as handle:
            for item in first + again:
                handle.write(
                    json.dumps(
                        {"id": item["id"], "category": item["category"], "text": item["text"]},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        log.info(
            "batch %d: %d messages (%d second readings)", batch, len(first) + len(again), len(again)
        )


def read_labels(batch: Path, labels: Path) -> tuple[dict[str, dict], list[str]]:
    """A labeller's answers for one batch, and every problem with them (by line)."""
    texts = {json.loads(line)["id"]: json.loads(line)["text"] for line in batch.open()}
    answers: dict[str, dict] = {}
    problems = []
    for number, line in enumerate(labels.open(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            key, keywords = record["id"], record["keywords"]
        except (ValueError, KeyError, TypeError) as error:
            problems.append(f"{labels}:{number}: not a label record ({error})")
            continue
        if key not in texts:
            problems.append(f"{labels}:{number}: id {key} is not in {batch.name}")
            continue
        for keyword in keywords:
            span, norm = keyword.get("span", ""), keyword.get("norm", "")
            if not span or span != span.strip() or span not in texts[key]:
                problems.append(f"{labels}:{number}: span {span!r} does not occur in message {key}")
            if not norm or " " in norm:
                problems.append(f"{labels}:{number}: norm {norm!r} must be non-empty, no spaces")
        answers[key] = record
    missing = [key for key in texts if key not in answers]
    if missing:
        problems.append(f"{labels}: {len(missing)} messages of {batch.name} have no record yet")
    return answers, problems


def collect(works: list[Path], out: Path) -> None:
    """Labellers' files of every round -> hashed records per split (train one file per round,
    `train/roundN.jsonl`), plus the second readings."""
    manifest = {
        json.loads(line)["id"]: {**json.loads(line), "round": number}
        for number, work in enumerate(works, 1)
        for line in (work / "manifest.jsonl").open()
    }
    # A chosen message whose family also holds an earlier dev/test message follows it there.
    family_of = {key: f.id for f in training_families(SampleConfig()) for key in f.member_hashes}
    earlier = earlier_labels()
    # One family with earlier messages in both dev and test goes to dev (which tuned settings).
    family_split: dict[int, str] = {}
    for key, split in sorted(earlier.items(), key=lambda item: item[1] != "dev"):
        if key in family_of:
            family_split.setdefault(family_of[key], split)
    files: dict[str, list[dict]] = defaultdict(list)  # records by file, e.g. "train/round2"
    second: list[dict] = []
    for batch in sorted(batch for work in works for batch in work.glob("batch_*.jsonl")):
        labels = batch.parent / batch.name.replace("batch_", "labels_")
        answers, problems = read_labels(batch, labels) if labels.exists() else ({}, ["missing"])
        number = int(batch.stem.split("_")[1])
        log.info("%s: %d answers, %d problems", labels.name, len(answers), len(problems))
        for key, answer in answers.items():
            item = manifest[key]
            # Every occurrence of each keyword, longest first, never overlapping.
            norm_of = {
                k["span"]: k["norm"]
                for k in answer["keywords"]
                if k.get("span") and k["span"] in item["text"]
            }
            message = LabelledMessage(item["text"], spans_for_keywords(item["text"], norm_of))
            record = hashed_record(
                message,
                [norm_of[surface] for surface in message.keywords],
                category=item["category"],
                family_rows=item["family_rows"],
                long=item["long"],
            )
            if item["sha256"] not in family_of:
                # Its text recurs on the held-out day (the key now ignores spacing): never used.
                log.info("dropped message %s: its text recurs on the held-out day", key)
                continue
            if item["batch"] == number:
                split = family_split.get(family_of[item["sha256"]], item["split"])
                if split != item["split"]:
                    log.info("moved one message to %s: its family holds an earlier one", split)
                files[f"train/round{item['round']}" if split == "train" else split].append(record)
            else:
                second.append(record)
    # The first 94 hand-labelled messages (keywords as strings): spans and plain forms added.
    wanted = {
        json.loads(line)["sha256"]: json.loads(line)
        for path in EARLIER.values()
        for line in path.open()
    }
    texts: dict[str, str] = {}
    for row in iter_records([KISA], "message"):
        key = text_sha256(row["text"])
        if key in wanted:
            texts.setdefault(key, row["text"])
    for key, old in wanted.items():
        if key not in family_of:
            log.info("dropped earlier message %s: its text recurs on the held-out day", key)
            continue
        message = LabelledMessage(texts[key], spans_for_keywords(texts[key], old["keywords"]))
        norms = [keyword_norm(surface) for surface in message.keywords]
        record = hashed_record(message, norms, category=old["spam_type"], earlier=True)
        files[family_split[family_of[key]]].append(record)
    (out / "train").mkdir(parents=True, exist_ok=True)
    for name, records in sorted(files.items()):
        write_label_file(records, out / f"{name}.jsonl")
        log.info("%s: %d messages", name, len(records))
    write_label_file(second, out / "second_reading.jsonl")
    log.info("second readings: %d messages", len(second))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    chooser = commands.add_parser("select")
    chooser.add_argument("--out", type=Path, required=True)
    chooser.add_argument("--batches", type=int, default=8)
    chooser.add_argument("--double", type=int, default=200)
    chooser.add_argument("--after", type=Path, help="label folder of earlier rounds")
    chooser.add_argument("--messages", type=int, default=SampleConfig.messages)
    chooser.add_argument("--seed", type=int, default=SampleConfig.seed)
    collector = commands.add_parser("collect", help="labellers' files -> labels/kisa/*.jsonl")
    collector.add_argument("--work", type=Path, nargs="+", required=True, help="round folders")
    collector.add_argument("--out", type=Path, default=REPO / "labels" / "kisa")
    checker = commands.add_parser("check", help="check a labeller's file against its batch")
    checker.add_argument("batch", type=Path)
    checker.add_argument("labels", type=Path)
    args = parser.parse_args()
    if args.command == "collect":
        collect(args.work, args.out)
    if args.command == "check":
        _, problems = read_labels(args.batch, args.labels)
        print("\n".join(problems) or "ok: every message labelled, every span found")
    if args.command == "select":
        config = SampleConfig(messages=args.messages, seed=args.seed)
        select(args.out, args.batches, args.double, config, args.after)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    main()
