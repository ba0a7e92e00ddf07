"""The one choke point every KashFlow call goes through.

It builds the request with zeep over our own WSDL (so every message is checked against the
contract: a missing value-type element is a ``zeep`` ValidationError here, not a puzzle at
KashFlow), posts it with explicit connect and read time-outs, reads the answer with the spec
codec, turns every failure into a ``kashflow.errors`` class, and retries with back-off and jitter
only where that is safe:

* reads are retried on any retryable failure;
* a write is retried only when KashFlow certainly did not act on it (the connection was never
  made, or HTTP 503); once a write may have arrived, a lost answer raises ``OutcomeUnknown``;
* ``IPNotAllowed`` triggers one ``AutoAuthIP`` (when a key is stored) and one repeat of the call.

Credentials live in private attributes, are never logged, and are masked in the request dumps
kept for debugging (``last_request``).
"""

from __future__ import annotations

import io
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import cache

import requests
import zeep
import zeep.exceptions
from lxml import etree
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from zeep import xsd

from kashflow import errors
from kashflow.wsdl import WRITES, render_wsdl
from kashflow.wsdl.codec import SOAP12_ENV, DecodeError, NotSoap, read_response
from kashflow.wsdl.spec import Field, request_fields, response_fields, type_fields

log = logging.getLogger("kashflow.client")

AUTH_PATTERN = re.compile(
    r"incorrect username or password|invalid.*(user ?name|password)|not authori[sz]ed", re.I
)
IP_PATTERN = re.compile(r"IP address of (?P<ip>\S+) is not in the access list|access list", re.I)
API_OFF_PATTERN = re.compile(r"\bAPI\b.*\b(not enabled|disabled|switched off|turned off)\b", re.I)
SECRET_ELEMENTS = re.compile(rb"(<(?:[\w-]+:)?(?:Password|AutoAuthKey)>)[^<]*(</)")


@cache
def zeep_client() -> zeep.Client:
    # Parsed once per process: the WSDL is ours and fixed, and zeep's schema is read-only after
    # loading, so every thread may build messages from the same client.
    return zeep.Client(io.BytesIO(render_wsdl()))


def redact(envelope: bytes) -> bytes:
    return SECRET_ELEMENTS.sub(rb"\1***\2", envelope)


def classify_refusal(detail: str, operation: str, has_autoauth_key: bool) -> errors.KashFlowError:
    """Map a ``Status`` = ``NO`` (or fault) text to the error a bookkeeper can act on."""
    if AUTH_PATTERN.search(detail):
        return errors.AuthenticationFailed(operation=operation, detail=detail)
    if API_OFF_PATTERN.search(detail):
        return errors.ApiNotEnabled(operation=operation, detail=detail)
    match = IP_PATTERN.search(detail)
    if match:
        ip = match.groupdict().get("ip") or "this server's address"
        if has_autoauth_key:
            message = (
                f"KashFlow refused calls from {ip} even after Tillroll used the AutoAuth key to "
                "add it. Check in KashFlow (Apps > API Settings) that AutoAuth is still enabled "
                "and that the key pasted into the connection page is the current one."
            )
        else:
            message = (
                f"KashFlow only accepts API calls from listed IP addresses, and {ip} is not on "
                "the list. In KashFlow open Apps > API Settings > Enable AutoAuth, then paste "
                "the AutoAuth key into the KashFlow connection page here."
            )
        return errors.IPNotAllowed(message, operation=operation, detail=detail)
    return errors.ValidationRefused(detail, operation=operation)


def _never_connected(exc: requests.RequestException) -> bool:
    """True when the request certainly never reached KashFlow, so even a write may be resent."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NewConnectionError | ConnectTimeoutError | ConnectionRefusedError):
            return True
        stack.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        stack.extend(a for a in current.args if isinstance(a, BaseException))
    return False


class SoapTransport:
    def __init__(
        self,
        username: str,
        password: str,
        endpoint: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_retries: int,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.username = username
        self._password = password
        self.endpoint = endpoint
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._local = threading.local()
        self.last_request: bytes = b""
        self.last_response: bytes = b""
        # Set by the client: called once when a call meets IPNotAllowed; returns True if it
        # added our address, so the call is worth repeating.
        self.on_ip_refused: Callable[[], bool] | None = None
        self.has_autoauth_key = False

    def __repr__(self) -> str:
        return f"SoapTransport(username={self.username!r}, endpoint={self.endpoint!r})"

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    # ------------------------------------------------------------ public

    def call(self, operation: str, **params) -> dict:
        """Make one logical call; returns the decoded ``<Op>Response`` fields."""
        attempt = 0
        tried_autoauth = False
        while True:
            try:
                return self._call_once(operation, params)
            except errors.IPNotAllowed:
                if tried_autoauth or operation == "AutoAuthIP" or self.on_ip_refused is None:
                    raise
                tried_autoauth = True
                if not self.on_ip_refused():
                    raise
                log.info("kashflow %s: address added by AutoAuthIP, repeating once", operation)
            except errors.KashFlowError as exc:
                if not exc.retryable or exc.check_before_retry or attempt >= self.max_retries:
                    raise
                attempt += 1
                delay = self._delay(attempt)
                log.warning(
                    "kashflow %s failed (%s), retry %d/%d in %.2fs",
                    operation, type(exc).__name__, attempt, self.max_retries, delay,
                )  # fmt: skip
                self._sleep(delay)

    # ------------------------------------------------------------ internals

    def _delay(self, attempt: int) -> float:
        # Exponential back-off with jitter, so many workers that failed together spread out.
        ceiling = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return ceiling * random.uniform(0.5, 1.0)

    def _envelope(self, operation: str, params: dict) -> bytes:
        client = zeep_client()
        values = {"UserName": self.username, "Password": self._password}
        for field in request_fields(operation)[2:]:
            if field.name in params:
                values[field.name] = _to_zeep(client, field, params[field.name])
        try:
            message = client.create_message(client.service, operation, **values)
        except zeep.exceptions.ValidationError as exc:
            raise errors.RequestRejected(
                f"Tillroll could not build a valid {operation} request: {exc.message}",
                operation=operation,
            ) from None
        return etree.tostring(message, xml_declaration=True, encoding="utf-8")

    def _call_once(self, operation: str, params: dict) -> dict:
        is_write = operation in WRITES
        body = self._envelope(operation, params)
        self.last_request = redact(body)
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"KashFlow/{operation}"',
        }
        started = time.monotonic()
        try:
            response = self.session.post(
                self.endpoint, data=body, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            elapsed = time.monotonic() - started
            log.warning("kashflow %s: %s after %.2fs", operation, type(exc).__name__, elapsed)
            if is_write and not _never_connected(exc):
                raise errors.OutcomeUnknown(
                    operation=operation, detail=type(exc).__name__
                ) from None
            raise errors.KashFlowUnavailable(
                operation=operation, detail=f"{type(exc).__name__} talking to {self.endpoint}"
            ) from None
        self.last_response = response.content[:4096]
        log.debug(
            "kashflow %s: HTTP %s in %.2fs", operation, response.status_code,
            time.monotonic() - started,
        )  # fmt: skip
        return self._read(operation, response, is_write)

    def _read(self, operation: str, response: requests.Response, is_write: bool) -> dict:
        status = response.status_code
        try:
            first, data = read_response(response.content, response_fields(operation))
        except (etree.XMLSyntaxError, NotSoap):
            first = data = None
        except DecodeError as exc:
            raise errors.RequestRejected(
                f"KashFlow's answer to {operation} could not be read: {exc}", operation=operation
            ) from None
        if first is not None and data is None:
            return self._fault(operation, first, is_write)
        if status >= 500 or (status == 200 and first is None):
            if is_write and status != 503:
                raise errors.OutcomeUnknown(operation=operation, detail=f"HTTP {status}")
            raise errors.KashFlowUnavailable(operation=operation, detail=f"HTTP {status}")
        if status != 200:
            raise errors.RequestRejected(
                f"The KashFlow address {self.endpoint} answered HTTP {status}. Check the API "
                "address in the connection settings.",
                operation=operation,
            )
        if (data.get("Status") or "").upper() == "NO":
            raise classify_refusal(data.get("StatusDetail") or "", operation, self.has_autoauth_key)
        result = data.get(f"{operation}Result")
        if operation in WRITES and not result:
            # KashFlow answers 0 instead of an error when an insert is refused, so 0 is never a
            # valid id or number.
            raise errors.ValidationRefused(
                data.get("StatusDetail") or "KashFlow answered 0 and gave no reason",
                operation=operation,
            )
        return data

    def _fault(self, operation: str, fault, is_write: bool) -> dict:
        code, text = fault_parts(fault)
        refusal = classify_refusal(text, operation, self.has_autoauth_key)
        if not isinstance(refusal, errors.ValidationRefused):
            raise refusal
        if code.endswith(("Client", "Sender")):
            raise errors.RequestRejected(
                f"KashFlow could not read the {operation} request: {text[:300]}",
                operation=operation,
                detail=text,
            )
        if is_write:
            raise errors.OutcomeUnknown(operation=operation, detail=text[:300])
        raise errors.KashFlowUnavailable(operation=operation, detail=text[:300])


def fault_parts(fault) -> tuple[str, str]:
    """(fault code, fault text) of a SOAP 1.1 or 1.2 Fault element."""
    code = fault.findtext("faultcode") or fault.findtext(f".//{{{SOAP12_ENV}}}Value") or ""
    text = fault.findtext("faultstring") or fault.findtext(f".//{{{SOAP12_ENV}}}Text") or ""
    return code.strip(), text.strip()


ZEEP_DEFAULTS = {
    "int": 0,
    "integer": 0,
    "decimal": Decimal(0),
    "boolean": False,
    "dateTime": datetime(1, 1, 1),
}


def _to_zeep(client: zeep.Client, field: Field, value):
    """Plain dicts (KashFlow element names) to zeep values; anyType items get their xsi:type."""
    if value is None or field.primitive and field.type != "anyType":
        return value
    if field.type == "anyType":
        kind = value["@type"]
        zeep_type = client.get_type(f"{{KashFlow}}{kind}")
        return xsd.AnyObject(zeep_type, zeep_type(**_zeep_fields(client, kind, value)))
    return client.get_type(f"{{KashFlow}}{field.type}")(**_zeep_fields(client, field.type, value))


def _zeep_fields(client: zeep.Client, type_name: str, data: dict) -> dict:
    out = {}
    for field in type_fields(type_name):
        value = data.get(field.name)
        if value is None and field.min_occurs and not field.nillable and field.primitive:
            # ASMX wants every value-type element; an unset one goes as .NET's default.
            value = ZEEP_DEFAULTS.get(field.type)
        if value is None and field.name not in data:
            continue
        if field.many:
            out[field.name] = [_to_zeep(client, field, item) for item in value]
        else:
            out[field.name] = _to_zeep(client, field, value)
    return out
