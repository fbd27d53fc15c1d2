"""The `electra-rtd` console command: one argparse subcommand per job.

Each subcommand has a small `_add_<name>` function declaring its arguments and a handler that only
turns arguments into a call into the package. Errors a user can fix by changing the input (listed
in `user_errors`) are printed as one line on stderr with exit code 2, without a traceback. Heavy
libraries (torch, transformers, datasets) are imported inside the commands, so `--help` and
`--version` answer at once. Commands writing one file write to standard output for `-o -` or no
`-o`, so they can be piped.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from tqdm.contrib.logging import logging_redirect_tqdm

from electra_rtd import __version__
from electra_rtd.outputs import OutputError, check_output, describe_os_error, open_output

if TYPE_CHECKING:
    from electra_rtd.corpus_tools.llm_labeller import LlmLabeller


class UsageError(ValueError):
    """Options that do not fit together, found after argparse accepted each one alone."""


EXIT_USER_ERROR = 2
# -o value that means standard output (also the default of the commands writing one file).
STDOUT = "-"


def user_errors() -> tuple[type[Exception], ...]:
    """Errors a user fixes by changing the input. Imported only once a command failed, so that
    `--help` does not load torch and transformers (the handlers have imported them by then)."""
    from electra_rtd.corpus_tools.llm_client import LlmRequestError
    from electra_rtd.data.corpus import CorpusError
    from electra_rtd.tagging import TaggerError

    return (CorpusError, TaggerError, FileNotFoundError, UsageError, LlmRequestError, OutputError)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the exit code (argparse exits with 2 on bad arguments)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _build_parser(argv)
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", level=logging.INFO)
    try:
        with logging_redirect_tqdm():  # log lines above the progress bar, not glued onto it
            args.handler(args)
    except Exception as error:
        if isinstance(error, user_errors()):
            message = str(error)
        elif isinstance(error, OSError):  # read-only folder, disk full, ...: one line
            message = describe_os_error(error.filename or args.output, error, "failed")
        else:
            raise
        parser.exit(EXIT_USER_ERROR, f"{parser.prog} {args.command}: error: {message}\n")
    return 0


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Each option's help ends with its default, as with argparse's ArgumentDefaultsHelpFormatter,
    except where there is none to print: required options, flags, and unset options, whose help
    says what unset means ("default: ...")."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (
            "default" in text
            or action.required
            or not action.option_strings
            or action.default in (None, False, argparse.SUPPRESS)
        ):
            return text
        return f"{text} (default: %(default)s)"


def _build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """Every command is listed, but only the one named in ``argv`` gets its options: declaring
    them reads defaults from modules that import torch and transformers (seconds), which neither
    `electra-rtd --help` nor another command needs."""
    parser = argparse.ArgumentParser(
        prog="electra-rtd", description="Korean short-message understanding with ELECTRA."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, title="commands")
    chosen = next((arg for arg in argv if not arg.startswith("-")), None)
    for name, (summary, description, add_options) in COMMANDS.items():
        command = commands.add_parser(
            name,
            help=summary,
            description=description,
            formatter_class=DefaultsHelpFormatter,
        )
        if name == chosen:
            add_options(command)
    return parser


def _add_output_file(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument(
        "-o", "--output", default=STDOUT, help=f"output {what}; '-' is standard output"
    )


def _check_output_file(path: str, inputs: list[str | None]) -> None:
    """`check_output` before any work, except for standard output, which cannot clash."""
    if path != STDOUT:
        check_output(path, inputs)


@contextmanager
def _open_output(path: str) -> Iterator[TextIO]:
    """Standard output for ``-``, else the file written atomically by `open_output`."""
    if path == STDOUT:
        yield sys.stdout
        return
    with open_output(path) as out:
        yield out


KEYWORDS_DESCRIPTION = (
    "Write one JSON line {text, keywords} per input row, in input order (blank rows get no "
    "keywords). INPUT is a .txt/.jsonl/.csv/.tsv file (optionally .gz), a .parquet file, a "
    "folder of them, or a datasets hub id or dataset folder (NAME or NAME:SPLIT)."
)


def _add_keywords(command: argparse.ArgumentParser) -> None:
    from electra_rtd.tagging.options import BACKENDS, DECODES

    command.add_argument("input", metavar="INPUT", help="corpus file, folder or dataset")
    command.add_argument(
        "--model", required=True, help="exported token-classification folder, or a hub id"
    )
    _add_output_file(command, ".jsonl file")
    command.add_argument("--text-column", default="text", help="column holding the messages")
    command.add_argument("--batch-size", type=int, default=64, help="messages per forward pass")
    command.add_argument("--max-length", type=int, default=128, help="tokens per window")
    command.add_argument(
        "--stride",
        type=int,
        help="tokens shared by the windows of a longer message (default: a quarter of a "
        "window); -1 truncates it instead",
    )
    command.add_argument(
        "--device", choices=("cpu", "cuda"), help="default: cuda if available, else cpu"
    )
    command.add_argument(
        "--dtype",
        choices=("float32", "bfloat16", "float16"),
        help="weights dtype (default: as saved; bfloat16 is faster on CPUs with AVX512-BF16)",
    )
    command.add_argument("--compile", action="store_true", help="torch.compile the model")
    command.add_argument(
        "--backend",
        choices=BACKENDS,
        default="torch",
        help="onnx-int8: ONNX Runtime with int8 weights, ~3x faster on CPUs with AVX512-VNNI",
    )
    command.add_argument(
        "--decode",
        choices=DECODES,
        help="spans from the BIO tags, from Kiwi noun compounds scored by the model, both, or "
        "chosen by the model's candidate ranker (default: ranked when the model has one, "
        "else tags)",
    )
    command.add_argument(
        "--top-n",
        "--top-k",
        dest="top_n",
        type=_positive_int,
        help="the N best distinct keywords of a message, every occurrence of each kept "
        "(default: all)",
    )
    command.add_argument(
        "--threshold",
        "--min-score",
        dest="threshold",
        type=float,
        default=0.0,
        help="drop keywords scoring below this (calibrated when the model has calibration.json)",
    )
    command.add_argument("--no-progress", action="store_true", help="no progress bar")
    command.set_defaults(handler=_run_keywords)


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _run_keywords(args: argparse.Namespace) -> None:
    from transformers.utils.logging import disable_progress_bar

    from electra_rtd.data.corpus import corpus_parts
    from electra_rtd.tagging import KeywordTagger, write_corpus_keywords

    corpus_parts(args.input)  # a wrong path fails here, before a model is loaded
    _check_output_file(args.output, [args.input])
    # Only the keywords bar: transformers' weight-loading bars would scroll it away.
    disable_progress_bar()
    tagger = KeywordTagger.from_pretrained(
        args.model,
        device=args.device,
        batch_size=args.batch_size,
        max_length=args.max_length,
        stride=_stride(args.stride),
        dtype=args.dtype,
        compile_model=args.compile,
        backend=args.backend,
        decode=args.decode,
    )
    with _open_output(args.output) as out:
        write_corpus_keywords(
            tagger,
            args.input,
            out,
            text_column=args.text_column,
            progress=not args.no_progress,
            top_n=args.top_n,
            threshold=args.threshold,
        )


def _stride(value: int | None) -> int | str | None:
    """--stride: unset is the tagger's default, a negative number truncates."""
    if value is None:
        return "auto"
    return None if value < 0 else value


# Corpus tools: normalise, dedup, label, report.


def _add_input_options(command: argparse.ArgumentParser) -> None:
    """INPUT and --text-column, shared by the corpus commands."""
    command.add_argument(
        "input",
        metavar="INPUT",
        help="corpus file (.txt/.jsonl/.csv/.tsv, optionally .gz, or .parquet), folder of them, "
        "or a datasets hub id or dataset folder (NAME or NAME:SPLIT)",
    )
    command.add_argument("--text-column", default="text", help="column holding the messages")


def _add_progress_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--workers", type=_positive_int, default=1, help="processes for the per-message work"
    )
    command.add_argument("--no-progress", action="store_true", help="no progress bar")


NORMALISE_DESCRIPTION = (
    "Write one JSON line {text, normalised, masked} per input row, in input order (blank rows "
    "included): the normalised text undoes Unicode tricks, carrier boilerplate and obfuscated "
    "spellings; `masked` is it with personal and variable data replaced by placeholders "
    "(<PHONE>, <URL>, ...)."
)


def _add_normalise(command: argparse.ArgumentParser) -> None:
    _add_input_options(command)
    _add_output_file(command, ".jsonl file")
    _add_progress_options(command)
    command.set_defaults(handler=_run_normalise)


def _run_normalise(args: argparse.Namespace) -> None:
    from tqdm.auto import tqdm

    from electra_rtd.text.normalise import normalise_many
    from electra_rtd.text.privacy import mask_pii

    _check_output_file(args.output, [args.input])
    texts = _corpus_texts(args.input, args.text_column, keep_blank=True)
    normalised = normalise_many(texts, workers=args.workers)
    with _open_output(args.output) as out:
        for row in tqdm(normalised, desc="normalising", unit="msg", disable=args.no_progress):
            record = {"text": row.source, "normalised": row.text, "masked": mask_pii(row.text).text}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


DEDUP_DESCRIPTION = (
    "Write OUT_DIR/rows.jsonl (every input row with its template and cluster id under each "
    "method and their combination) and OUT_DIR/clusters.jsonl (one line per cluster with its "
    "members)."
)


def _add_dedup(command: argparse.ArgumentParser) -> None:
    from electra_rtd.corpus_tools.dedup import METHODS, DedupConfig

    _add_input_options(command)
    command.add_argument("-o", "--output", required=True, help="output folder")
    command.add_argument(
        "--methods",
        nargs="+",
        choices=METHODS,
        default=list(DedupConfig().methods),
        help="de-duplication methods (default: %(default)s)",
    )
    command.add_argument("--model", help="encoder folder for the semantic method (adds it)")
    command.add_argument(
        "--min-cluster-size", type=_positive_int, default=1, help="smaller clusters not listed"
    )
    _add_progress_options(command)
    command.set_defaults(handler=_run_dedup)


def _run_dedup(args: argparse.Namespace) -> None:
    from tqdm.auto import tqdm

    from electra_rtd.corpus_tools.dedup import (
        DedupConfig,
        SemanticConfig,
        deduplicate,
        write_clusters,
        write_rows,
    )

    methods = list(dict.fromkeys([*args.methods, *(["semantic"] if args.model else [])]))
    if "semantic" in methods and not args.model:
        raise UsageError("the semantic method needs an encoder: give --model DIR")
    config = DedupConfig(
        methods=methods, semantic=SemanticConfig(model=args.model), workers=args.workers
    )
    output = check_output(args.output, [args.input], files=("rows.jsonl", "clusters.jsonl"))
    texts = _corpus_texts(args.input, args.text_column, keep_blank=True)
    result = deduplicate(
        tqdm(texts, desc="de-duplicating", unit="msg", disable=args.no_progress), config
    )
    write_rows(result, output / "rows.jsonl", _corpus_texts(args.input, args.text_column, True))
    write_clusters(result, output / "clusters.jsonl", min_size=args.min_cluster_size)


LABEL_DESCRIPTION = (
    "Write every message with its keyword spans (labelled JSONL). Silver: the corpus's most "
    "distinctive nouns against a background of ordinary messages (without --background, "
    "ordinary synthetic messages). With --llm: the keywords a chat model behind an "
    "OpenAI-compatible endpoint names (slots such as phone numbers are masked before sending; "
    "the API key is read from --api-key-env)."
)


def _add_label(command: argparse.ArgumentParser) -> None:
    from electra_rtd.corpus_tools.silver import SilverConfig

    _add_input_options(command)
    _add_output_file(command, ".jsonl file")
    command.add_argument("--background", help="corpus of ordinary messages")
    command.add_argument("--background-column", default="text", help="its text column")
    command.add_argument(
        "--vocabulary-size",
        type=int,
        default=SilverConfig().top_n,
        help="keywords; 0 keeps every candidate more frequent than in the background",
    )
    command.add_argument(
        "--llm",
        action="store_true",
        help="ask a chat model instead (the llm extra: pip install 'electra-rtd[llm]')",
    )
    command.add_argument("--base-url", help="endpoint with version, e.g. https://host/v1")
    command.add_argument("--model-name", help="the model to ask")
    command.add_argument("--api-key-env", default="OPENAI_API_KEY", help="variable with the key")
    command.add_argument("--llm-batch-size", type=_positive_int, default=20, help="per request")
    command.add_argument("--cache", help="SQLite file caching answers (resumes a stopped run)")
    _add_progress_options(command)
    command.set_defaults(handler=_run_label)


def _run_label(args: argparse.Namespace) -> None:
    from electra_rtd.corpus_tools.silver import SilverConfig, SilverLabeller
    from electra_rtd.data.corpus import CorpusError
    from electra_rtd.data.labelled import check_labelled_name, labelled_line

    if args.output != STDOUT:
        check_labelled_name(args.output)
    _check_output_file(args.output, [args.input, args.background])
    texts = list(_corpus_texts(args.input, args.text_column))
    if not texts:
        raise CorpusError(f"{args.input}: the corpus holds no messages")
    if args.llm:
        labelled = _llm_labeller(args).label(texts)
    else:
        labeller = SilverLabeller(
            SilverConfig(top_n=args.vocabulary_size or None, workers=args.workers)
        )
        labelled = labeller.fit_label(texts, _background(args))
    with _open_output(args.output) as out:
        out.writelines(labelled_line(message) for message in labelled)


def _llm_labeller(args: argparse.Namespace) -> LlmLabeller:
    from electra_rtd.corpus_tools.llm_labeller import LlmConfig, LlmLabeller

    if not (args.base_url and args.model_name):
        raise UsageError("--llm needs --base-url and --model-name")
    try:
        return LlmLabeller(
            LlmConfig(
                base_url=args.base_url,
                model=args.model_name,
                api_key_env=args.api_key_env,
                batch_size=args.llm_batch_size,
                cache_path=args.cache,
            )
        )
    except (ValueError, ImportError) as error:  # a bad option, or the llm extra missing
        raise UsageError(str(error)) from None


REPORT_DESCRIPTION = (
    "Group copies of messages into families and families that share keywords into topics, "
    "ranked by messages; write OUT_DIR/report.md with PNG charts, a self-contained "
    "OUT_DIR/report.html and OUT_DIR/topics.json. Examples are masked."
)


def _add_report(command: argparse.ArgumentParser) -> None:
    from electra_rtd.corpus_tools.report import TopicSettings

    _add_input_options(command)
    command.add_argument("-o", "--output", required=True, help="output folder")
    command.add_argument("--date-column", help="ISO date column: trends per day/week/month")
    command.add_argument(
        "--model", help="keyword tagger folder or hub id (default: silver keywords)"
    )
    command.add_argument("--encoder", help="encoder folder: adds semantic clusters")
    command.add_argument("--background", help="ordinary messages for silver keywords")
    command.add_argument("--background-column", default="text", help="its text column")
    command.add_argument("--exclude-column", help="leave out rows whose column holds ...")
    command.add_argument("--exclude-value", nargs="+", help="... one of these values")
    command.add_argument("--limit", type=_positive_int, help="first N rows (after exclusion)")
    command.add_argument(
        "--top-topics", type=_positive_int, default=20, help="topics in the report"
    )
    command.add_argument(
        "--topic-similarity",
        type=float,
        default=TopicSettings().similarity,
        help="keyword cosine for families to share a topic (lower: broader topics)",
    )
    _add_progress_options(command)
    command.set_defaults(handler=_run_report)


def _run_report(args: argparse.Namespace) -> None:
    from transformers.utils.logging import disable_progress_bar

    from electra_rtd.corpus_tools.report import (
        REPORT_FILES,
        ReportConfig,
        TopicSettings,
        build_report,
        write_report,
    )
    from electra_rtd.data.corpus import corpus_parts
    from electra_rtd.tagging import KeywordTagger

    if (args.exclude_column is None) != (args.exclude_value is None):
        raise UsageError("--exclude-column and --exclude-value go together")
    corpus_parts(args.input)  # a wrong path fails here, before a model is loaded
    check_output(args.output, [args.input, args.background], files=REPORT_FILES)
    config = ReportConfig(
        text_column=args.text_column,
        date_column=args.date_column,
        exclude={args.exclude_column: args.exclude_value} if args.exclude_column else {},
        limit=args.limit,
        top_topics=args.top_topics,
        topics=TopicSettings(similarity=args.topic_similarity),
        workers=args.workers,
    )
    tagger = None
    if args.model:
        disable_progress_bar()
        tagger = KeywordTagger.from_pretrained(args.model)
    report = build_report(
        args.input,
        config,
        tagger=tagger,
        encoder=args.encoder,
        background=_background(args) if args.background else None,
        progress=not args.no_progress,
    )
    write_report(report, args.output)


def _corpus_texts(path: str, text_column: str, keep_blank: bool = False) -> Iterator[str]:
    from electra_rtd.data.corpus import corpus_parts, iter_records

    records = iter_records(corpus_parts(path), text_column, keep_blank=keep_blank)
    return (record["text"] for record in records)


def _background(args: argparse.Namespace) -> list[str]:
    from electra_rtd.corpus_tools.report import synthetic_background

    if args.background is None:
        return synthetic_background()
    return list(_corpus_texts(args.background, args.background_column))


# name: (one-line summary for `electra-rtd --help`, description, the function adding its options)
COMMANDS: dict[str, tuple[str, str, Callable[[argparse.ArgumentParser], None]]] = {
    "keywords": (
        "tag keywords in messages with a trained tagger",
        KEYWORDS_DESCRIPTION,
        _add_keywords,
    ),
    "normalise": (
        "normalise messages and mask personal data",
        NORMALISE_DESCRIPTION,
        _add_normalise,
    ),
    "dedup": (
        "find copies of messages (exact, lexical, structural, semantic)",
        DEDUP_DESCRIPTION,
        _add_dedup,
    ),
    "label": (
        "keyword labels for training a tagger (silver, or from an LLM)",
        LABEL_DESCRIPTION,
        _add_label,
    ),
    "report": (
        "what a corpus is about: topics, keywords, examples, trends",
        REPORT_DESCRIPTION,
        _add_report,
    ),
}
