"""A JSON POST with failures sorted into worth-retrying and not, shared by the webhook-style channels."""

from __future__ import annotations

import json
from typing import Any

import requests

from watchkeeper.notifications.channels import Transient, classify_status


def post_json(url: str, body: dict[str, Any] | bytes, timeout: float, headers: dict[str, str] | None = None) -> str:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    try:
        response = requests.post(
            url, data=data, timeout=timeout, headers={"Content-Type": "application/json", **(headers or {})}
        )
    except requests.Timeout as error:
        raise Transient(f"timed out: {error}") from error
    except requests.ConnectionError as error:
        raise Transient(f"could not connect: {error}") from error
    classify_status(response.status_code, response.text, response.headers.get("Retry-After"))
    return response.text
