"""Claiming the next ready task in one statement: UPDATE … WHERE id = (the next one) RETURNING the row.

The library selects the row FOR UPDATE SKIP LOCKED and then saves it: two queries inside a transaction, for every
task. One UPDATE does both. On PostgreSQL it runs on its own (no BEGIN or COMMIT round trips) and SKIP LOCKED still
keeps workers off each other's rows; on SQLite, which has one writer at a time, it runs in an exclusive transaction
as the library's claim does.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


def claim_next(ready: QuerySet[DBTaskResult], worker_id: str) -> DBTaskResult | None:
    """Marks the first of ``ready`` (in the queue's order) as running for ``worker_id`` and returns it, or None."""
    connection = connections[ready.db]
    quote = connection.ops.quote_name
    inner, params = ready.values("pk")[:1].query.sql_with_params()
    if connection.vendor == "postgresql":
        inner += " FOR UPDATE SKIP LOCKED"
        appended = "worker_ids || jsonb_build_array(%s::text)"
    else:
        appended = "json_insert(worker_ids, '$[#]', %s)"
    columns = ", ".join(quote(field.column) for field in DBTaskResult._meta.concrete_fields)
    sql = (
        f"UPDATE {quote(DBTaskResult._meta.db_table)} SET status = %s, started_at = %s, worker_ids = {appended} "
        f"WHERE id = ({inner}) RETURNING {columns}"
    )
    claim = DBTaskResult.objects.db_manager(ready.db).raw(
        sql, [TaskResultStatus.RUNNING, timezone.now(), worker_id, *params]
    )
    if connection.vendor == "postgresql":
        return next(iter(claim), None)
    with exclusive_transaction(ready.db):
        return next(iter(claim), None)
