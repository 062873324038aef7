"""Amazon SNS: checking that a message really comes from SNS, and confirming a subscription.

SNS signs a canonical string of the message's fields with the key of a certificate it serves from
sns.<region>.amazonaws.com; SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA. The certificate URL is checked
before anything is fetched, so a forged message cannot point us at a certificate of its own.
"""

from __future__ import annotations

import base64
import threading
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
SUBSCRIPTION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
KINDS = {"Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"}
TIMEOUT_SECONDS = 5

_certificates: dict[str, rsa.RSAPublicKey] = {}
_lock = threading.Lock()


class Forged(Exception):
    """The message is not what SNS would send: refused with a 4xx, never retried."""


class Unreachable(Exception):
    """Amazon did not answer; SNS retries the delivery."""


def string_to_sign(message: dict[str, Any]) -> bytes:
    fields = NOTIFICATION_FIELDS if message.get("Type") == "Notification" else SUBSCRIPTION_FIELDS
    return "".join(f"{name}\n{message[name]}\n" for name in fields if name in message).encode()


def region_of(topic_arn: str) -> str:
    parts = topic_arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "sns":
        raise Forged(f"TopicArn: {topic_arn[:80]!r} is not an SNS topic")
    return parts[3]


def check_amazon_url(url: str, region: str, name: str) -> None:
    parts = urlsplit(url)
    test_host = settings.ALERTS_SNS_TEST_HOST
    if test_host and parts.netloc == test_host and parts.scheme in {"http", "https"}:
        return
    if parts.scheme != "https" or parts.hostname != f"sns.{region}.amazonaws.com" or parts.port not in {None, 443}:
        raise Forged(f"{name}: {url[:120]!r} is not on sns.{region}.amazonaws.com")


def verify(message: Any) -> str:
    """The message's Type once its signature checks out; Forged otherwise."""
    if not isinstance(message, dict):
        raise Forged("body: is not an SNS message")
    kind = message.get("Type")
    if kind not in KINDS:
        raise Forged(f"Type: {kind!r} is not an SNS message type")
    missing = [f for f in ("MessageId", "TopicArn", "Timestamp", "Signature", "SigningCertURL") if not message.get(f)]
    if missing:
        raise Forged(f"{missing[0]}: is missing")
    version = str(message.get("SignatureVersion"))
    algorithm: hashes.HashAlgorithm
    if version == "1":
        algorithm = hashes.SHA1()  # what SNS uses for version 1; not a choice made here
    elif version == "2":
        algorithm = hashes.SHA256()
    else:
        raise Forged(f"SignatureVersion: {version!r} is not 1 or 2")
    region = region_of(str(message["TopicArn"]))
    check_amazon_url(str(message["SigningCertURL"]), region, "SigningCertURL")
    key = _certificate(str(message["SigningCertURL"]))
    try:
        signature = base64.b64decode(str(message["Signature"]), validate=True)
        key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm)
    except (InvalidSignature, ValueError, KeyError):
        raise Forged("Signature: does not match the message") from None
    return str(kind)


def _certificate(url: str) -> rsa.RSAPublicKey:
    with _lock:
        if url in _certificates:
            return _certificates[url]
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            pem = response.read(64 * 1024)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise Unreachable(f"SigningCertURL: could not fetch the certificate ({error})") from None
    try:
        key = x509.load_pem_x509_certificate(pem).public_key()
    except ValueError:
        raise Forged("SigningCertURL: is not a certificate") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise Forged("SigningCertURL: is not an RSA certificate")
    with _lock:
        _certificates[url] = key
    return key


def confirm(message: dict[str, Any]) -> None:
    """Visiting SubscribeURL is how SNS learns that we want its messages."""
    url = str(message.get("SubscribeURL") or "")
    if not url:
        raise Forged("SubscribeURL: is missing")
    check_amazon_url(url, region_of(str(message["TopicArn"])), "SubscribeURL")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            response.read(64 * 1024)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise Unreachable(f"SubscribeURL: could not confirm the subscription ({error})") from None
