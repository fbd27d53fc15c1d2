"""Labelled keyword data: messages with gold character spans, read from JSONL or BIO files.

Every example is checked and a bad one is reported with its file and line. With
`on_error="raise"` the first problem stops reading; with `"warn"` bad examples are dropped, counted
and logged once per file. A bad span drops its whole example, never just the span: a message with
one keyword silently unlabelled would teach the tagger that the keyword is not one.

Gold spans never begin or end with whitespace (decoded predictions are trimmed the same way, so
strict span scores compare like with like); readers trim them and log how many they trimmed.
"""

from __future__ import annotations

import json
import logging
import operator
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from electra_rtd.data.corpus import MAX_REPORTED_LINES, CorpusError, format_suffix, read_lines
from electra_rtd.data.synthetic import generate_messages
from electra_rtd.outputs import OutputError, open_output
from electra_rtd.text.privacy import mask_for_display
from electra_rtd.text.spans import Span, spans_from_bio, trim_span

logger = logging.getLogger(__name__)

DEFAULT_LABEL = "KW"
JSONL_SUFFIXES = (".jsonl", ".json")
BIO_SUFFIXES = (".conll", ".bio", ".tsv", ".txt")
# Top-level JSONL keys with a meaning of their own; every other key is kept in `meta`.
RECORD_KEYS = ("text", "spans", "keywords", "source")
# CoNLL-2003 separates documents with this pseudo-token; it is a sentence break here.
DOCSTART = "-DOCSTART-"

OnError = Literal["raise", "warn"]
BioLevel = Literal["auto", "char", "token"]

_TAG = re.compile(r"O|[BI]-\S+")


@dataclass(frozen=True)
class LabelledMessage:
    """A message and its keyword spans; construction checks the spans and sorts them by start."""

    text: str
    spans: tuple[Span, ...] = ()
    # Where the labels came from ("gold", "silver", "llm", "synthetic"...), for mixing and ablations.
    source: str | None = None
    # Anything else the file carried (kind, template_id, date, id...), written back unchanged.
    meta: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError("the text must be a non-blank string")
        if self.source is not None and not isinstance(self.source, str):
            raise ValueError(f"source must be a string, got {type(self.source).__name__}")
        spans = tuple(sorted(_checked_span(span, self.text) for span in self.spans))
        for span in spans:
            surface = self.text[span.start : span.end]
            if surface != surface.strip():
                raise ValueError(f"span {_where(span)} begins or ends with whitespace")
        for before, after in pairwise(spans):
            if after.start < before.end:
                raise ValueError(
                    f"span {_where(after)} overlaps span {_where(before)}; spans must not overlap"
                )
        object.__setattr__(self, "spans", spans)

    @property
    def keywords(self) -> list[str]:
        """The spans' surface strings, in text order."""
        return [self.text[span.start : span.end] for span in self.spans]


def read_labelled(
    path: str | Path,
    on_error: OnError = "raise",
    *,
    source: str | None = None,
    bio_level: BioLevel = "auto",
) -> list[LabelledMessage]:
    """Read labelled messages from a JSONL or BIO file (optionally .gz), chosen by suffix.

    JSONL (.jsonl, .json): one object per line with `text` and either `spans`
    (`[{"start", "end", "label"}]`, character offsets, label defaults to "KW") or `keywords` (strings,
    tagged wherever they occur; see `spans_for_keywords`). Where both are present `spans` wins: the
    synthetic corpus writes `keywords` only as a readable copy of its spans. Other keys go to `meta`.

    BIO (.conll, .bio, .tsv, .txt): one token a line, `token<TAB>...<TAB>tag` (the token may be
    a space) or `token ... tag` separated by spaces; the first field is the token and the last the
    tag, so CoNLL files with extra columns read too. Blank lines and `-DOCSTART-` end a sentence.
    A line starting with `#` is a comment unless it is a well-formed token line: KLUE-NER's
    comments (`## id<TAB>sentence`) never end in a tag, and `#<TAB>O` is its token for a literal
    `#`. An `I-X` must continue an `X` span. `bio_level` says how tokens join into the text:
    "char" concatenates them (KLUE-NER, where a space is a token of its own), "token" joins them
    with single spaces; "auto" picks "char" when the file has a whitespace token or only
    single-character tokens.

    `source` is given to examples that do not name their own. Unreadable files and invalid UTF-8
    always raise: they are problems of the whole file, not of one example.
    """
    path = Path(path)
    if on_error not in ("raise", "warn"):
        raise ValueError(f"on_error must be 'raise' or 'warn', got {on_error!r}")
    if bio_level not in ("auto", "char", "token"):
        raise ValueError(f"bio_level must be 'auto', 'char' or 'token', got {bio_level!r}")
    if not path.is_file():
        raise FileNotFoundError(f"labelled file does not exist: {path}")
    report = _FileReport(path, on_error)
    file_format = format_suffix(path)
    if file_format in JSONL_SUFFIXES:
        messages = list(_read_jsonl(path, report, source))
    elif file_format in BIO_SUFFIXES:
        messages = _read_bio(path, report, source, bio_level)
    else:
        raise CorpusError(
            f"{path}: unsupported labelled file; expected "
            f"{', '.join(JSONL_SUFFIXES + BIO_SUFFIXES)} (each optionally .gz)"
        )
    report.log()
    if not messages:
        raise CorpusError(
            f"{path}: no usable labelled examples ({len(report.bad_lines)} dropped as bad)"
        )
    logger.info("read %d labelled messages from %s", len(messages), path)
    return messages


def check_labelled_name(path: str | Path) -> Path:
    """Refuse a name `write_labelled` cannot write, before the labelling work is done."""
    path = Path(path)
    if format_suffix(path) not in JSONL_SUFFIXES:
        raise OutputError(
            f"{path}: labelled messages are written as JSONL; name it .jsonl or .json"
        )
    return path


def write_labelled(messages: Iterable[LabelledMessage], path: str | Path) -> Path:
    """Write JSONL (gzipped for a .gz name) that `read_labelled` reads back into equal messages."""
    path = check_labelled_name(path)
    count = 0
    with open_output(path) as handle:
        for message in messages:
            handle.write(labelled_line(message))
            count += 1
    logger.info("wrote %d labelled messages to %s", count, path)
    return path


def labelled_line(message: LabelledMessage) -> str:
    """One message as the JSON line `write_labelled` writes (newline included)."""
    return json.dumps(_record(message), ensure_ascii=False) + "\n"


def synthetic_labelled(n: int, seed: int = 0) -> list[LabelledMessage]:
    """`n` generated messages with their gold spans; kind, template_id and date go to `meta`."""
    return [
        LabelledMessage(
            text=message.text,
            spans=tuple(Span(span.start, span.end, span.label) for span in message.spans),
            source="synthetic",
            meta={"kind": message.kind, "template_id": message.template_id, "date": message.date},
        )
        for message in generate_messages(n, seed)
    ]


def spans_for_keywords(
    text: str, keywords: Iterable[str], label: str = DEFAULT_LABEL
) -> tuple[Span, ...]:
    """Tag every occurrence of every keyword, longest keyword first, never overlapping.

    Longest first so that "서울시청" is not cut into "서울" + "시청" when all three are listed;
    an occurrence that overlaps one already tagged is skipped. Keywords match exactly (case and
    spelling), after trimming their surrounding whitespace. A keyword that does not occur at all is
    an error: it means the labels and the text disagree.
    """
    cleaned = []
    for keyword in keywords:
        if not isinstance(keyword, str) or not keyword.strip():
            raise ValueError(f"keywords must be non-blank strings, got {keyword!r}")
        cleaned.append(keyword.strip())
    taken = bytearray(len(text))
    spans = []
    for keyword in sorted(set(cleaned), key=lambda word: (-len(word), word)):
        start = text.find(keyword)
        if start == -1:
            raise ValueError(
                f"keyword {mask_for_display(keyword, 40)!r} does not occur in the text"
            )
        while start != -1:
            end = start + len(keyword)
            if any(taken[start:end]):
                start = text.find(keyword, start + 1)
                continue
            taken[start:end] = b"\x01" * len(keyword)
            spans.append(Span(start, end, label))
            start = text.find(keyword, end)
    return tuple(sorted(spans))


class _FileReport:
    """Problems and trimmed spans of one file: raised at once, or logged once when it is done."""

    def __init__(self, path: Path, on_error: OnError) -> None:
        self.path = path
        self.on_error = on_error
        self.bad_lines: list[int] = []
        self.first_problem = ""
        self.trimmed = 0

    def problem(self, line: int, message: str) -> None:
        if self.on_error == "raise":
            raise CorpusError(f"{self.path}:{line}: {message}")
        if not self.bad_lines:
            self.first_problem = message
        self.bad_lines.append(line)

    def log(self) -> None:
        if self.trimmed:
            logger.info("%s: trimmed whitespace from the ends of %d spans", self.path, self.trimmed)
        if not self.bad_lines:
            return
        shown = self.bad_lines[:MAX_REPORTED_LINES]
        more = ", ..." if len(self.bad_lines) > len(shown) else ""
        logger.warning(
            "%s: dropped %d bad labelled examples (lines %s%s); the first: %s",
            self.path,
            len(self.bad_lines),
            ", ".join(map(str, shown)),
            more,
            self.first_problem,
        )


def _read_jsonl(path: Path, report: _FileReport, source: str | None) -> Iterator[LabelledMessage]:
    for line, raw in read_lines(path):
        if not raw.strip():
            continue
        try:
            message = _message_from_record(json.loads(raw), source, report)
        except json.JSONDecodeError as error:
            report.problem(line, f"malformed JSON: {error.msg} (column {error.colno})")
            continue
        except ValueError as error:
            report.problem(line, str(error))
            continue
        yield message


def _message_from_record(
    record: object, default_source: str | None, report: _FileReport
) -> LabelledMessage:
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("'text' must be a non-blank string")
    if "spans" in record:
        spans = _json_spans(record["spans"], text, report)
    elif "keywords" in record:
        keywords = record["keywords"]
        if not isinstance(keywords, list):
            raise ValueError(f"'keywords' must be a list, got {type(keywords).__name__}")
        spans = spans_for_keywords(text, keywords)
    else:
        raise ValueError("the record needs 'spans' or 'keywords'")
    meta = {key: value for key, value in record.items() if key not in RECORD_KEYS}
    return LabelledMessage(text, spans, record.get("source", default_source), meta)


def _json_spans(raw_spans: object, text: str, report: _FileReport) -> tuple[Span, ...]:
    if not isinstance(raw_spans, list):
        raise ValueError(f"'spans' must be a list, got {type(raw_spans).__name__}")
    spans = []
    for number, raw in enumerate(raw_spans):
        if not isinstance(raw, dict) or not {"start", "end"} <= raw.keys():
            raise ValueError(f"span {number} must be an object with 'start' and 'end', got {raw!r}")
        span = _checked_span((raw["start"], raw["end"], raw.get("label", DEFAULT_LABEL)), text)
        spans.append(_trimmed(span, text, report))
    return tuple(spans)


def _read_bio(
    path: Path, report: _FileReport, source: str | None, bio_level: BioLevel
) -> list[LabelledMessage]:
    sentences = list(_bio_sentences(path, report))
    if bio_level == "auto":
        tokens = [token for sentence in sentences for _, token, _ in sentence]
        char_level = any(not token.strip() for token in tokens) or all(
            len(token) == 1 for token in tokens
        )
        logger.debug("%s: read as %s-level BIO", path, "character" if char_level else "token")
    else:
        char_level = bio_level == "char"
    messages = []
    for sentence in sentences:
        message = _message_from_bio(sentence, char_level, source, report)
        if message is not None:
            messages.append(message)
    return messages


def _bio_sentences(path: Path, report: _FileReport) -> Iterator[list[tuple[int, str, str]]]:
    """Sentences of `(line, token, tag)` in the format `read_labelled` describes.

    A bad line drops its whole sentence (or raises): the rest of it cannot be trusted to line up.
    """
    sentence: list[tuple[int, str, str]] = []
    bad = False
    for line, raw in read_lines(path):
        text = raw.rstrip("\r\n")
        # Split on tabs only where there are tabs: a space can then be a token of its own.
        fields = text.split("\t") if "\t" in text else text.split()
        if fields:
            fields[-1] = fields[-1].strip()
        well_formed = len(fields) >= 2 and _TAG.fullmatch(fields[-1]) is not None
        if text.startswith("#") and not well_formed:
            continue
        if not text.strip() or fields[0] == DOCSTART:
            if sentence and not bad:
                yield sentence
            sentence, bad = [], False
            continue
        if bad:
            continue
        problem = _token_line_problem(fields, well_formed, sentence)
        if problem:
            report.problem(line, problem)
            bad = True
            continue
        sentence.append((line, fields[0], fields[-1]))
    if sentence and not bad:
        yield sentence


def _token_line_problem(
    fields: list[str], well_formed: bool, sentence: list[tuple[int, str, str]]
) -> str | None:
    if len(fields) < 2:
        return f"expected a token and a tag, got {len(fields)} field(s)"
    if not well_formed:
        return f"tag {fields[-1]!r} is not 'O', 'B-<label>' or 'I-<label>'"
    if not fields[0]:
        return "the token is empty"
    tag = fields[-1]
    if tag.startswith("I-"):
        previous = sentence[-1][2] if sentence else "O"
        if previous[2:] != tag[2:]:
            return f"{tag} does not continue a {tag[2:]} span (previous tag {previous})"
    return None


def _message_from_bio(
    sentence: list[tuple[int, str, str]],
    char_level: bool,
    source: str | None,
    report: _FileReport,
) -> LabelledMessage | None:
    """The sentence as a message, or None after reporting why it cannot be one."""
    separator = "" if char_level else " "
    offsets = []
    position = 0
    for _, token, _ in sentence:
        offsets.append((position, position + len(token)))
        position += len(token) + len(separator)
    text = separator.join(token for _, token, _ in sentence)
    if not text.strip():
        report.problem(sentence[0][0], "the sentence holds only whitespace")
        return None
    tags = [tag for _, _, tag in sentence]
    line_at = {offset[0]: line for offset, (line, _, _) in zip(offsets, sentence, strict=True)}
    spans = []
    for span in spans_from_bio(tags, offsets):
        try:
            spans.append(_trimmed(span, text, report))
        except ValueError as error:
            report.problem(line_at[span.start], str(error))
            return None
    return LabelledMessage(text, tuple(spans), source)


def _checked_span(raw: Sequence[object], text: str) -> Span:
    """A Span of `text`: integer bounds inside it, start < end, a non-empty string label."""
    start, end, label = raw
    if isinstance(start, bool) or isinstance(end, bool):
        raise ValueError(f"span bounds must be integers, got {start!r}:{end!r}")
    try:
        start, end = operator.index(start), operator.index(end)
    except TypeError:
        raise ValueError(f"span bounds must be integers, got {start!r}:{end!r}") from None
    if not isinstance(label, str) or not label:
        raise ValueError(f"span {start}:{end} needs a non-empty string label, got {label!r}")
    span = Span(start, end, label)
    if not 0 <= start < end:
        raise ValueError(f"span {_where(span)} needs 0 <= start < end")
    if end > len(text):
        raise ValueError(
            f"span {_where(span)} ends past the text, which has {len(text)} characters"
        )
    return span


def _trimmed(span: Span, text: str, report: _FileReport) -> Span:
    trimmed = trim_span(span, text)
    if trimmed is None:
        raise ValueError(f"span {_where(span)} covers only whitespace")
    if trimmed != span:
        report.trimmed += 1
    return trimmed


def _record(message: LabelledMessage) -> dict[str, Any]:
    clashing = sorted(set(RECORD_KEYS).intersection(message.meta))
    if clashing:
        raise ValueError(f"meta keys {clashing} clash with the record's own keys")
    record: dict[str, Any] = {
        "text": message.text,
        "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in message.spans],
    }
    if message.source is not None:
        record["source"] = message.source
    return {**record, **message.meta}


def _where(span: Span) -> str:
    return f"{span.start}:{span.end} ({span.label})"
