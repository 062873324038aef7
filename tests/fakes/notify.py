"""GOV.UK Notify's send endpoints, checking the JWT the official client signs with the API key."""

from __future__ import annotations

import uuid
from typing import Any

import jwt

from tests.fakes.http import FakeServer, Reply, Request, json_reply

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"watchkeeper_test-{SERVICE_ID}-{SECRET}"


class FakeNotify(FakeServer):
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        super().__init__()

    def reply(self, request: Request) -> Reply:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        except jwt.InvalidTokenError as error:
            return json_reply(403, {"errors": [{"error": "AuthError", "message": str(error)}]})
        if claims.get("iss") != SERVICE_ID:
            return json_reply(403, {"errors": [{"error": "AuthError", "message": "Invalid token: service not found"}]})
        body = request.json()
        kind = request.path.rsplit("/", 1)[-1]
        if kind not in {"email", "sms"}:
            return json_reply(404, {"errors": [{"error": "NotFound"}]})
        self.sent.append({"kind": kind, **body})
        return json_reply(201, {"id": str(uuid.uuid4()), "reference": body.get("reference"), "content": {}})
