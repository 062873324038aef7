"""Amazon SNS as far as a subscriber sees it: signed messages, a certificate to fetch, a SubscribeURL to visit."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tests.fakes.certs import make_certificate

TOPIC = "arn:aws:sns:eu-west-2:123456789012:cloudwatch-alarms"
# The fields SNS signs, in order, for each message type (from the SNS developer guide).
SIGNED = {
    "Notification": ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
    "SubscriptionConfirmation": ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
}


class FakeSns:
    def __init__(self) -> None:
        self.certificate = make_certificate("sns.eu-west-2.amazonaws.com")
        self.confirmed: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/SimpleNotificationService.pem"):
                    body = fake.certificate.pem
                else:
                    fake.confirmed.append(self.path)
                    body = b"<ConfirmSubscriptionResponse/>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def sign(self, message: dict[str, Any], version: str = "1") -> dict[str, Any]:
        fields = SIGNED[message["Type"]]
        text = "".join(f"{name}\n{message[name]}\n" for name in fields if name in message).encode()
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = self.certificate.key.sign(text, padding.PKCS1v15(), algorithm)
        return {**message, "SignatureVersion": version, "Signature": base64.b64encode(signature).decode()}

    def base(self, kind: str) -> dict[str, Any]:
        return {
            "Type": kind,
            "MessageId": str(uuid.uuid4()),
            "TopicArn": TOPIC,
            "Timestamp": "2026-12-02T12:00:00.000Z",
            "SigningCertURL": f"http://{self.host}/SimpleNotificationService.pem",
        }

    def alarm(self, state: str, version: str = "1", name: str = "api-5xx") -> dict[str, Any]:
        alarm = {
            "AlarmName": name,
            "AlarmDescription": "5xx over 1%",
            "AWSAccountId": "123456789012",
            "NewStateValue": state,
            "NewStateReason": "Threshold Crossed",
            "StateChangeTime": "2026-12-02T11:59:00.000+0000",
            "Region": "EU (London)",
            "AlarmArn": f"arn:aws:cloudwatch:eu-west-2:123456789012:alarm:{name}",
            "OldStateValue": "OK" if state == "ALARM" else "ALARM",
        }
        message = {**self.base("Notification"), "Subject": f'{state}: "{name}"', "Message": json.dumps(alarm)}
        return self.sign(message, version)

    def confirmation(self) -> dict[str, Any]:
        token = uuid.uuid4().hex
        message = {
            **self.base("SubscriptionConfirmation"),
            "Message": "You have chosen to subscribe to the topic.",
            "Token": token,
            "SubscribeURL": f"http://{self.host}/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token={token}",
        }
        return self.sign(message)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
