"""The Rasa server hands back memory freed while loading the model (channels/memory.py)."""
import platform

import pytest

from channels import memory
from channels.guard import TTPSRestInput


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_trim_returns_free_memory_with_glibc():
    garbage = [bytearray(4096) for _ in range(20000)]   # 80 MB allocated, then freed
    del garbage
    assert memory.trim() is True


def test_the_rest_channel_trims_once_the_server_has_started():
    bp = TTPSRestInput().blueprint(lambda message: None)
    listeners = [future for future in bp._future_listeners
                 if future.event == "after_server_start"]
    assert [f.listener for f in listeners] == [memory.trim_after_start]
