"""stores/redis_lock.py against the Redis server on 127.0.0.1:6379 (skipped without one): the
race of Rasa's RedisLockStore between servers, shown step by step, and the same steps with
AtomicRedisLockStore; mutual exclusion across processes; a dead server's ticket released; an
expired ticket failing instead of waiting for ever."""
import asyncio
import multiprocessing
import os
import socket
import time
import uuid

import pytest

from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from stores.redis_lock import AtomicRedisLockStore, OwnedTicketLock

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _redis_up() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


pytestmark = pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")


@pytest.fixture
def prefix():
    p = f"test{uuid.uuid4().hex[:10]}"
    yield p
    import redis
    r = redis.StrictRedis(host="127.0.0.1", port=6379, db=1)
    for key in r.scan_iter(f"{p}:*"):
        r.delete(key)


def _atomic(prefix, **kw):
    return AtomicRedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix=prefix, **kw)


def _stock(prefix):
    return RedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix=prefix)


def test_rasas_store_gives_two_servers_the_same_ticket(prefix):
    """The race of RasaHQ/rasa#9213, step by step: both servers read the queue before either
    writes it back, so both hold ticket 0 and both are served at once."""
    a, b = _stock(prefix), _stock(prefix)
    lock_a, lock_b = a.get_or_create_lock("c1"), b.get_or_create_lock("c1")   # both: no queue
    ticket_a, ticket_b = lock_a.issue_ticket(60), lock_b.issue_ticket(60)
    a.save_lock(lock_a)
    b.save_lock(lock_b)
    assert ticket_a == ticket_b == 0
    current = a.get_lock("c1")
    assert not current.is_locked(ticket_a) and not current.is_locked(ticket_b)   # both "first"


def test_the_atomic_store_retries_when_another_server_wrote_in_between(prefix, monkeypatch):
    a, b = _atomic(prefix), _atomic(prefix)
    real = OwnedTicketLock.issue_owned_ticket
    interfered, calls = [], []

    def issue_while_b_issues(self, lifetime, owner):
        calls.append(owner)
        if len(calls) == 1:          # between A's read and A's write, B takes a ticket
            interfered.append(b.issue_ticket("c1"))
        return real(self, lifetime, owner)

    monkeypatch.setattr(OwnedTicketLock, "issue_owned_ticket", issue_while_b_issues)
    ticket_a = a.issue_ticket("c1")
    assert interfered == [0] and ticket_a == 1
    assert calls == [a.owner_id, b.owner_id, a.owner_id]    # A's first try was thrown away
    lock = a.get_lock("c1")
    assert [t.number for t in lock.tickets] == [0, 1]
    assert lock.is_locked(ticket_a) and not lock.is_locked(0)
    for store in (a, b):
        store.close()


def _hold_the_lock_repeatedly(prefix, kind, rounds, barrier, out):
    import redis
    store = _atomic(prefix) if kind == "atomic" else _stock(prefix)
    counter = redis.StrictRedis(host="127.0.0.1", port=6379, db=1)
    key = f"{prefix}:holders"
    overlaps = 0

    async def run():
        nonlocal overlaps
        for _ in range(rounds):
            async with store.lock("shared", wait_time_in_seconds=0.01):
                if counter.incr(key) != 1:
                    overlaps += 1
                await asyncio.sleep(0.002)
                counter.decr(key)

    barrier.wait()
    try:
        asyncio.run(run())
        out.put(("ok", overlaps))
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        out.put(("error", repr(exc)))


def _contend(prefix, kind, processes=4, rounds=25):
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=_hold_the_lock_repeatedly,
                         args=(prefix, kind, rounds, barrier, out)) for _ in range(processes)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    return results


def test_one_holder_at_a_time_across_processes(prefix):
    results = _contend(prefix, "atomic")
    assert results == [("ok", 0)] * 4, results


def test_a_dead_servers_ticket_is_released_within_the_owner_ttl(prefix):
    dead, alive = _atomic(prefix, owner_ttl=1.0), _atomic(prefix, owner_ttl=1.0)
    dead.issue_ticket("c2", 60)         # the message it was handling when it was killed
    dead._stopped.set()                 # killed: the heartbeat stops, the key runs out

    async def next_message():
        start = time.monotonic()
        async with alive.lock("c2"):
            return time.monotonic() - start

    waited = asyncio.run(next_message())
    assert waited < 5, waited           # not the ticket's 60 s lifetime
    alive.close()


def test_a_live_servers_ticket_is_respected(prefix):
    holder, other = _atomic(prefix, owner_ttl=1.0), _atomic(prefix, owner_ttl=1.0)
    holder.issue_ticket("c3", 60)

    async def try_for(seconds):
        async with other.lock("c3"):
            pass

    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(asyncio.wait_for(try_for(None), timeout=2.5))   # > 2 x owner_ttl
    holder.close()
    other.close()


def test_a_waiter_whose_ticket_expired_fails_instead_of_waiting_for_ever(prefix):
    holder, waiter = _atomic(prefix), _atomic(prefix)
    holder.issue_ticket("c4", 60)

    async def wait_with_short_ticket():
        async with waiter.lock("c4", lock_lifetime=0.3):
            pass

    with pytest.raises(LockError):
        asyncio.run(asyncio.wait_for(wait_with_short_ticket(), timeout=10))
    holder.close()
    waiter.close()


def test_the_queue_key_goes_with_its_last_ticket_and_expires_meanwhile(prefix):
    store = _atomic(prefix)

    async def one_message():
        async with store.lock("c5", lock_lifetime=30):
            ttl = store.red.pttl(f"{prefix}:lock:c5")
            assert 0 < ttl <= 41_000, ttl
    asyncio.run(one_message())
    assert store.red.get(f"{prefix}:lock:c5") is None
    store.close()


def test_built_from_endpoints_production_yml(monkeypatch):
    for name, value in {"ACTION_ENDPOINT_URL": "http://127.0.0.1:1/webhook",
                        "DB_HOST": "127.0.0.1", "DB_PORT": "5432", "DB_NAME": "x",
                        "DB_USER": "postgres", "DB_PASSWORD": "", "REDIS_HOST": "127.0.0.1",
                        "REDIS_PORT": "6379"}.items():
        monkeypatch.setenv(name, value)
    config = read_endpoint_config(os.path.join(ROOT, "endpoints.production.yml"), "lock_store")
    store = LockStore.create(config)
    assert type(store) is AtomicRedisLockStore
    assert store.owner_ttl > 0 and store.red.ping()
    custom = AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port="6379", db="1",
                                                 type="x", owner_ttl="2.5", poll_interval="0.2"))
    assert (custom.owner_ttl, custom.poll_interval) == (2.5, 0.2)
