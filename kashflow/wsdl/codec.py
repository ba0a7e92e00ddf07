"""Spec-driven conversion between KashFlow XML and plain Python values.

Records are dicts keyed by KashFlow's element names, holding ``str``, ``int``, ``Decimal``,
``bool``, ``datetime``, ``None``, nested dicts and lists. An ``ArrayOfAnyType`` item carries its
``xsi:type`` name under the key ``"@type"``.

Both the stand-in (requests in, responses out) and the client (responses in) use it. It writes
with string joins and reads with one pass over lxml children, because ``GetSuppliers`` with
tens of thousands of suppliers must stay quick on both sides; zeep's own deserialiser takes
several times as long on such a list.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from xml.sax.saxutils import escape

from lxml import etree

from .spec import NAMESPACE, Field, response_fields, type_fields

XSI = "http://www.w3.org/2001/XMLSchema-instance"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
NIL = f"{{{XSI}}}nil"
XSI_TYPE = f"{{{XSI}}}type"
EMPTY_DATE = "0001-01-01T00:00:00"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class DecodeError(ValueError):
    """A value in a SOAP message does not fit its declared type."""


class NotSoap(DecodeError):
    """The message is not a SOAP envelope with something in its Body."""


# ---------------------------------------------------------------- writing


def _format_date_time(value) -> str:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat()
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00"
    return escape(str(value))


FORMATTERS = {
    "string": lambda value: escape(str(value)),
    "int": lambda value: str(int(value)),
    "integer": lambda value: str(int(value)),
    "decimal": lambda value: format(Decimal(value), "f"),
    "boolean": lambda value: "true" if value else "false",
    "dateTime": _format_date_time,
}
# What ASMX writes for a value-type element whose value is unset.
_DEFAULTS = {"int": "0", "integer": "0", "decimal": "0", "boolean": "false", "dateTime": EMPTY_DATE}


def format_value(kind: str, value) -> str:
    return FORMATTERS[kind](value)


@cache
def _plan(fields: tuple[Field, ...]) -> list[tuple]:
    # Worked out once per type: tags, the formatter of a plain value, and what an unset field
    # becomes (nil, .NET's default, or nothing).
    plan = []
    for f in fields:
        formatter = FORMATTERS.get(f.type) if f.primitive else None
        if f.many:
            unset = ""
        elif f.nillable:
            unset = f'<{f.name} xsi:nil="true" />'
        elif f.min_occurs and f.type in _DEFAULTS:
            unset = f"<{f.name}>{_DEFAULTS[f.type]}</{f.name}>"
        else:
            unset = ""
        plan.append((f, formatter, f"<{f.name}>", f"</{f.name}>", unset))
    return plan


def write_fields(fields: tuple[Field, ...], data: dict, out: list[str]) -> None:
    """Append the XML of ``data``'s fields to ``out``, in the spec's order."""
    append = out.append
    for field, formatter, open_tag, close_tag, unset in _plan(fields):
        value = data.get(field.name)
        if value is None:
            if unset:
                append(unset)
        elif field.many:
            for item in value:
                write_element(field, item, out)
        elif formatter is not None:
            append(open_tag + formatter(value) + close_tag)
        else:
            write_element(field, value, out)


def write_element(field: Field, value, out: list[str]) -> None:
    name = field.name
    if value is None:
        out.append(f'<{name} xsi:nil="true" />')
    elif field.type == "anyType":
        kind = value["@type"]
        out.append(f'<{name} xsi:type="{kind}">')
        write_fields(type_fields(kind), value, out)
        out.append(f"</{name}>")
    elif field.primitive:
        out.append(f"<{name}>{format_value(field.type, value)}</{name}>")
    else:
        out.append(f"<{name}>")
        write_fields(type_fields(field.type), value, out)
        out.append(f"</{name}>")


def _envelope(soap12: bool, body: str) -> bytes:
    env = SOAP12_ENV if soap12 else SOAP11_ENV
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{env}" xmlns:xsi="{XSI}" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        f"<soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


def response_envelope(operation: str, data: dict, soap12: bool = False) -> bytes:
    out = [f'<{operation}Response xmlns="{NAMESPACE}">']
    write_fields(response_fields(operation), data, out)
    out.append(f"</{operation}Response>")
    return _envelope(soap12, "".join(out))


def fault_envelope(message: str, soap12: bool = False, client_fault: bool = True) -> bytes:
    """An ASMX-style fault: soap:Client for a request we could not read, else soap:Server."""
    if soap12:
        code = "soap:Sender" if client_fault else "soap:Receiver"
        body = (
            f"<soap:Fault><soap:Code><soap:Value>{code}</soap:Value></soap:Code>"
            f'<soap:Reason><soap:Text xml:lang="en">{escape(message)}</soap:Text></soap:Reason>'
            "<soap:Detail /></soap:Fault>"
        )
    else:
        code = "soap:Client" if client_fault else "soap:Server"
        body = (
            f"<soap:Fault><faultcode>{code}</faultcode>"
            f"<faultstring>{escape(message)}</faultstring><detail /></soap:Fault>"
        )
    return _envelope(soap12, body)


# ---------------------------------------------------------------- reading


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _date_time(text: str | None):
    text = (text or "").strip()
    if not text or text.startswith("0001-01-01"):
        return None  # .NET's DateTime.MinValue: KashFlow's way of saying "no date"
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


READERS = {
    "string": lambda text: text or "",
    "int": lambda text: int(text) if text else 0,
    "integer": lambda text: int(text) if text else 0,
    "decimal": lambda text: Decimal(text) if text else Decimal(0),
    "boolean": lambda text: (text or "").strip().lower() in ("true", "1"),
    "dateTime": _date_time,
}


def parse_value(kind: str, text: str | None):
    try:
        return READERS[kind](text)
    except (ValueError, ArithmeticError) as exc:
        raise DecodeError(f"{(text or '')[:40]!r} is not a valid {kind}") from exc
    except KeyError:
        raise DecodeError(f"cannot read a {kind}") from None


@cache
def _table(fields: tuple[Field, ...]) -> dict[str, tuple[Field, object]]:
    # Keyed by the tag as lxml gives it, qualified or not, so one dict look-up finds a field
    # and, for a plain value, the function that reads its text.
    table = {}
    for f in fields:
        reader = READERS.get(f.type) if f.primitive else None
        table[f"{{{NAMESPACE}}}{f.name}"] = table[f.name] = (f, reader)
    return table


def read_fields(fields: tuple[Field, ...], element) -> dict:
    """Read ``element``'s children into a dict, by the spec's fields (unknown ones ignored)."""
    table = _table(fields)
    data: dict = {f.name: [] for f in fields if f.many}
    for child in element:
        entry = table.get(child.tag)  # comments have a function for a tag: never found
        if entry is None:
            continue
        field, reader = entry
        try:
            if reader is not None and child.get(NIL) is None:
                value = reader(child.text)
            else:
                value = read_element(field, child)
        except (ValueError, ArithmeticError) as exc:
            if isinstance(exc, DecodeError):
                raise
            raise DecodeError(f"{field.name}: {(child.text or '')[:40]!r} is not a valid "
                              f"{field.type}") from exc  # fmt: skip
        if field.many:
            data[field.name].append(value)
        else:
            data[field.name] = value
    return data


def read_element(field: Field, element):
    if element.get(NIL) in ("true", "1"):
        return None
    if field.type == "anyType":
        declared = element.get(XSI_TYPE)
        if not declared:
            raise DecodeError(f"{field.name} item has no xsi:type")
        kind = declared.rpartition(":")[2]
        try:
            fields = type_fields(kind)
        except KeyError:
            raise DecodeError(f"unknown xsi:type {declared!r}") from None
        item = read_fields(fields, element)
        item["@type"] = kind
        return item
    if field.primitive:
        return parse_value(field.type, element.text)
    return read_fields(type_fields(field.type), element)


def soap_body(root) -> tuple[bool, object]:
    """(is SOAP 1.2, first element in the Body) of a parsed envelope."""
    for env, soap12 in ((SOAP11_ENV, False), (SOAP12_ENV, True)):
        if root.tag == f"{{{env}}}Envelope":
            body = root.find(f"{{{env}}}Body")
            if body is None:
                raise NotSoap("the envelope has no Body")
            first = next((c for c in body if isinstance(c.tag, str)), None)
            if first is None:
                raise NotSoap("the Body is empty")
            return soap12, first
    raise NotSoap("not a SOAP envelope")


def read_response(content: bytes, fields: tuple[Field, ...]) -> tuple[object, dict | None]:
    """(first Body element, its decoded fields) of a response; the fields are None for a Fault.

    Array items (``ArrayOfSupplier/Supplier`` …) are decoded as the parser reaches the end of
    each one and their XML is dropped at once, so a 20,000-supplier answer never sits in memory
    as a whole tree beside its decoded records.
    """
    streamed: dict[str, tuple[Field, Field]] = {}
    for outer in fields:
        if not outer.primitive and outer.type.startswith("ArrayOf"):
            for inner in type_fields(outer.type):
                if inner.many:
                    streamed[f"{{{NAMESPACE}}}{inner.name}"] = (outer, inner)
    if not streamed:
        soap12, first = soap_body(etree.fromstring(content, PARSER))
        return first, None if first.tag.endswith("}Fault") else read_fields(fields, first)
    items: dict[Field, list] = {}
    context = etree.iterparse(
        BytesIO(content), events=("end",), tag=list(streamed), resolve_entities=False,
        no_network=True, huge_tree=True,
    )  # fmt: skip
    for _event, element in context:
        parent = element.getparent()
        outer, inner = streamed[element.tag]
        if parent is None or parent.tag != f"{{{NAMESPACE}}}{outer.name}":
            continue  # an element of the same name deeper down: read with its record
        items.setdefault(outer, []).append(read_element(inner, element))
        element.clear(keep_tail=False)
        while element.getprevious() is not None:
            del parent[0]
    soap12, first = soap_body(context.root)
    if first.tag.endswith("}Fault"):
        return first, None
    data = read_fields(fields, first)
    for outer, records in items.items():
        inner = next(f for f in type_fields(outer.type) if f.many)
        data[outer.name] = (data.get(outer.name) or {}) | {inner.name: records}
    return first, data


def local_name(element) -> str:
    return _local(element.tag)
