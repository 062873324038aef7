"""Logging filters: an expected refusal (403, 404) is one line in the log, not a traceback."""

from __future__ import annotations

import logging


class NoTracebackForClientErrors(logging.Filter):
    """Django logs every PermissionDenied with its traceback; a 4xx is the app working as meant, so keep the
    one-line warning ("Forbidden (Permission denied): /path") and drop the stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
