"""Tell Hugging Face hub ids from local paths, without importing transformers or datasets (the
corpus readers and the CLI use it before either is needed)."""

from __future__ import annotations


def looks_like_path(name: str) -> bool:
    """Hub ids are `name` or `owner/name`; anything else was meant as a folder."""
    return name.startswith((".", "/", "~")) or "\\" in name or name.count("/") > 1
