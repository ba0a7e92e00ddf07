"""Faults the stand-in can inject, for the whole account or one operation, for N calls or until
cleared.

Kinds:

* ``wrong_password``  – every matching call is refused as a bad username or password;
* ``api_disabled``    – refused as if the SOAP API were switched off (``text`` sets the wording);
* ``ip_not_allowed``  – refused unless the caller's IP is on the account's allow-list, which a
  successful ``AutoAuthIP`` with the right key fills (so AutoAuth cures it);
* ``latency``         – the answer is held back ``seconds``;
* ``http_500``        – an HTML HTTP 500, as a broken proxy or server gives;
* ``soap_fault``      – HTTP 500 with a soap:Server fault, as ASMX gives on an exception;
* ``drop_after_write``– the call is carried out and committed, then the connection is closed
  without an answer (the case that makes a write's outcome unknown);
* ``zero_result``     – the call is answered ``Status`` = ``OK`` with a zero result, as some
  refused inserts read (nothing is stored).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

KINDS = (
    "wrong_password",
    "api_disabled",
    "ip_not_allowed",
    "latency",
    "http_500",
    "soap_fault",
    "drop_after_write",
    "zero_result",
)


@dataclass
class FaultRule:
    kind: str
    operation: str | None = None  # None: every operation
    times: int | None = None  # None: until cleared
    seconds: float = 0.0
    text: str = ""

    def matches(self, operation: str) -> bool:
        return self.operation in (None, operation) and (self.times is None or self.times > 0)


class Faults:
    def __init__(self):
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(
        self,
        kind: str,
        operation: str | None = None,
        times: int | None = None,
        seconds: float = 0.0,
        text: str = "",
    ) -> FaultRule:
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose from {', '.join(KINDS)}")
        rule = FaultRule(kind, operation, times, seconds, text)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[dict]:
        with self._lock:
            return [asdict(r) for r in self._rules]

    def active(self, operation: str, kind: str) -> FaultRule | None:
        """The first live rule of ``kind`` for ``operation``, without using it up."""
        with self._lock:
            return next((r for r in self._rules if r.kind == kind and r.matches(operation)), None)

    def use(self, rule: FaultRule) -> None:
        """Count one firing of a rule limited to N calls."""
        with self._lock:
            if rule.times is not None:
                rule.times -= 1
                if rule.times <= 0 and rule in self._rules:
                    self._rules.remove(rule)

    def fire(self, operation: str, kind: str) -> FaultRule | None:
        rule = self.active(operation, kind)
        if rule is not None:
            self.use(rule)
        return rule


def parse_fault_spec(spec: str) -> dict:
    """``kind[:operation[:times]]`` from the command line, e.g. ``http_500:GetSuppliers:2``."""
    kind, _, rest = spec.partition(":")
    operation, _, times = rest.partition(":")
    return {"kind": kind, "operation": operation or None, "times": int(times) if times else None}
