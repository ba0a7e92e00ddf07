"""Render our WSDL document from the spec, in the shape ASMX gives KashFlow's.

Document/literal wrapped: one ``<Op>`` request element and one ``<Op>Response`` element per
operation, messages ``<Op>SoapIn``/``<Op>SoapOut``, the port type ``KashFlowAPISoap``, and the
SOAP 1.1 and 1.2 bindings ``KashFlowAPISoap``/``KashFlowAPISoap12`` on one endpoint.
"""

from __future__ import annotations

from functools import cache

from lxml import etree

from .spec import (
    NAMESPACE,
    OPERATIONS,
    TYPES,
    Field,
    request_fields,
    response_fields,
    type_fields,
)

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
DEFAULT_ADDRESS = "https://securedwebapp.com/api/service.asmx"
NSMAP = {"wsdl": WSDL, "s": XS, "soap": SOAP11, "soap12": SOAP12, "tns": NAMESPACE}


def _sub(parent, ns: str, tag: str, **attrs: str):
    return etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)


def _sequence(parent, fields: tuple[Field, ...]) -> None:
    sequence = _sub(
        _sub(parent, XS, "complexType") if parent.tag.endswith("element") else parent,
        XS,
        "sequence",
    )
    for field in fields:
        attrs = {
            "minOccurs": str(field.min_occurs),
            "maxOccurs": "unbounded" if field.many else "1",
            "name": field.name,
        }
        if field.nillable:
            attrs["nillable"] = "true"
        if field.type != "anyType":
            attrs["type"] = f"{'s' if field.primitive else 'tns'}:{field.type}"
        _sub(sequence, XS, "element", **attrs)


def _build(address: str) -> etree._Element:
    root = etree.Element(f"{{{WSDL}}}definitions", nsmap=NSMAP, targetNamespace=NAMESPACE)
    schema = _sub(
        _sub(root, WSDL, "types"),
        XS,
        "schema",
        elementFormDefault="qualified",
        targetNamespace=NAMESPACE,
    )
    for op in OPERATIONS:
        _sequence(_sub(schema, XS, "element", name=op), request_fields(op))
        _sequence(_sub(schema, XS, "element", name=op + "Response"), response_fields(op))
    for type_name in TYPES:
        _sequence(_sub(schema, XS, "complexType", name=type_name), type_fields(type_name))

    for op in OPERATIONS:
        for suffix, element in (("SoapIn", op), ("SoapOut", op + "Response")):
            message = _sub(root, WSDL, "message", name=op + suffix)
            _sub(message, WSDL, "part", name="parameters", element=f"tns:{element}")

    port_type = _sub(root, WSDL, "portType", name="KashFlowAPISoap")
    for op in OPERATIONS:
        operation = _sub(port_type, WSDL, "operation", name=op)
        _sub(operation, WSDL, "input", message=f"tns:{op}SoapIn")
        _sub(operation, WSDL, "output", message=f"tns:{op}SoapOut")

    service = etree.Element(f"{{{WSDL}}}service", name="KashFlowAPI")
    for binding_name, ns in (("KashFlowAPISoap", SOAP11), ("KashFlowAPISoap12", SOAP12)):
        binding = _sub(root, WSDL, "binding", name=binding_name, type="tns:KashFlowAPISoap")
        _sub(binding, ns, "binding", transport="http://schemas.xmlsoap.org/soap/http")
        for op in OPERATIONS:
            operation = _sub(binding, WSDL, "operation", name=op)
            _sub(operation, ns, "operation", soapAction=f"{NAMESPACE}/{op}", style="document")
            for direction in ("input", "output"):
                _sub(_sub(operation, WSDL, direction), ns, "body", use="literal")
        port = _sub(service, WSDL, "port", name=binding_name, binding=f"tns:{binding_name}")
        _sub(port, ns, "address", location=address)
    root.append(service)
    return root


@cache
def render_wsdl(address: str = DEFAULT_ADDRESS) -> bytes:
    """Our WSDL as bytes, with both ports' ``soap:address`` set to ``address``."""
    return etree.tostring(
        _build(address), xml_declaration=True, encoding="utf-8", pretty_print=True
    )
