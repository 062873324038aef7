"""A local fake of S3 object PUT and GET (path-style), checking Signature Version 4 and the payload hash as S3 does."""

from __future__ import annotations

import hashlib
import hmac
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACCESS_KEY = "AKIAWATCHKEEPERTEST"
SECRET_KEY = "fake-secret-key-for-the-local-s3"
REGION = "eu-west-2"


def _signature(method: str, path: str, headers: dict[str, str], signed: list[str], scope: str, amz_date: str) -> str:
    canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in signed)
    request = "\n".join(
        [method, path, "", canonical_headers, ";".join(signed), headers.get("x-amz-content-sha256", "")]
    )
    text = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(request.encode()).hexdigest()}"
    key = f"AWS4{SECRET_KEY}".encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


class FakeS3:
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.puts: list[str] = []  # keys, in the order they were written
        self.refused = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, body: bytes = b"", content_type: str = "application/xml") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _authorised(self, body: bytes) -> bool:
                headers = {k.lower(): v for k, v in self.headers.items()}
                auth = headers.get("authorization", "")
                fields = dict(part.strip().split("=", 1) for part in auth.removeprefix("AWS4-HMAC-SHA256 ").split(","))
                credential = fields.get("Credential", "").split("/", 1)
                if len(credential) != 2 or credential[0] != ACCESS_KEY or f"/{REGION}/s3/" not in credential[1]:
                    return False
                signed = fields.get("SignedHeaders", "").split(";")
                if "host" not in signed or any(name not in headers for name in signed):
                    return False
                if headers.get("x-amz-content-sha256") != hashlib.sha256(body).hexdigest():
                    return False
                expected = _signature(
                    self.command, self.path, headers, signed, credential[1], headers.get("x-amz-date", "")
                )
                return hmac.compare_digest(expected, fields.get("Signature", ""))

            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not self._authorised(body):
                    with fake.lock:
                        fake.refused += 1
                    return self._reply(403, b"<Error><Code>SignatureDoesNotMatch</Code></Error>")
                key = urllib.parse.unquote(self.path)
                with fake.lock:
                    fake.objects[key] = (body, self.headers.get("Content-Type", ""))
                    fake.puts.append(key)
                self._reply(200)

            def do_GET(self) -> None:
                if not self._authorised(b""):
                    return self._reply(403, b"<Error><Code>SignatureDoesNotMatch</Code></Error>")
                found = fake.objects.get(urllib.parse.unquote(self.path))
                if found is None:
                    return self._reply(404, b"<Error><Code>NoSuchKey</Code></Error>")
                self._reply(200, found[0], found[1])

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def get(self, key: str) -> bytes:
        return self.objects[key][0]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
