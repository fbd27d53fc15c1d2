"""Keyword extraction for users' own messages with an exported keyword-tagging model.

The names below are imported on first use (PEP 562), because most of them load torch and
transformers: importing a light submodule such as `electra_rtd.tagging.options` (the CLI's
`--help`) must not pay for that.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from electra_rtd.tagging.corpus_keywords import write_corpus_keywords
    from electra_rtd.tagging.decoding import Keyword, keywords_from_tokens
    from electra_rtd.tagging.extractor import KeywordTagger
    from electra_rtd.tagging.model_folder import TaggerError, load_tagging_model

# public name: the submodule defining it
_SOURCES = {
    "Keyword": "decoding",
    "KeywordTagger": "extractor",
    "TaggerError": "model_folder",
    "keywords_from_tokens": "decoding",
    "load_tagging_model": "model_folder",
    "write_corpus_keywords": "corpus_keywords",
}
__all__ = [
    "Keyword",
    "KeywordTagger",
    "TaggerError",
    "keywords_from_tokens",
    "load_tagging_model",
    "write_corpus_keywords",
]


def __getattr__(name: str) -> object:
    if name not in _SOURCES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_SOURCES[name]}"), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
