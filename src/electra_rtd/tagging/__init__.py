"""Keyword extraction for users' own messages with an exported keyword-tagging model."""

from electra_rtd.tagging.corpus_keywords import write_corpus_keywords
from electra_rtd.tagging.decoding import Keyword, keywords_from_tokens
from electra_rtd.tagging.extractor import KeywordTagger
from electra_rtd.tagging.model_folder import TaggerError, load_tagging_model

__all__ = [
    "Keyword",
    "KeywordTagger",
    "TaggerError",
    "keywords_from_tokens",
    "load_tagging_model",
    "write_corpus_keywords",
]
