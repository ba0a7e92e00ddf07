"""How a view reaches a business or a document: only through a membership, only with the role.

Each helper is named for what it guarantees. Outsiders get 404 (so a URL never confirms that a
business or a document exists); members whose role is too low get 403.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from capture.models import Document
from publisher.models import Membership
from publisher.tenancy import RoleRequired, get_membership, require_role


def membership_with_role(request, slug: str, role: str) -> Membership:
    """The user's membership of ``slug`` with ``role`` or above; 404 outsider, 403 lower role."""
    membership = get_membership(request.user, slug)
    try:
        require_role(membership, role)
    except RoleRequired as refusal:
        raise PermissionDenied(str(refusal)) from refusal
    return membership


def document_of_member(membership: Membership, pk: int) -> Document:
    """A document of the membership's business; 404 for any other business's document."""
    return get_object_or_404(
        Document.objects.select_related("business", "uploaded_by"),
        pk=pk,
        business=membership.business,
    )


def forbid_role_refusals(view):
    """Turn a ``RoleRequired`` raised by an action function into a 403, like the helpers do."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except RoleRequired as refusal:
            raise PermissionDenied(str(refusal)) from refusal

    return wrapped
