"""パートナー > パートナーとの契約: the customer's four-step wizard, and パートナー検索."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.decorators import customer_required
from accounts.selectors import company_info_is_complete
from accounts.services import company_info_update
from core.ratelimit import client_ip

from .. import errors, selectors, services
from ..forms import CompanyGateForm, IssueCodeForm, SearchForm

PARTNERS_PAGE_SIZE = 20


def _transition(request, verb, *, success: str = "", **kwargs):
    """Run one service verb for the signed-in customer; say `success` when it went through,
    turn a refusal into a message (or a 403 for an admin). Returns the verb's result or None."""
    try:
        result = verb(works_group=request.user.works_group, by=request.user, **kwargs)
    except errors.NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.FlowError as exc:
        messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return result


@customer_required
@never_cache
def contract(request, *, confirm: bool = False):
    group = request.user.works_group
    now = timezone.now()
    state = selectors.wizard_state_get(works_group=group, now=now)
    picked = IssueCodeForm(request.GET)
    context = {
        "state": state,
        "step_template": f"partners/_step{state.step}.html",
        "intended_partner": picked.cleaned_data["partner"] if picked.is_valid() else None,
        "can_act": request.user.is_super_admin,
        "company_info_complete": company_info_is_complete(request.user),
        "confirm": confirm and state.step == 3,
    }
    if state.step == 3:
        context["settlement"] = selectors.settlement_get(works_group=group, now=now)
    return render(request, "partners/contract.html", context)


@customer_required
@never_cache
def contract_status(request):
    """Polled by step 2 so the page moves on when a partner verifies."""
    state = selectors.wizard_state_get(works_group=request.user.works_group, now=timezone.now())
    return JsonResponse({"step": state.step})


@customer_required
@require_POST
def contract_issue(request):
    form = IssueCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("指定したパートナーは選択できません。"))
        return redirect("partners:contract")
    _transition(request, services.code_issue, intended_partner=form.cleaned_data["partner"])
    return redirect("partners:contract")


@customer_required
@require_POST
def contract_reissue(request):
    success = _("パートナーコードを再発行しました。以前のコードは使えません。")
    _transition(request, services.code_reissue, success=success)
    return redirect("partners:contract")


@customer_required
@require_POST
def contract_cancel(request):
    _transition(request, services.code_cancel, success=_("パートナーコードを取り消しました。"))
    return redirect("partners:contract")


@customer_required
@require_POST
def contract_decline(request):
    success = _("パートナーによるコード認証を拒否しました。パートナーにはメールで通知されます。")
    _transition(request, services.code_decline, success=success)
    return redirect("partners:contract")


@customer_required
@require_POST
def contract_approve(request):
    """承認: on to the company-info gate when info is missing, else to the confirmation."""
    if _transition(request, services.code_approval_check) is None:
        return redirect("partners:contract")
    if not company_info_is_complete(request.user):
        return redirect("partners:contract-company")
    return redirect("partners:contract-confirm")


@customer_required
@never_cache
@sensitive_post_parameters("current_password")
def contract_company(request):
    """「パートナー連携を行うには、会社情報の入力が必要です。」"""
    group = request.user.works_group
    if not request.user.is_super_admin:
        raise PermissionDenied
    state = selectors.wizard_state_get(works_group=group, now=timezone.now())
    if state.step != 3:
        return redirect("partners:contract")
    info = group.company_info
    form = CompanyGateForm(
        request.POST or None,
        admin=request.user,
        initial={
            "group_name": info.group_name,
            "company_name": info.company_name,
            "phone": info.phone,
            "admin_email": request.user.email,
        },
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        admin_email = values.pop("admin_email")
        current_password = values.pop("current_password")
        try:
            company_info_update(
                works_group=group,
                by=request.user,
                values=values,
                admin_email=admin_email,
                current_password=current_password,
                client_ip=client_ip(request),
            )
        except errors.FlowError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("partners:contract-confirm")
    return render(request, "partners/contract_company.html", {"form": form, "state": state})


@customer_required
@never_cache
def contract_confirm(request):
    """「パートナー契約への切り替えを完了しますが、よろしいですか？」 without JavaScript too."""
    if not request.user.is_super_admin:
        raise PermissionDenied
    if not company_info_is_complete(request.user):
        return redirect("partners:contract-company")
    return contract(request, confirm=True)


@customer_required
@require_POST
def contract_complete(request):
    success = _("パートナー契約への切り替えが完了しました。")
    _transition(request, services.contract_complete, success=success)
    return redirect("partners:contract")


@customer_required
def partner_search(request):
    """パートナー検索: active partners and their public profiles."""
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.partner_list(query=query), PARTNERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    state = selectors.wizard_state_get(works_group=request.user.works_group, now=timezone.now())
    return render(
        request,
        "partners/search.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "can_issue": request.user.is_super_admin and state.step == 1,
        },
    )
