"""Rasa's SQL tracker store, with SQLite set up for a server rather than for safety at any cost.

``make run`` keeps conversations in a SQLite file (``endpoints.yml``) so that they survive a
restart. Rasa's ``SQLTrackerStore`` opens that file with SQLite's defaults: a rollback journal
and ``synchronous=FULL``, so every message's save waits for several fsyncs of the disk; it was
about a tenth of the Rasa server's time per message (py-spy, 2026-12-08).

``TTPSSQLTrackerStore`` is the same store (same tables, same queries, same events) and, for a
SQLite database only, sets on every connection:

* ``journal_mode=WAL`` - readers and the writer do not block each other, and a commit appends
  to the write-ahead log instead of rewriting the journal;
* ``synchronous=NORMAL`` - in WAL mode a commit no longer waits for the disk; the database stays
  consistent after a crash of the process or of the machine, and a crash of the *machine* (not
  of Rasa) can lose the last messages saved before it. A restart of the assistant loses nothing
  (tests/e2e/test_persistence.py);
* ``busy_timeout=5000`` - a second process on the same file (``make purge``) waits for the
  lock instead of failing at once.

PostgreSQL (``endpoints.production.yml``) is left exactly as Rasa sets it up.

Configuration (``endpoints.yml``)::

    tracker_store:
      type: stores.sql_tracker.TTPSSQLTrackerStore
      dialect: "sqlite"
      db: ${TRACKER_DB}
"""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

logger = logging.getLogger(__name__)

SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                  "PRAGMA busy_timeout=5000")


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


class TTPSSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with SQLite in WAL mode and ``synchronous=NORMAL``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _tune_sqlite)
            # connections Rasa opened while creating the tables predate the listener
            self.engine.dispose()
            logger.debug("SQLite tracker store: %s", ", ".join(SQLITE_PRAGMAS))
