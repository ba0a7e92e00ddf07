"""The stand-in KashFlow server: our WSDL and every operation we use, over real HTTP.

``Sandbox.start(port=0, ...)`` runs it on a thread (tests, demo); ``manage.py kashflow_sandbox``
runs it in the foreground. It speaks SOAP 1.1 (``text/xml`` with ``SOAPAction: "KashFlow/Op"``)
and SOAP 1.2 (``application/soap+xml; action="KashFlow/Op"``) on ``/api/service.asmx`` and
serves the WSDL at ``/api/service.asmx?wsdl``. A small admin API lives under ``/_sandbox/``:
``GET /_sandbox/state`` (counts), ``POST /_sandbox/faults`` (a JSON fault rule, see
``faults.py``) and ``DELETE /_sandbox/faults``.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from kashflow.wsdl import WRITES, render_wsdl
from kashflow.wsdl.codec import (
    PARSER,
    DecodeError,
    fault_envelope,
    local_name,
    read_fields,
    response_envelope,
    soap_body,
)
from kashflow.wsdl.spec import NAMESPACE, request_fields

from .faults import Faults
from .operations import HANDLERS, Refused
from .state import SandboxState

log = logging.getLogger("kashflow.sandbox")
PATH = "/api/service.asmx"
MAX_BODY = 64 * 1024 * 1024
BAD_CREDENTIALS = "Incorrect username or password"
# What the state file is saved after: every write, and AutoAuthIP, which lists an address.
SAVED_AFTER = WRITES | {"AutoAuthIP"}


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, state: SandboxState, faults: Faults):
        super().__init__(address, Handler)
        self.state = state
        self.faults = faults
        # Operation names in the order they arrived, for tests that count calls.
        self.calls: list[str] = []


class Handler(BaseHTTPRequestHandler):
    server: SandboxHTTPServer
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        log.debug("%s " + format, self.client_address[0], *args)

    # ------------------------------------------------------------ plumbing

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The caller gave up waiting (a client time-out test): nothing left to tell it.
            self.close_connection = True

    def _soap(self, status: int, body: bytes, soap12: bool) -> None:
        kind = "application/soap+xml" if soap12 else "text/xml"
        self._send(status, body, f"{kind}; charset=utf-8")

    def _json(self, status: int, data) -> None:
        self._send(status, json.dumps(data, default=str).encode(), "application/json")

    def _drop(self) -> None:
        # Close without a byte of answer: the client cannot tell whether the write landed.
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ------------------------------------------------------------ GET: WSDL and admin

    def do_GET(self):
        parts = urlsplit(self.path)
        if parts.path.rstrip("/") == PATH and parts.query.lower() == "wsdl":
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
            self._send(200, render_wsdl(f"http://{host}{PATH}"), "text/xml; charset=utf-8")
        elif parts.path == "/_sandbox/state":
            self._json(200, summary(self.server.state, self.server.faults))
        else:
            self._send(404, b"Not found", "text/plain")

    def do_DELETE(self):
        if urlsplit(self.path).path == "/_sandbox/faults":
            self.server.faults.clear()
            self._json(200, {"faults": []})
        else:
            self._send(404, b"Not found", "text/plain")

    # ------------------------------------------------------------ POST: SOAP and admin

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(413, b"Request too large", "text/plain")
            return
        body = self.rfile.read(length)
        path = urlsplit(self.path).path
        if path == "/_sandbox/faults":
            self._add_fault(body)
        elif path.rstrip("/") == PATH:
            self._soap_call(body)
        else:
            self._send(404, b"Not found", "text/plain")

    def _add_fault(self, body: bytes) -> None:
        try:
            rule = self.server.faults.add(**json.loads(body or b"{}"))
        except (ValueError, TypeError) as exc:
            self._json(400, {"error": str(exc)})
            return
        self._json(201, rule.__dict__)

    def _soap_call(self, body: bytes) -> None:
        content_type = self.headers.get("Content-Type") or ""
        soap12 = "application/soap+xml" in content_type
        action = self.headers.get("SOAPAction")
        if soap12 and "action=" in content_type:
            action = content_type.split("action=", 1)[1].split(";")[0]
        try:
            soap12, element = soap_body(etree.fromstring(body, PARSER))
        except (etree.XMLSyntaxError, DecodeError) as exc:
            message = f"Server was unable to read request. ---> {exc}"
            self._soap(500, fault_envelope(message, soap12), soap12)
            return
        operation = local_name(element)
        action = (action or "").strip().strip('"')
        if (
            element.tag != f"{{{NAMESPACE}}}{operation}"
            or operation not in HANDLERS
            or (action and action != f"{NAMESPACE}/{operation}")
        ):
            message = f"Server did not recognize the value of HTTP Header SOAPAction: {action}."
            self._soap(500, fault_envelope(message, soap12), soap12)
            return
        try:
            request = read_fields(request_fields(operation), element)
        except DecodeError as exc:
            message = f"Server was unable to read request. ---> {exc}"
            self._soap(500, fault_envelope(message, soap12), soap12)
            return
        self.server.calls.append(operation)
        self._answer(operation, request, soap12)

    def _answer(self, operation: str, request: dict, soap12: bool) -> None:
        faults, state = self.server.faults, self.server.state
        latency = faults.fire(operation, "latency")
        if latency is not None:
            time.sleep(latency.seconds)
        if faults.fire(operation, "http_500"):
            self._send(500, b"<html><body><h1>500 - Internal server error.</h1></body></html>",
                       "text/html")  # fmt: skip
            return
        if faults.fire(operation, "soap_fault"):
            message = "Server was unable to process request. ---> Object reference not set."
            self._soap(500, fault_envelope(message, soap12, client_fault=False), soap12)
            return
        with state.lock:
            refusal = self._refusal(operation, request)
            if refusal is None and faults.fire(operation, "zero_result"):
                # How some refused inserts read: OK, but a zero result and nothing stored.
                data = {"Status": "OK", "StatusDetail": ""}
            elif refusal is None:
                try:
                    data = HANDLERS[operation](state, request, self.client_address[0])
                    data.update(Status="OK", StatusDetail="")
                except Refused as exc:
                    refusal = str(exc)
                except Exception as exc:  # a stand-in bug: answer as ASMX would, then log it
                    log.exception("sandbox %s failed", operation)
                    message = f"Server was unable to process request. ---> {exc}"
                    self._soap(500, fault_envelope(message, soap12, client_fault=False), soap12)
                    return
                else:
                    if operation in SAVED_AFTER:
                        state.save()
            if refusal is not None:
                data = {"Status": "NO", "StatusDetail": refusal}
            answer = response_envelope(operation, data, soap12)
        if faults.fire(operation, "drop_after_write"):
            self._drop()
            return
        self._soap(200, answer, soap12)

    def _refusal(self, operation: str, request: dict) -> str | None:
        """Account-level refusals, in the order KashFlow checks: login, API switch, IP list."""
        faults, account = self.server.faults, self.server.state.account
        if faults.fire(operation, "wrong_password") or (
            request.get("UserName") != account.username
            or request.get("Password") != account.password
        ):
            return BAD_CREDENTIALS
        rule = faults.fire(operation, "api_disabled")
        if rule is not None or not account.api_enabled:
            return (rule.text if rule and rule.text else "") or account.api_disabled_text
        ip = self.client_address[0]
        if operation != "AutoAuthIP" and ip not in account.allowed_ips:
            rule = faults.active(operation, "ip_not_allowed")
            if rule is not None or account.ip_restricted:
                if rule is not None:
                    faults.use(rule)
                return f"The IP address of {ip} is not in the access list"
        return None


def summary(state: SandboxState, faults: Faults) -> dict:
    with state.lock:
        return {
            "suppliers": len(state.suppliers),
            "customers": len(state.customers),
            "receipts": len(state.receipts),
            "invoices": len(state.invoices),
            "payments": len(state.payments),
            "attachments": len(state.attachments),
            "allowed_ips": list(state.account.allowed_ips),
            "faults": faults.rules,
        }


class Sandbox:
    """A running stand-in. ``url`` is the SOAP endpoint; ``state`` and ``faults`` are live."""

    def __init__(self, state: SandboxState, host: str = "127.0.0.1", port: int = 0):
        self.state = state
        self.faults = Faults()
        self._server = SandboxHTTPServer((host, port), state, self.faults)
        self.host, self.port = self._server.server_address[:2]
        self._thread: threading.Thread | None = None
        self._serving = False

    @classmethod
    def start(
        cls,
        port: int = 0,
        host: str = "127.0.0.1",
        username: str = "demo",
        password: str = "demo",  # noqa: S107 - the stand-in's documented demo login
        autoauth_key: str | None = None,
        suppliers: int = 25,
        customers: int = 25,
        state_file: str | Path | None = None,
    ) -> Sandbox:
        """Build (or load from ``state_file``) the books and serve them on a background thread."""
        sandbox = cls(
            build_state(username, password, autoauth_key, suppliers, customers, state_file),
            host,
            port,
        )
        sandbox._thread = threading.Thread(
            target=sandbox._server.serve_forever, args=(0.05,), name="kashflow-sandbox", daemon=True
        )
        sandbox._thread.start()
        return sandbox

    @property
    def calls(self) -> list[str]:
        """Every operation received so far, in order."""
        return self._server.calls

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{PATH}"

    @property
    def wsdl_url(self) -> str:
        return self.url + "?wsdl"

    def serve_forever(self) -> None:
        """Serve in this thread until ``stop()`` or Ctrl-C."""
        self._serving = True
        try:
            self._server.serve_forever(0.05)
        finally:
            self._serving = False

    def stop(self) -> None:
        # shutdown() waits for serve_forever to finish, so only ask when one is running.
        if self._thread is not None and self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(5)
        elif self._serving:
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def build_state(username, password, autoauth_key, suppliers, customers, state_file):
    path = Path(state_file) if state_file else None
    if path is not None and path.exists():
        state = SandboxState.load(path)
        state.account.username, state.account.password = username, password
        state.account.autoauth_key = autoauth_key or state.account.autoauth_key
        return state
    state = SandboxState.seeded(
        suppliers, customers, username=username, password=password, autoauth_key=autoauth_key
    )
    state.path = path
    state.save()
    return state
