"""Persistent prompt-embedding cache (SQLite): a prompt encoded once is never encoded again.

Keyed by (encoder id, normalised prompt). WAL mode and a busy timeout make concurrent writers
from several processes safe; a corrupt file is moved aside and rebuilt with a warning.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS prompt_embeddings (
    encoder TEXT NOT NULL,
    prompt TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (encoder, prompt)
)
"""


class PromptCache:
    """``get(encoder, prompts) -> {prompt: float32 vector}``; ``put(encoder, {prompt: vector})``."""

    FILE_NAME = "prompt_embeddings.sqlite"

    def __init__(self, cache_dir: str | Path) -> None:
        self.path = Path(cache_dir).expanduser() / self.FILE_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._open()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(_SCHEMA)
        conn.execute("SELECT count(*) FROM prompt_embeddings").fetchone()
        return conn

    def _open(self) -> None:
        try:
            self._conn = self._connect()
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            logger.warning("prompt cache is unreadable (%s); moved aside and rebuilt", exc)
            for suffix in ("", "-wal", "-shm"):
                p = Path(str(self.path) + suffix)
                if p.exists():
                    p.replace(Path(str(aside) + suffix))
            self._conn = self._connect()

    def get(self, encoder: str, prompts: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(prompts))
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                try:
                    rows = self._conn.execute(
                        f"SELECT prompt, dim, vector FROM prompt_embeddings WHERE encoder = ? AND prompt IN ({marks})",
                        (encoder, *chunk)).fetchall()
                except sqlite3.DatabaseError as exc:
                    logger.warning("prompt cache read failed (%s); encoding instead", exc)
                    return found
                for prompt, dim, blob in rows:
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape == (dim,):
                        found[prompt] = vec.copy()
        return found

    def put(self, encoder: str, vectors: dict[str, np.ndarray]) -> None:
        rows = [(encoder, prompt, int(np.asarray(v).size), np.asarray(v, dtype=np.float32).tobytes(), time.time())
                for prompt, v in vectors.items()]
        with self._lock:
            try:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO prompt_embeddings VALUES (?, ?, ?, ?, ?)", rows)
            except sqlite3.DatabaseError as exc:
                logger.warning("prompt cache write failed (%s); continuing without caching", exc)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
