"""The test-wide guard really refuses connections that leave the machine."""

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_outbound_connection_fails_the_test() -> None:
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=0.5)  # TEST-NET-1: never routed


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=1):
            pass
