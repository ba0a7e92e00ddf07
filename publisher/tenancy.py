"""Which businesses a request may see, and what the user may do in each.

Every view and job reaches a business or a document through these helpers, so a user can never
touch a business they are not a member of, whatever id they put in a URL.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject

from publisher.models import Business, Membership, Role


class RoleRequired(Exception):
    """The user belongs to the business but their role does not allow the action."""

    def __init__(self, role: str):
        super().__init__(f"This needs the {Role(role).label} role or above.")
        self.role = role


def get_membership(user, slug: str) -> Membership:
    """The user's membership of the business ``slug``; 404 for outsiders (no existence leak)."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Membership.objects.select_related("business"), user=user, business__slug=slug
    )


def require_role(membership: Membership, role: str) -> None:
    if not membership.allows(role):
        raise RoleRequired(role)


def businesses_for(user):
    if not user.is_authenticated:
        return Business.objects.none()
    return Business.objects.filter(memberships__user=user).order_by("name")


class CurrentBusinessMiddleware:
    """Remembers the last business a user opened so the home page can take them back to it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("slug")
        # Written only when it changes: a session write on every request costs queries.
        if slug and request.user.is_authenticated and request.session.get("business_slug") != slug:
            request.session["business_slug"] = slug
        return None


def business_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context = {"my_businesses": businesses_for(user)}
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug") if match else None
    if slug:
        # For pages whose view does not pass its membership (the nav shows role-dependent
        # links). Lazy, so views that do pass one never pay for this query.
        context["membership"] = SimpleLazyObject(
            lambda: (
                Membership.objects.select_related("business")
                .filter(user=user, business__slug=slug)
                .first()
            )
        )
    return context
