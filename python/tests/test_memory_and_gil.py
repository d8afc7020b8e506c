"""Zero copy (peak RSS) on an 800 MB array in memory, and the GIL released while evaluating."""

import hashlib
import threading
import time

import numpy as np
import pytest

import mapk

ROWS, CLASSES = 200_000, 1000  # 800 MB of float32


def peak_rss_bytes():
    """The process's peak resident set (VmHWM), in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc/self/status")


@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(15)
    scores = rng.random((ROWS, CLASSES), dtype=np.float32)  # written as float32: no float64 temporary
    labels = rng.integers(0, CLASSES, size=(ROWS, 5), dtype=np.int32)
    return scores, labels


def test_an_800_mb_array_is_read_in_place(big):
    scores, labels = big
    assert scores.nbytes == 800_000_000
    mapk.evaluate(scores[:10], labels[:10], k=10)  # the library's own first-use allocations, before measuring
    before = peak_rss_bytes()
    result = mapk.evaluate(scores, labels, k=[1, 10])
    grown = peak_rss_bytes() - before
    assert result.rows == ROWS
    assert grown < 64 << 20, f"peak RSS grew by {grown / 2**20:.1f} MB evaluating an 800 MB array"


def test_the_gil_is_released_while_evaluating():
    # A 40 MB array, evaluated a few times per thread.
    rng = np.random.default_rng(16)
    part = rng.random((20000, 500), dtype=np.float32), rng.integers(0, 500, size=(20000, 5))

    def run():
        for _ in range(5):
            mapk.evaluate(*part, k=10, threads=1)

    run()  # warm the caches

    def serial(work):
        start = time.perf_counter()
        work()
        work()
        return time.perf_counter() - start

    def concurrent(work):
        start = time.perf_counter()
        workers = [threading.Thread(target=work) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return time.perf_counter() - start

    def ratio(work):
        # Best of 5 of each, interleaved: the machine is shared and noisy.
        s, c = [], []
        for _ in range(5):
            s.append(serial(work))
            c.append(concurrent(work))
        return min(c) / min(s)

    # The control: hashlib releases the GIL for large buffers, so two threads
    # hashing at once show what 2 cores give this process right now.
    data = bytes(8 << 20)

    def control():
        for _ in range(4):
            hashlib.sha256(data).digest()

    # Up to 3 tries: other processes take the cores at times, which can only
    # slow the concurrent run; with the GIL held no try could pass (two calls
    # in turn take at least the serial time), so one pass is proof.
    tries = []
    for _ in range(3):
        control_ratio = ratio(control)
        if control_ratio > 0.8:
            tries.append(None)
            continue
        # With the GIL held during a call, the two threads would take at least as
        # long as both calls in a row; released, about as long as one.
        evaluation_ratio = ratio(run)
        if evaluation_ratio < 0.9:
            return
        tries.append((evaluation_ratio, control_ratio))
    measured = [t for t in tries if t is not None]
    if not measured:
        pytest.skip(f"this machine gives the process no 2 free cores now (two threads of GIL-free "
                    f"hashing took {control_ratio:.2f}x the time of both in a row)")
    evaluation_ratio, control_ratio = min(measured)
    assert evaluation_ratio < 0.9, (
        f"two threads evaluating took {evaluation_ratio:.2f}x the serial time (control {control_ratio:.2f}x)")


def test_python_threads_run_during_a_call(big):
    # The direct sign: another thread's Python code keeps running during one
    # call (the longest pause between its steps is far below the call's time).
    done = threading.Event()
    longest = 0.0

    def count():
        nonlocal longest
        last = time.perf_counter()
        while not done.is_set():
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    counter = threading.Thread(target=count)
    counter.start()
    time.sleep(0.05)
    start = time.perf_counter()
    mapk.evaluate(*big, k=10, threads=1)
    call = time.perf_counter() - start
    done.set()
    counter.join()
    assert longest < call / 2, f"another thread paused {longest:.3f} s during a {call:.3f} s call"
