"""Rows for insights read straight from the cursor, with no per-value converters.

Converters cost more than everything else a summary does over 10,000 incidents (Django's on SQLite, psycopg's time
zone loader on PostgreSQL, each microseconds an instant), so instant columns are read as ISO 8601 text with their
offset and parsed with ``datetime.fromisoformat``, and nothing else is converted.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import connections
from django.db.models import Func, QuerySet, TextField


class _InstantText(Func):
    """An instant as ISO 8601 text with its offset."""

    template = "CAST(%(expressions)s AS text)"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django keeps instants on SQLite as naive UTC text; the offset added here saves a slow replace() per value.
        return self.as_sql(compiler, connection, template="(%(expressions)s || '+00:00')", **extra)


def rows(
    queryset: QuerySet[Any], fields: tuple[str, ...], instants: frozenset[str] = frozenset()
) -> Iterator[list[Any]]:
    """The queryset's rows as lists in the order of ``fields``, the ``instants`` among them as aware datetimes."""
    aliases = {name: f"instant_{n}" for n, name in enumerate(fields) if name in instants}
    selected = queryset.annotate(**{alias: _InstantText(name) for name, alias in aliases.items()})
    selected = selected.values_list(*(aliases.get(name, name) for name in fields))
    sql, params = selected.query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        # Django selects annotations after plain columns, so the order comes from the cursor, not from ``fields``.
        names = [column[0] for column in cursor.description]
        order = [names.index(aliases.get(name, name)) for name in fields]
        parse = [n for n, name in enumerate(fields) if name in instants]
        parse_at = datetime.fromisoformat
        while batch := cursor.fetchmany(2000):
            for values in batch:
                row = [values[n] for n in order]
                # Parsed in line rather than through a helper: a year's summary reads some 140,000 instants.
                for n in parse:
                    if (text := row[n]) is not None:
                        at = parse_at(text)
                        row[n] = at if at.tzinfo is UTC else at.astimezone(UTC)
                yield row
