"""The backend: every write transaction, and every write statement outside one, waits for its turn (see turns)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base

from watchkeeper.sqlite_turns.turns import Turns, turns_for

# Statements that write, when they run on their own in autocommit mode; others only read or are rare enough
# (schema changes in migrations) to leave to SQLite's own waiting.
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class TurnTakingCursor(base.SQLiteCursorWrapper):
    owner: DatabaseWrapper

    def execute(self, query: str, params: Any = None) -> Any:
        if not self.owner.writes_on_its_own(query):
            return super().execute(query, params)
        with self.owner.turn():
            return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        if not self.owner.writes_on_its_own(query):
            return super().executemany(query, param_list)
        with self.owner.turn():
            return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turns: Turns | None = None
        self._turns_pid = 0
        self._holding = False

    def turns(self) -> Turns | None:
        if self.is_in_memory_db():
            return None  # one connection, shared by the test threads that use it: nobody to take turns with
        if self._turns is None or self._turns_pid != os.getpid():  # a forked child takes turns of its own
            self._turns, self._turns_pid = turns_for(Path(self.settings_dict["NAME"])), os.getpid()
        return self._turns

    def turn_timeout(self) -> float:
        return float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))

    def writes_on_its_own(self, query: str) -> bool:
        return not self._holding and not self.in_atomic_block and query.lstrip()[:7].upper().startswith(WRITES)

    def turn(self) -> _Turn:
        return _Turn(self)

    def _take_turn(self) -> None:
        turns = self.turns()
        if turns is not None and not self._holding:
            turns.take(self.turn_timeout())
            self._holding = True

    def _give_back_turn(self) -> None:
        if self._holding and self._turns is not None:
            self._holding = False
            self._turns.give_back()

    def create_cursor(self, name: str | None = None) -> TurnTakingCursor:
        cursor = self.connection.cursor(factory=TurnTakingCursor)
        cursor.owner = self
        return cursor

    def _start_transaction_under_autocommit(self) -> None:
        self._take_turn()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in Django, so not in its stubs
        except BaseException:
            self._give_back_turn()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # private in Django, so not in its stubs
        finally:
            self._give_back_turn()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private in Django, so not in its stubs
        finally:
            self._give_back_turn()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # private in Django, so not in its stubs
        finally:
            self._give_back_turn()


class _Turn:
    def __init__(self, connection: DatabaseWrapper) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection._take_turn()

    def __exit__(self, *exc: object) -> None:
        self.connection._give_back_turn()
