"""tests/deploy: no network at all. The schemas must come from the kubernetes-validate package
itself; any socket a test (or the validator) opens fails at once with NetworkBlocked.
make test-deploy also runs these tests in an empty network namespace where `unshare -n` works.
"""
from __future__ import annotations

import socket


class NetworkBlocked(RuntimeError):
    pass


def _blocked(*args, **kwargs):
    raise NetworkBlocked("tests/deploy must not use the network")


socket.socket.connect = _blocked  # type: ignore[method-assign]
socket.socket.connect_ex = _blocked  # type: ignore[method-assign]
socket.create_connection = _blocked  # type: ignore[assignment]
socket.getaddrinfo = _blocked  # type: ignore[assignment]
