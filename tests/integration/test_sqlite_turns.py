"""SQLite writers take turns across processes and threads, and a reader never waits for one (see sqlite_turns)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db.utils import OperationalError

from watchkeeper.sqlite_turns.turns import Turns, turns_for

pytestmark = pytest.mark.sqlite_pass  # files of its own, whatever the suite's database


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "turns.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE note (text TEXT)")
    return path


def django_process(database: Path, code: str) -> subprocess.Popen[str]:
    """A process with Watchkeeper's settings on ``database``, running ``code`` with ``connection`` and ``transaction``
    imported; it prints as it goes, so the test can follow it."""
    prelude = "import django; django.setup(); from django.db import connection, transaction\n"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "watchkeeper.settings"}
    return subprocess.Popen(
        [sys.executable, "-u", "-c", prelude + code], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def notes(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [text for (text,) in db.execute("SELECT text FROM note")]


@pytest.fixture
def holder(database: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process inside a transaction that has written, until it reads a line on its stdin."""
    process = django_process(
        database,
        "with transaction.atomic():\n"
        "    connection.cursor().execute(\"INSERT INTO note VALUES ('held')\")\n"
        "    print('holding')\n"
        "    input()\n"
        "print('committed')\n",
    )
    assert process.stdout is not None and process.stdout.readline() == "holding\n"
    yield process
    process.kill()
    process.wait()


def test_a_transaction_keeps_the_turn_until_it_commits(database: Path, holder: subprocess.Popen[str]) -> None:
    turns = turns_for(database)
    with pytest.raises(OperationalError, match=r"database is locked: no turn to write within 0\.2 s"):
        turns.take(timeout=0.2)
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline() == "committed\n"
    turns.take(timeout=5)
    turns.give_back()
    assert notes(database) == ["held"]


def test_a_reader_does_not_wait_for_the_writer(database: Path, holder: subprocess.Popen[str]) -> None:
    reader = django_process(database, "print(connection.cursor().execute('SELECT count(*) FROM note').fetchone()[0])")
    out, _ = reader.communicate(timeout=30)
    assert out == "0\n"  # the holder's row is not committed yet, and the read did not wait for it


def test_a_write_on_its_own_waits_for_its_turn_then_gives_it_back(database: Path) -> None:
    turns = turns_for(database)
    turns.take(timeout=1)
    writer = django_process(database, "connection.cursor().execute(\"INSERT INTO note VALUES ('alone')\"); input()")
    assert writer.stdout is not None and writer.stdin is not None
    with pytest.raises(subprocess.TimeoutExpired):
        writer.wait(timeout=1)
    assert notes(database) == []  # waiting for the turn, not written around it
    turns.give_back()
    for _ in range(300):
        if notes(database):
            break
        threading.Event().wait(0.05)
    assert notes(database) == ["alone"]
    turns.take(timeout=5)  # given back while the writer is still running
    turns.give_back()
    writer.stdin.write("\n")
    writer.stdin.flush()
    assert writer.wait(timeout=30) == 0


def test_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    turns = Turns(tmp_path / "db.writers")
    turns.take(timeout=1)
    refused: list[BaseException] = []
    taken = threading.Event()

    def other() -> None:
        try:
            turns.take(timeout=0.1)
        except OperationalError as error:
            refused.append(error)
        try:
            turns.take(timeout=5)
            taken.set()
        finally:
            turns.give_back()

    thread = threading.Thread(target=other)
    thread.start()
    while not refused and thread.is_alive():
        threading.Event().wait(0.01)
    assert refused and not taken.is_set()
    turns.give_back()
    thread.join(timeout=10)
    assert taken.is_set()


def test_a_forked_process_has_turns_of_its_own(database: Path) -> None:
    turns = turns_for(database)
    turns.take(timeout=1)
    try:
        child = os.fork()
        if child == 0:  # the child: its parent's flock is not its turn
            try:
                turns_for(database).take(timeout=0.2)
                os._exit(1)
            except OperationalError:
                os._exit(0)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        turns.give_back()
