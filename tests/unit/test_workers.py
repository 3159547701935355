"""The worker count setting and the parent's port reservation (llmgateway/workers.py);
tests/integration/test_workers.py runs real workers."""

from __future__ import annotations

import os
import socket

import pytest
from pydantic import ValidationError

from llmgateway.config import ServerSettings
from llmgateway.workers import _reserved


def test_auto_is_the_cpus_this_process_may_use() -> None:
    assert ServerSettings.model_validate({"workers": "auto"}).worker_count() == len(os.sched_getaffinity(0))
    assert ServerSettings.model_validate({"workers": "3"}).worker_count() == 3
    assert ServerSettings().worker_count() == 1


@pytest.mark.parametrize("bad", ["0", "-1", "many", 0])
def test_a_count_below_one_or_a_word_is_refused(bad: object) -> None:
    with pytest.raises(ValidationError):
        ServerSettings.model_validate({"workers": bad})


def test_the_reserved_port_takes_no_connection_and_others_can_listen_on_it() -> None:
    with _reserved("127.0.0.1:0") as address:
        port = int(address.rsplit(":", 1)[1])
        assert port > 0
        with (
            socket.create_server(("127.0.0.1", port), reuse_port=True) as listener,  # a worker
            socket.create_connection(("127.0.0.1", port), timeout=2),
        ):
            conn, _ = listener.accept()  # the connection reached the listening socket
            conn.close()
