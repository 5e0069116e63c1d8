"""Work in forked processes: the same results as at home, errors carried back."""

from __future__ import annotations

import os

import pytest

from feedkit.errors import FileProblems, Problem, RegistryError
from feedkit.writers.parallel import in_child, render_all


def test_in_child_runs_elsewhere_and_brings_back_the_result() -> None:
    waiting = in_child(lambda: (os.getpid(), b"x" * 100_000))
    pid, data = waiting()
    assert pid != os.getpid() and data == b"x" * 100_000


def test_in_child_carries_errors_back_with_their_problems() -> None:
    problem = Problem("posts.yaml", 3, 7, "title: missing")

    def fail() -> None:
        raise RegistryError([problem])

    waiting = in_child(fail)
    with pytest.raises(FileProblems) as caught:
        waiting()
    assert caught.value.problems == [problem]


def test_render_all_in_workers_keeps_the_order() -> None:
    items = list(range(50))
    at_home = list(render_all(lambda i: [i * i], items, posts=0))
    in_workers = list(render_all(lambda i: [i * i], items, posts=10_000))
    assert at_home == in_workers == [i * i for i in items]
