"""scripts/purge_trackers.py on real tracker stores: a SQLite file and a throwaway PostgreSQL
database on 127.0.0.1:5432, both written by Rasa's own SQLTrackerStore (.venv-rasa), so the
schema is Rasa's. Conversations quiet for more than N days go as a whole; recent ones, and old
ones with a recent event, stay whole; --dry-run deletes nothing; bad input gets one line.
Needs no model."""
import json
import os
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv-rasa" / "bin" / "python")
PURGE = str(ROOT / "scripts" / "purge_trackers.py")
DAY = 86400
NOW = time.time()

# sender -> ages (days) of its turns; with --days 30 the first two go, the others stay whole
CONVERSATIONS = {
    "old-quiet": [45, 44.9, 40],
    "old-once": [31],
    "old-but-back": [90, 89, 2],    # an old conversation the person came back to: kept whole
    "recent": [1, 0.5],
    "just-inside": [29],
}
STALE = {"old-quiet", "old-once"}

# Writes the conversations through Rasa's SQLTrackerStore; each turn is a user message, an
# action and a bot message at that time (timestamps as Rasa records them: epoch seconds).
WRITER = r"""
import asyncio, json, sys
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
spec = json.loads(sys.argv[1])
store = SQLTrackerStore(Domain.empty(), **spec["store"])
async def main():
    for sender, stamps in spec["conversations"].items():
        events = []
        for t in stamps:
            events += [UserUttered("HK$2.8M salary", {"name": "inform"}, timestamp=t),
                       SlotSet("income", "2800000", timestamp=t),
                       ActionExecuted("utter_ask", timestamp=t), BotUttered("ok", timestamp=t)]
        await store.save(DialogueStateTracker.from_events(sender, events))
asyncio.run(main())
"""

pytestmark = pytest.mark.skipif(not Path(PY).exists(), reason="needs .venv-rasa (make setup)")


def _env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DB_") and k not in ("TRACKER_DB", "POSTGRESQL_SCHEMA")}
    env.update(SQLALCHEMY_SILENCE_UBER_WARNING="1", PYTHONWARNINGS="ignore")
    env.update(extra)
    return env


def _write(store: dict, env: dict) -> None:
    spec = {"store": store, "conversations": {
        s: [NOW - age * DAY for age in ages] for s, ages in CONVERSATIONS.items()}}
    subprocess.run([PY, "-c", WRITER, json.dumps(spec)], cwd=ROOT, env=env, check=True,
                   capture_output=True, text=True)


def purge(*args, env):
    return subprocess.run([PY, PURGE, *args], cwd=ROOT, env=env, capture_output=True, text=True)


def _assert_purged(counts_before, counts_after, out):
    events_of_stale = sum(counts_before[s] for s in STALE)
    assert f"removed {len(STALE)} conversation(s) ({events_of_stale} events)" in out
    assert set(counts_after) == set(CONVERSATIONS) - STALE
    for sender, n in counts_after.items():     # what stays, stays whole
        assert n == counts_before[sender], sender


def _assert_one_line_error(result):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("purge_trackers: error: "), result.stderr
    assert "Traceback" not in result.stderr and not result.stdout


# --- SQLite (the store of `make run`) ------------------------------------------------------------


def _sqlite_counts(path: Path) -> dict:
    import sqlite3

    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT sender_id, count(*) FROM events GROUP BY sender_id"))


@pytest.fixture
def sqlite_db(tmp_path):
    path = tmp_path / "tracker.db"
    _write({"dialect": "sqlite", "db": str(path)}, _env())
    return path


def test_sqlite_dry_run_counts_and_deletes_nothing(sqlite_db):
    before = _sqlite_counts(sqlite_db)
    assert set(before) == set(CONVERSATIONS) and all(n >= 4 for n in before.values())
    result = purge("--days", "30", "--dry-run", env=_env(TRACKER_DB=str(sqlite_db)))
    assert result.returncode == 0, result.stderr
    stale_events = sum(before[s] for s in STALE)
    assert f"would remove 2 conversation(s) ({stale_events} events)" in result.stdout
    assert _sqlite_counts(sqlite_db) == before


def test_sqlite_old_conversations_go_whole_and_recent_ones_stay_whole(sqlite_db):
    before = _sqlite_counts(sqlite_db)
    result = purge("--days", "30", env=_env(TRACKER_DB=str(sqlite_db)))
    assert result.returncode == 0, result.stderr
    _assert_purged(before, _sqlite_counts(sqlite_db), result.stdout)
    again = purge("--days", "30", env=_env(TRACKER_DB=str(sqlite_db)))
    assert "removed 0 conversation(s) (0 events)" in again.stdout
    # a shorter retention takes the conversation whose last message is 29 days old too
    shorter = purge("--days", "7", env=_env(TRACKER_DB=str(sqlite_db)))
    assert "removed 1 conversation(s)" in shorter.stdout
    assert set(_sqlite_counts(sqlite_db)) == {"old-but-back", "recent"}


def test_sqlite_through_the_endpoints_file_of_make_run(sqlite_db):
    """endpoints.yml names the file as ${TRACKER_DB}, substituted from the environment."""
    before = _sqlite_counts(sqlite_db)
    result = purge("--days", "30", "--endpoints", "endpoints.yml",
                   env=_env(TRACKER_DB=str(sqlite_db)))
    assert result.returncode == 0, result.stderr
    _assert_purged(before, _sqlite_counts(sqlite_db), result.stdout)


def test_the_output_names_no_conversation(sqlite_db):
    result = purge("--days", "30", env=_env(TRACKER_DB=str(sqlite_db)))
    assert not any(sender in result.stdout for sender in CONVERSATIONS)


@pytest.mark.parametrize("args", [
    ["--days", "thirty"], ["--days", "-3"], ["--days", "0"], ["--days", "1.5"], [],
    ["--days", "30", "--endpoints", "no/such/endpoints.yml"],
    ["--days", "30", "--bogus"],
])
def test_bad_arguments_get_one_line(args, sqlite_db):
    before = _sqlite_counts(sqlite_db)
    _assert_one_line_error(purge(*args, env=_env(TRACKER_DB=str(sqlite_db))))
    assert _sqlite_counts(sqlite_db) == before


def test_a_missing_database_is_not_created(tmp_path):
    missing = tmp_path / "nothing.db"
    result = purge("--days", "30", env=_env(TRACKER_DB=str(missing)))
    _assert_one_line_error(result)
    assert "no tracker database at" in result.stderr and not missing.exists()


def test_a_database_that_is_not_a_tracker_store_is_refused(tmp_path):
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (x TEXT)")
    result = purge("--days", "30", env=_env(TRACKER_DB=str(other)))
    _assert_one_line_error(result)
    assert "no `events` table" in result.stderr


def test_endpoints_problems_get_one_line(tmp_path):
    unset = _env()   # endpoints.production.yml needs DB_HOST and the rest
    result = purge("--days", "30", "--endpoints", "endpoints.production.yml", env=unset)
    _assert_one_line_error(result)
    assert "DB_HOST is not set" in result.stderr
    redis = tmp_path / "endpoints.yml"
    redis.write_text("tracker_store:\n  type: redis\n  url: localhost\n")
    result = purge("--days", "30", "--endpoints", str(redis), env=unset)
    _assert_one_line_error(result)
    assert "only SQL stores" in result.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text("tracker_store: [unclosed\n")
    _assert_one_line_error(purge("--days", "30", "--endpoints", str(broken), env=unset))


# --- PostgreSQL (endpoints.production.yml) -------------------------------------------------------


def _postgres_up() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", 5432)) == 0


def _psql(*args, db="postgres"):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-v",
                           "ON_ERROR_STOP=1", *args], check=True, capture_output=True, text=True)


@pytest.fixture
def postgres_db():
    if not _postgres_up():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    name = f"ttps_purge_{uuid.uuid4().hex[:8]}"
    _psql("-c", f"CREATE DATABASE {name}")
    env = _env(DB_HOST="127.0.0.1", DB_PORT="5432", DB_NAME=name, DB_USER="postgres",
               DB_PASSWORD="")
    try:
        _write({"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "db": name,
                "username": "postgres"}, env)
        yield name, env
    finally:
        _psql("-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _pg_counts(name: str) -> dict:
    out = _psql("-tAc", "SELECT sender_id, count(*) FROM events GROUP BY sender_id", db=name).stdout
    return {s: int(n) for s, n in (line.split("|") for line in out.split())}


def test_postgres_dry_run_then_purge_from_the_environment(postgres_db):
    name, env = postgres_db
    before = _pg_counts(name)
    assert set(before) == set(CONVERSATIONS)
    dry = purge("--days", "30", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "would remove 2 conversation(s)" in dry.stdout and _pg_counts(name) == before
    assert "postgresql://postgres@127.0.0.1:5432/" in dry.stdout   # which store, no password
    result = purge("--days", "30", env=env)
    assert result.returncode == 0, result.stderr
    _assert_purged(before, _pg_counts(name), result.stdout)


def test_postgres_through_endpoints_production_yml(postgres_db):
    name, env = postgres_db
    before = _pg_counts(name)
    result = purge("--days", "30", "--endpoints", "endpoints.production.yml",
                   env=dict(env, REDIS_HOST="127.0.0.1", REDIS_PORT="6379"))
    assert result.returncode == 0, result.stderr
    _assert_purged(before, _pg_counts(name), result.stdout)


def test_postgres_unreachable_or_missing_database_gets_one_line(postgres_db):
    name, env = postgres_db
    missing = purge("--days", "30", env=dict(env, DB_NAME=f"{name}_missing"))
    _assert_one_line_error(missing)
    assert "cannot purge" in missing.stderr and missing.returncode == 1
    bad_port = purge("--days", "30", env=dict(env, DB_PORT="not-a-port"))
    _assert_one_line_error(bad_port)
    assert "port must be a number" in bad_port.stderr
