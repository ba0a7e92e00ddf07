"""The few suppliers or customers whose names match what a reviewer types in the picker."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kashflow.models import Customer, Supplier
from publisher.forms import party_label
from publisher.models import Role
from publisher.views.access import membership_with_role

PARTY_MODELS = {"supplier": Supplier, "customer": Customer}
MATCHES_SHOWN = 20


@login_required
@require_GET
def parties(request, slug, party):
    membership = membership_with_role(request, slug, Role.BOOKKEEPER)
    model = PARTY_MODELS.get(party)
    if model is None:
        raise Http404("No such kind of party.")
    text = request.GET.get("q", "").strip()[:100]
    found = model.objects.active().filter(business=membership.business)
    if text:
        found = found.filter(Q(name__icontains=text) | Q(code__iexact=text))
    options = [(p.pk, party_label(p)) for p in found.order_by("name")[:MATCHES_SHOWN]]
    return render(request, "publisher/_party_options.html", {"options": options})
