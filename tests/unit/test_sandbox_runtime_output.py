"""The sandbox executor's output pump (one per Lambda environment, inside LocalStack's
process) collects a runtime's output, and sleeps while the runtime is silent, whatever
descriptor number its pipe has.

A burst of a hundred environments takes LocalStack past 1,024 open descriptors; the pump
waited in select(), which refuses those (ValueError), so it spun on the interpreter lock and
the whole sandbox slowed to Connect's 8 s limit (docs/sandbox.md).
"""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Iterator

import pytest

from tracker_sandbox.executor.environment import _Output

#: Past select()'s FD_SETSIZE, as LocalStack's descriptors are under a burst.
HIGH_DESCRIPTOR = 1500


@pytest.fixture
def descriptors() -> Iterator[None]:
    """Room for descriptor HIGH_DESCRIPTOR in this process's open-files limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= HIGH_DESCRIPTOR:
        pytest.skip(f"the open-files hard limit ({hard}) is below descriptor {HIGH_DESCRIPTOR}")
    if soft != resource.RLIM_INFINITY and soft <= HIGH_DESCRIPTOR:
        resource.setrlimit(resource.RLIMIT_NOFILE, (HIGH_DESCRIPTOR + 1, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def pump_thread() -> threading.Thread:
    [thread] = [t for t in threading.enumerate() if t.name == "lambda-output"]
    return thread


def cpu_seconds(thread: threading.Thread) -> float:
    assert thread.ident is not None
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


@pytest.mark.skipif(
    not hasattr(time, "pthread_getcpuclockid"), reason="needs a thread's CPU clock (Linux)"
)
@pytest.mark.usefixtures("descriptors")
def test_output_on_a_high_descriptor_is_collected_and_the_idle_pump_sleeps() -> None:
    read_fd, write_fd = os.pipe()
    os.dup2(read_fd, HIGH_DESCRIPTOR)  # the pump owns HIGH_DESCRIPTOR and closes it at EOF
    os.close(read_fd)
    try:
        output = _Output(HIGH_DESCRIPTOR)
        os.write(write_fd, b"START RequestId: 1\n")
        assert output.drain() == "START RequestId: 1\n"
        thread = pump_thread()
        before = cpu_seconds(thread)
        time.sleep(1.0)  # the runtime is silent for a second
        spent = cpu_seconds(thread) - before
        assert spent < 0.1, f"the idle output pump used {spent:.2f} s of CPU in 1 s"
        os.write(write_fd, b"END RequestId: 1\n")
    finally:
        os.close(write_fd)  # the runtime exits: its end of the pipe closes
    output.wait_eof(5.0)
    assert not thread.is_alive(), "the pump did not end at the end of the runtime's output"
    assert output.drain() == "END RequestId: 1\n"
