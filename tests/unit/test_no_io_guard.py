"""The guard in tests/unit/conftest.py refuses sockets and processes."""
from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from .conftest import UnitTestIO


def test_a_socket_connect_is_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(UnitTestIO):
        s.connect(("127.0.0.1", 9))


def test_starting_a_process_is_refused():
    with pytest.raises(UnitTestIO):
        subprocess.run([sys.executable, "-c", "pass"], check=False)
