#!/usr/bin/env python3
"""Delete the conversations that have been quiet for more than N days from Rasa's SQL tracker store.

    .venv-rasa/bin/python scripts/purge_trackers.py --days 30 [--dry-run]
    .venv-rasa/bin/python scripts/purge_trackers.py --days 30 --endpoints endpoints.production.yml
    make purge DAYS=30 [DRY_RUN=1] [ENDPOINTS=endpoints.production.yml]

Which store:
  --endpoints FILE   the `tracker_store` of that endpoints file (type SQL, dialect sqlite or
                     postgresql), ${VARS} substituted from the environment as Rasa does;
  otherwise          PostgreSQL when DB_HOST is set (DB_HOST, DB_PORT, DB_NAME, DB_USER,
                     DB_PASSWORD: the variables endpoints.production.yml reads), else the SQLite
                     file of `make run`: TRACKER_DB (default .rasa/tracker.db).

A conversation (all the events of one sender_id in Rasa's `events` table) is removed as a whole
when its latest event is older than N days, never cut in the middle: a conversation with one
recent event keeps all its earlier sessions. Each batch of conversations is checked again and
deleted in one transaction holding a write lock on the table, so a person who writes at that very
moment keeps the whole conversation. Prints how many conversations and events were removed (or,
with --dry-run, would be); it never prints sender ids (on Twilio they are phone numbers).
Bad input exits 2 and a store that cannot be read exits 1, each with one line on stderr.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, NoReturn, Optional

ROOT = Path(__file__).resolve().parent.parent
BATCH = 500          # conversations per transaction: short locks on a busy table


class Refused(Exception):
    """Bad input or an unusable store: the message is the one line we print."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage + error
        raise Refused(f"{message} (see --help)")


def positive_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of days, not {value!r}")
    if days < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {days}")
    return days


# --- where the store is -------------------------------------------------------------------------

_VAR = re.compile(r"\$\{([^}]+)\}")
DEFAULTS = {"TRACKER_DB": ".rasa/tracker.db"}     # as scripts/serve.sh sets it for endpoints.yml


def _substitute(value: Any, where: str) -> Any:
    """${VAR} in string values, from the environment; an unset variable is refused, as Rasa does."""
    if isinstance(value, dict):
        return {k: _substitute(v, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, where) for v in value]
    if not isinstance(value, str):
        return value
    env = dict(DEFAULTS, **os.environ)
    missing = [name for name in _VAR.findall(value) if name not in env]
    if missing:
        raise Refused(f"{where}: environment variable {missing[0]} is not set")
    return _VAR.sub(lambda m: env[m.group(1)], value)


def _is_sql_store(kind: str) -> bool:
    """Rasa's "SQL" store, or a class path to a subclass of it (stores.sql_tracker.TTPSSQLTrackerStore,
    which make run's endpoints.yml names): both keep Rasa's events table."""
    if kind.lower() == "sql":
        return True
    if "." not in kind:
        return False
    import importlib

    module_name, _, class_name = kind.rpartition(".")
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        from rasa.core.tracker_store import SQLTrackerStore
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError):
        return False
    return isinstance(cls, type) and issubclass(cls, SQLTrackerStore)


def settings_from_endpoints(path: Path) -> dict[str, Any]:
    import yaml

    if not path.is_file():
        raise Refused(f"no endpoints file at {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise Refused(f"{path}: not readable YAML ({str(exc).splitlines()[0]})")
    store = data.get("tracker_store") if isinstance(data, dict) else None
    if not isinstance(store, dict):
        raise Refused(f"{path} has no tracker_store section")
    store = _substitute(store, str(path))
    if not _is_sql_store(str(store.get("type", ""))):
        raise Refused(f"{path}: tracker_store type is {store.get('type')!r}; only SQL stores are purged")
    dialect = str(store.get("dialect") or "sqlite").lower()
    if dialect == "sqlite":
        return {"dialect": "sqlite", "db": str(store.get("db") or "rasa.db")}
    return {"dialect": dialect, "host": store.get("url"), "port": store.get("port"),
            "db": store.get("db"), "username": store.get("username"),
            "password": store.get("password"), "query": store.get("query")}


def settings_from_environment() -> dict[str, Any]:
    if os.environ.get("DB_HOST"):
        return {"dialect": "postgresql", "host": os.environ["DB_HOST"],
                "port": os.environ.get("DB_PORT") or None, "db": os.environ.get("DB_NAME"),
                "username": os.environ.get("DB_USER"),
                "password": os.environ.get("DB_PASSWORD") or None}
    return {"dialect": "sqlite", "db": os.environ.get("TRACKER_DB") or DEFAULTS["TRACKER_DB"]}


def engine_for(settings: dict[str, Any]):
    """An SQLAlchemy engine, built the way Rasa's SQLTrackerStore builds its URL; and a name
    for the store without its password."""
    import sqlalchemy as sa
    from urllib.parse import urlsplit

    dialect = settings["dialect"]
    if dialect == "sqlite":
        path = Path(settings["db"])
        if not path.is_absolute():
            path = ROOT / path       # relative to the checkout, as scripts/serve.sh runs Rasa there
        if not path.is_file():       # never create an empty database by connecting to it
            raise Refused(f"no tracker database at {path}")
        engine = sa.create_engine(f"sqlite:///{path}", future=True)

        # pysqlite begins transactions lazily, at the first write; take SQLite's write lock at
        # the start instead (SQLAlchemy's recipe), so the check and the delete see one state.
        @sa.event.listens_for(engine, "connect")
        def _no_implicit_begin(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @sa.event.listens_for(engine, "begin")
        def _begin_immediate(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine, f"sqlite:///{path}"

    host, port = settings.get("host"), settings.get("port")
    if not host or not settings.get("db"):
        raise Refused("PostgreSQL needs a host and a database name (DB_HOST and DB_NAME)")
    if "://" in str(host):
        url = sa.engine.make_url(str(host))
    else:
        parsed = urlsplit(f"scheme://{host}")   # the host may carry its port, as Rasa allows
        if port not in (None, ""):
            try:
                port = int(port)
            except (TypeError, ValueError):
                raise Refused(f"the database port must be a number, not {port!r}")
        url = sa.engine.URL.create(dialect, settings.get("username"), settings.get("password"),
                                   parsed.hostname or str(host), parsed.port or port,
                                   settings["db"], query=settings.get("query") or {})
    kwargs: dict[str, Any] = {}
    schema = os.environ.get("POSTGRESQL_SCHEMA")     # Rasa's own variable for the schema
    if schema and url.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
    try:
        engine = sa.create_engine(url, future=True, **kwargs)
    except Exception as exc:   # an unknown dialect or a missing driver
        raise Refused(f"cannot use {url.drivername!r}: {str(exc).splitlines()[0]}")
    return engine, url.render_as_string(hide_password=True)


# --- the purge ----------------------------------------------------------------------------------


def _events_table(engine):
    import sqlalchemy as sa

    inspector = sa.inspect(engine)
    if not inspector.has_table("events"):
        raise Refused("the database has no `events` table (is it Rasa's SQL tracker store?)", 1)
    columns = {c["name"] for c in inspector.get_columns("events")}
    if not {"sender_id", "timestamp"} <= columns:
        raise Refused("the `events` table has no sender_id and timestamp columns "
                      "(is it Rasa's SQL tracker store?)", 1)
    return sa.Table("events", sa.MetaData(), autoload_with=engine)


def _stale_senders(events, cutoff: float):
    """sender_ids whose latest event is older than the cutoff (a subquery)."""
    import sqlalchemy as sa

    return (sa.select(events.c.sender_id).group_by(events.c.sender_id)
            .having(sa.func.max(events.c.timestamp) < cutoff))


def _lock(conn) -> None:
    """Hold off Rasa's writes to the table until the transaction ends, so a conversation that
    gets a new event during the purge is either kept whole or removed whole (SQLite: the
    transaction began with BEGIN IMMEDIATE, see engine_for)."""
    import sqlalchemy as sa

    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE"))


def purge(engine, days: int, dry_run: bool = False, now: Optional[float] = None,
          batch: int = BATCH) -> tuple[int, int]:
    """Remove (or, with dry_run, count) every conversation whose latest event is more than
    `days` days old. Returns (conversations, events)."""
    import sqlalchemy as sa

    cutoff = (time.time() if now is None else now) - days * 86400
    events = _events_table(engine)
    with engine.connect() as conn:
        senders = [row[0] for row in conn.execute(_stale_senders(events, cutoff))]
    if dry_run:
        if not senders:
            return 0, 0
        total = 0
        with engine.connect() as conn:
            for i in range(0, len(senders), batch):
                chunk = senders[i:i + batch]
                total += conn.execute(sa.select(sa.func.count()).select_from(events)
                                      .where(events.c.sender_id.in_(chunk))).scalar()
        return len(senders), total

    conversations = removed = 0
    for i in range(0, len(senders), batch):
        with engine.begin() as conn:
            _lock(conn)
            c, e = _delete_chunk(conn, events, senders[i:i + batch], cutoff)
        conversations += c
        removed += e
    return conversations, removed


def _delete_chunk(conn, events, chunk: list, cutoff: float) -> tuple[int, int]:
    """Inside the locked transaction: check the chunk's conversations again (one may have
    had a new event since they were listed) and delete the ones still stale."""
    still = _stale_senders(events, cutoff).where(events.c.sender_id.in_(chunk))
    stale = [row[0] for row in conn.execute(still)]
    if not stale:
        return 0, 0
    result = conn.execute(events.delete().where(events.c.sender_id.in_(stale)))
    return len(stale), result.rowcount


def main(argv: Optional[list[str]] = None) -> int:
    ap = Parser(prog="purge_trackers", description=__doc__,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=positive_days, required=True,
                    help="remove conversations whose latest event is older than this many days")
    ap.add_argument("--dry-run", action="store_true", help="count only; delete nothing")
    ap.add_argument("--endpoints", type=Path, help="read the tracker store from this endpoints file")
    try:
        args = ap.parse_args(argv)
        settings = settings_from_endpoints(args.endpoints) if args.endpoints else settings_from_environment()
        engine, name = engine_for(settings)
        try:
            conversations, events = purge(engine, args.days, args.dry_run)
        except Refused:
            raise
        except Exception as exc:   # the database is unreachable, refuses us, or is not Rasa's
            first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
            raise Refused(f"cannot purge {name}: {first}", 1)
        finally:
            engine.dispose()
    except Refused as exc:
        print(f"purge_trackers: error: {exc}", file=sys.stderr)
        return exc.code
    verb = "would remove" if args.dry_run else "removed"
    print(f"{name}: {verb} {conversations} conversation(s) ({events} events) whose latest "
          f"event is older than {args.days} day(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
