"""A Redis lock store that holds when several Rasa servers share one Redis.

Rasa serialises the messages of one conversation with a ticket lock (``rasa.core.lock``): a
message takes the next ticket, waits until its ticket is the first one in the queue, is handled
(tracker loaded, actions run, tracker saved), and gives its ticket back. Rasa 3.6's
``RedisLockStore`` keeps the queue as one JSON value per conversation and changes it with a plain
GET, a change in Python and a SET (``issue_ticket``, ``update_lock``, ``finish_serving``), and
``cleanup`` deletes the key after a separate "is anyone waiting?" read. Within one Rasa process
that is safe (the event loop runs those steps without an ``await`` in between); between two
processes it is not (RasaHQ/rasa#9213; the fix, #11256, was reverted in #11428):

* two servers GET the same queue at the same moment and each SETs it back with its own ticket
  added: both hold ticket 0, both are "first", and both handle a message of the same
  conversation at once - the SQL tracker store then drops the events of one of them (it appends
  only the events beyond the count already stored) or interleaves them;
* one server deletes the key after finding no one waiting, just after another added a ticket:
  that ticket is gone, and the message fails with ``LockError``.

``AtomicRedisLockStore`` keeps Rasa's format and algorithm but makes every read-modify-write one
optimistic transaction (``WATCH`` the key, read it, ``MULTI`` / ``EXEC`` the change; redis-py
retries when another server changed the key in between), and removes the key in the same
transaction that removes its last ticket. Two more changes:

* **Tickets of a dead server.** Rasa releases a ticket when the message is done, or when it
  expires (``TICKET_LOCK_LIFETIME``, 60 s). A server killed in the middle of a message never
  releases it, so the conversation's next message (for instance the same message retried by the
  load balancer on another server) waited up to a minute. Each ticket here names its server
  (``owner``), and each server keeps a key ``lock-owner:<id>`` alive in Redis (written every
  ``owner_ttl / 4`` seconds by a background thread, expiring after ``owner_ttl``, 10 s). A
  waiting message that finds the first ticket's server gone removes that ticket and goes on.
  A server that is alive but stalled for longer than ``owner_ttl`` (stopped in a debugger, a
  frozen VM) can lose its ticket this way, as it loses it after the lifetime in Rasa.
* **A waiter whose own ticket expired** gets ``LockError`` instead of polling for ever (Rasa's
  ``now_serving`` is 0 for an empty queue, so an expired ticket was never served).

Configuration (``endpoints.production.yml``)::

    lock_store:
      type: stores.redis_lock.AtomicRedisLockStore
      url: ${REDIS_HOST}
      port: ${REDIS_PORT}
      db: 1
      # owner_ttl: 10        # seconds; 0 = no owner tracking (tickets only expire)
      # poll_interval: 0.1   # seconds between checks of a waiting message (Rasa: 1)

Every other setting is ``RedisLockStore``'s (password, use_ssl, key_prefix, ...). The JSON is
Rasa's with one more field per ticket, which Rasa's own store ignores.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections import deque
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import (DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, LOCK_LIFETIME, LockError,
                                  RedisLockStore)
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# The key of a queue outlives its last ticket by this much (Rasa's keys never expire; a queue left
# by a dead server would stay in Redis for ever).
KEY_GRACE_SECONDS = 10.0


class OwnedTicket(Ticket):
    """A ticket that names the server holding it."""

    def __init__(self, number: int, expires: float, owner: Optional[Text] = None) -> None:
        super().__init__(number, expires)
        self.owner = owner

    def as_dict(self) -> Dict[Text, Any]:
        data = super().as_dict()
        if self.owner:
            data["owner"] = self.owner
        return data

    @classmethod
    def from_dict(cls, data: Dict[Text, Any]) -> "OwnedTicket":
        return cls(number=data["number"], expires=data["expires"], owner=data.get("owner"))


class OwnedTicketLock(TicketLock):
    """Rasa's ticket lock, with owned tickets."""

    @classmethod
    def from_dict(cls, data: Dict[Text, Any]) -> "OwnedTicketLock":
        tickets = [OwnedTicket.from_dict(json.loads(d)) for d in data.get("tickets", [])]
        return cls(data.get("conversation_id"), deque(tickets))

    def issue_owned_ticket(self, lifetime: float, owner: Optional[Text]) -> int:
        self.remove_expired_tickets()
        number = self.last_issued + 1
        self.tickets.append(OwnedTicket(number, time.time() + lifetime, owner))
        return number

    def head(self) -> Optional[OwnedTicket]:
        """The ticket being served (the first one that has not expired)."""
        self.remove_expired_tickets()
        return self.tickets[0] if self.tickets else None  # type: ignore[return-value]

    def holds(self, number: int) -> bool:
        """Whether ticket ``number`` is still in the queue (it has not expired)."""
        return self._ticket_for_ticket_number(number) is not None


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` with atomic updates and release of dead servers' tickets."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, *,
                 owner_ttl: float = 10.0, poll_interval: float = 0.1, **kwargs: Any) -> None:
        if endpoint_config is not None:
            settings = dict(endpoint_config.kwargs)
            owner_ttl = float(settings.pop("owner_ttl", owner_ttl))
            poll_interval = float(settings.pop("poll_interval", poll_interval))
            settings.setdefault("host", endpoint_config.url or "localhost")
            kwargs = {**settings, **kwargs}
        super().__init__(**kwargs)
        self.owner_ttl = float(owner_ttl)
        self.poll_interval = float(poll_interval)
        self.owner_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        base = self.key_prefix[: -len(DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX)]
        self.owner_prefix = base + "lock-owner:"
        self._heartbeat: Optional[threading.Thread] = None
        self._heartbeat_guard = threading.Lock()
        self._stopped = threading.Event()

    # --- the server's own liveness key -----------------------------------------------------------

    def _owner_key(self, owner: Text) -> Text:
        return self.owner_prefix + owner

    def _beat(self) -> None:
        self.red.set(self._owner_key(self.owner_id), "1", px=max(1, int(self.owner_ttl * 1000)))

    def _ensure_heartbeat(self) -> None:
        """Write the liveness key (before this server's first ticket, so no other server ever
        sees one of its tickets without it) and keep it alive from a daemon thread."""
        if self.owner_ttl <= 0 or self._heartbeat is not None:
            return
        with self._heartbeat_guard:
            if self._heartbeat is not None:
                return
            self._beat()
            thread = threading.Thread(target=self._heartbeat_loop, daemon=True,
                                      name="lock-owner-heartbeat")
            thread.start()
            self._heartbeat = thread

    def _heartbeat_loop(self) -> None:
        while not self._stopped.wait(self.owner_ttl / 4):
            try:
                self._beat()
            except Exception as exc:  # noqa: BLE001 - Redis unreachable: keep trying
                logger.warning("lock store: could not renew this server's liveness key: %s", exc)

    def close(self) -> None:
        """Stop the heartbeat and remove the liveness key (tickets then count as a dead
        server's). For tests and orderly shutdowns; a killed server simply stops renewing it."""
        self._stopped.set()
        try:
            self.red.delete(self._owner_key(self.owner_id))
        except Exception:  # noqa: BLE001
            pass

    def _owner_alive(self, owner: Optional[Text]) -> bool:
        if not owner or owner == self.owner_id or self.owner_ttl <= 0:
            return True
        return bool(self.red.exists(self._owner_key(owner)))

    # --- atomic changes ----------------------------------------------------------------------

    def _change(self, conversation_id: Text,
                change: Callable[[Optional[OwnedTicketLock]], Tuple[Optional[OwnedTicketLock], Any]]
                ) -> Any:
        """Apply ``change`` to the conversation's queue in one WATCH/MULTI/EXEC transaction
        (run again when another server changed the key in between); an empty queue is deleted."""
        key = self.key_prefix + conversation_id
        result: List[Any] = []

        def transaction(pipe: Any) -> None:
            result.clear()
            raw = pipe.get(key)
            lock = OwnedTicketLock.from_dict(json.loads(raw)) if raw else None
            lock, value = change(lock)
            pipe.multi()
            if lock is None or not lock.tickets:
                if raw:
                    pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())
                expires = max(t.expires for t in lock.tickets) + KEY_GRACE_SECONDS
                pipe.pexpireat(key, int(expires * 1000))
            result.append(value)

        self.red.transaction(transaction, key)
        return result[0]

    def get_lock(self, conversation_id: Text) -> Optional[OwnedTicketLock]:
        serialised = self.red.get(self.key_prefix + conversation_id)
        return OwnedTicketLock.from_dict(json.loads(serialised)) if serialised else None

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        owner = self.owner_id if self.owner_ttl > 0 else None

        def add(lock: Optional[OwnedTicketLock]) -> Tuple[OwnedTicketLock, int]:
            lock = lock or OwnedTicketLock(conversation_id)
            return lock, lock.issue_owned_ticket(lock_lifetime, owner)

        try:
            self._ensure_heartbeat()
            return self._change(conversation_id, add)
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[OwnedTicketLock]) -> Tuple[Optional[OwnedTicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def remove(lock: Optional[OwnedTicketLock]) -> Tuple[Optional[OwnedTicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, remove)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # One transaction: the ticket goes, and the key with it when no one else is queued.
        self.finish_serving(conversation_id, ticket_number)

    def _drop_dead_head(self, conversation_id: Text, dead: OwnedTicket) -> None:
        def drop(lock: Optional[OwnedTicketLock]) -> Tuple[Optional[OwnedTicketLock], bool]:
            head = lock.head() if lock is not None else None
            if head is None or head.number != dead.number or head.owner != dead.owner:
                return lock, False        # served or dropped meanwhile
            lock.tickets.popleft()         # type: ignore[union-attr]
            return lock, True

        if self._change(conversation_id, drop):
            logger.warning("lock store: released ticket %s of conversation %s held by %s, "
                           "a server that is no longer alive", dead.number, conversation_id,
                           dead.owner)

    async def _acquire_lock(self, conversation_id: Text, ticket: int,
                            wait_time_in_seconds: float) -> TicketLock:
        delay = self.poll_interval if self.poll_interval > 0 else wait_time_in_seconds
        while True:
            lock = self.get_lock(conversation_id)
            if lock is None or not lock.holds(ticket):
                break                      # our ticket expired (or was removed)
            if not lock.is_locked(ticket):
                return lock
            head = lock.head()
            if head is not None and not self._owner_alive(head.owner):
                self._drop_dead_head(conversation_id, head)
                continue
            await asyncio.sleep(delay)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
