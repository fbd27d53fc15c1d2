"""A disk cache of LLM keyword answers, one entry per message.

Paid requests are slow and cost money, and a labelling run over a large corpus is interrupted and
restarted; answers are therefore cached per message (not per batch, so a different batch size still
hits), keyed by a hash of model, prompt and message text. SQLite keeps it in one file that survives
a crash halfway through a write.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path


def cache_key(model: str, prompt: str, message: str) -> str:
    """SHA-256 of the three, length-prefixed so that no two different triples share a key."""
    digest = hashlib.sha256()
    for part in (model, prompt, message):
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()


class AnswerCache:
    """Keyword lists by cache key, stored in a SQLite file (created on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(self.path)
        with self._connection:
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, keywords TEXT NOT NULL)"
            )

    def get_many(self, keys: list[str]) -> dict[str, list[str]]:
        """The cached answers among `keys`."""
        found: dict[str, list[str]] = {}
        # SQLite limits the number of parameters of one statement; 500 is safely below it.
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            placeholders = ",".join("?" * len(chunk))
            rows = self._connection.execute(
                f"SELECT key, keywords FROM answers WHERE key IN ({placeholders})", chunk
            )
            found.update((key, json.loads(keywords)) for key, keywords in rows)
        return found

    def put_many(self, answers: Mapping[str, list[str]]) -> None:
        with self._connection:
            self._connection.executemany(
                "INSERT OR REPLACE INTO answers (key, keywords) VALUES (?, ?)",
                [(key, json.dumps(value, ensure_ascii=False)) for key, value in answers.items()],
            )

    def close(self) -> None:
        self._connection.close()
