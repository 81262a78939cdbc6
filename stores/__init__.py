"""Stores that Rasa loads by class path from an endpoints file (``type: stores.<module>.<Class>``).

* ``stores.redis_lock.AtomicRedisLockStore`` - Rasa's Redis lock store with every read-modify-
  write of a conversation's ticket lock done atomically (WATCH/MULTI), so several Rasa servers
  sharing one Redis serialise each conversation's messages; tickets held by a server that died
  are released within seconds. ``endpoints.production.yml`` uses it; see ``docs/cluster.md``.
* ``stores.sql_tracker.TTPSSQLTrackerStore`` - Rasa's SQL tracker store with SQLite in WAL mode
  and ``synchronous=NORMAL`` (``make run``'s ``endpoints.yml``); PostgreSQL unchanged.
"""
