"""Our WSDL against KashFlow's own: same operations, actions, elements, order, types and
occurrence rules, recursively through every complex type we use."""

from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from kashflow.wsdl import OPERATIONS, render_wsdl

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
BINDING_NS = {
    "KashFlowAPISoap": "http://schemas.xmlsoap.org/wsdl/soap/",
    "KashFlowAPISoap12": "http://schemas.xmlsoap.org/wsdl/soap12/",
}
KASHFLOW_WSDL = Path(settings.BASE_DIR).parent / "shared" / "kashflow" / "service.wsdl"

pytestmark = pytest.mark.skipif(
    not KASHFLOW_WSDL.exists(),
    reason=f"KashFlow's WSDL is not at {KASHFLOW_WSDL} (shared/ is cloned beside the repo in CI)",
)


class Wsdl:
    """The parts of a WSDL the comparison needs, by name."""

    def __init__(self, root):
        schema = root.find(f"{{{WSDL}}}types/{{{XS}}}schema")
        self.elements = {e.get("name"): e for e in schema.findall(f"{{{XS}}}element")}
        self.types = {t.get("name"): t for t in schema.findall(f"{{{XS}}}complexType")}
        self.messages = {
            m.get("name"): m.find(f"{{{WSDL}}}part").get("element")
            for m in root.findall(f"{{{WSDL}}}message")
        }
        port_type = next(
            p for p in root.findall(f"{{{WSDL}}}portType") if p.get("name") == "KashFlowAPISoap"
        )
        self.operations = {
            op.get("name"): (
                op.find(f"{{{WSDL}}}input").get("message"),
                op.find(f"{{{WSDL}}}output").get("message"),
            )
            for op in port_type.findall(f"{{{WSDL}}}operation")
        }
        self.actions = {}
        for binding in root.findall(f"{{{WSDL}}}binding"):
            ns = BINDING_NS.get(binding.get("name"))
            if ns is None:
                continue
            for op in binding.findall(f"{{{WSDL}}}operation"):
                self.actions[(binding.get("name"), op.get("name"))] = op.find(
                    f"{{{ns}}}operation"
                ).get("soapAction")

    def fields(self, node) -> list[tuple]:
        """(name, type, minOccurs, maxOccurs, nillable) of each element in a sequence, in
        order; an xs:any shows up as ("<any>", ...)."""
        out = []
        for e in node.iter(f"{{{XS}}}element", f"{{{XS}}}any"):
            if e is node:
                continue
            out.append(
                (
                    e.get("name", "<any>"),
                    (e.get("type") or "").split(":")[-1],
                    e.get("minOccurs", "1"),
                    e.get("maxOccurs", "1"),
                    e.get("nillable", "false"),
                )
            )
        return out


@pytest.fixture(scope="module")
def theirs() -> Wsdl:
    return Wsdl(etree.parse(str(KASHFLOW_WSDL)).getroot())


@pytest.fixture(scope="module")
def ours() -> Wsdl:
    return Wsdl(etree.fromstring(render_wsdl()))


def _strip(qname: str) -> str:
    return qname.split(":")[-1]


def test_it_declares_every_operation_the_client_uses(ours):
    assert set(ours.operations) == set(OPERATIONS)
    assert len(OPERATIONS) == 31


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_it_matches_kashflows_operation(operation, ours, theirs):
    assert operation in theirs.operations, f"{operation} is not a KashFlow operation"
    for binding in BINDING_NS:
        assert ours.actions[(binding, operation)] == theirs.actions[(binding, operation)]
        assert ours.actions[(binding, operation)] == f"KashFlow/{operation}"
    for ours_message, theirs_message in zip(
        ours.operations[operation], theirs.operations[operation], strict=True
    ):
        ours_element = _strip(ours.messages[_strip(ours_message)])
        theirs_element = _strip(theirs.messages[_strip(theirs_message)])
        assert ours_element == theirs_element
        assert ours.fields(ours.elements[ours_element]) == theirs.fields(
            theirs.elements[theirs_element]
        ), f"{ours_element} differs from KashFlow's"


def _types_used(wsdl: Wsdl) -> set[str]:
    pending = [f[1] for element in wsdl.elements.values() for f in wsdl.fields(element)]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in wsdl.types:
            continue
        seen.add(name)
        pending.extend(f[1] for f in wsdl.fields(wsdl.types[name]))
    return seen


def test_it_matches_every_complex_type_it_uses_field_by_field(ours, theirs):
    used = _types_used(ours)
    assert {"Invoice", "InvoiceLine", "Supplier", "Customer", "ArrayOfAnyType"} <= used
    assert used == set(ours.types), "our WSDL declares a type no operation reaches"
    for name in sorted(used):
        assert name in theirs.types, f"{name} is not a KashFlow type"
        assert ours.fields(ours.types[name]) == theirs.fields(theirs.types[name]), name


def test_it_keeps_kashflows_namespace_and_service_names(ours):
    root = etree.fromstring(render_wsdl("http://example.test/api/service.asmx"))
    assert root.get("targetNamespace") == "KashFlow"
    schema = root.find(f"{{{WSDL}}}types/{{{XS}}}schema")
    assert schema.get("elementFormDefault") == "qualified"
    ports = root.findall(f"{{{WSDL}}}service/{{{WSDL}}}port")
    assert [p.get("name") for p in ports] == ["KashFlowAPISoap", "KashFlowAPISoap12"]
    assert {p[0].get("location") for p in ports} == {"http://example.test/api/service.asmx"}
