"""顧客の取り込み by program: the partner page's preview and verification, as the LINE WORKS
Partner API's potential-customer endpoints.

Input is parsed with the page's own form and the checks are the page's service verbs, so the
page and the API cannot disagree; this module only translates HTTP to those verbs.
"""

from ninja import Query, Router, Schema, Status
from pydantic import Field

from accounts.models import Plan
from core.ratelimit import client_ip
from partners import services
from partners.forms import CustomerImportForm

from .errors import InvalidParameter
from .responses import ERRORS, documented
from .schemas import PotentialCustomer, TransferAccepted, TransferRequest

router = Router(tags=["potential-customers"])

PRODUCT_IDS = {Plan.FREE: "FR", Plan.STANDARD: "STD", Plan.ADVANCED: "ADV"}
# The page's form fields under the names the API uses for them.
FIELD_NAMES = {"domain": "domain", "code": "partnerCode"}


class CodeQuery(Schema):
    partnerCode: str = Field(description="The customer's partner code.")  # noqa: N815


def _customer_pair(*, domain: str, raw_code: str) -> tuple[str, str]:
    """The pair as the page's form reads it: 400 for what the page would reject as input."""
    form = CustomerImportForm({"domain": domain, "code": raw_code})
    if not form.is_valid():
        raise InvalidParameter(
            " ".join(
                f"{FIELD_NAMES.get(field, field)}: {message}"
                for field, messages in form.errors.items()
                for message in messages
            )
        )
    return form.cleaned_data["domain"], form.cleaned_data["code"]


def _attempt(request, *, domain: str, raw_code: str) -> dict:
    domain, code = _customer_pair(domain=domain, raw_code=raw_code)
    return {
        "partner": request.auth.partner,
        "staff": request.auth.staff,
        "domain": domain,
        "raw_code": code,
        "client_ip": client_ip(request),
        "api_app": request.auth.app.client_id if request.auth.app else None,
    }


@router.get(
    "/partners/potential-customers/{domain}",
    operation_id="getPotentialCustomer",
    summary="Preview a customer by domain and partner code",
    response={200: PotentialCustomer, **ERRORS},
    openapi_extra=documented(200, "The pair is right and the code can be verified."),
)
def potential_customer(request, domain: str, query: Query[CodeQuery]):
    """The 確認 of 顧客の取り込み: checks the pair and shows who the customer is; writes
    nothing but a failed attempt (which counts towards the rate limit)."""
    preview = services.code_preview(**_attempt(request, domain=domain, raw_code=query.partnerCode))
    group = preview.code.works_group
    return {
        "tenantId": group.pk,
        "domainId": group.pk,
        "domain": preview.domain,
        "productId": PRODUCT_IDS[preview.plan],
        "productIds": [PRODUCT_IDS[preview.plan]],
        "notHandledApps": preview.not_handled_apps,
    }


@router.post(
    "/partners/potential-customers/{domain}/transfer",
    operation_id="transferPotentialCustomer",
    summary="Verify a customer's partner code",
    response={202: TransferAccepted, **ERRORS},
    openapi_extra=documented(202, "Verified; the customer's approval is pending."),
)
def transfer(request, domain: str, payload: TransferRequest):
    """Confirming 顧客の取り込み: the first partner to verify a code wins and the code can never
    be used again. The customer's super admin is e-mailed to approve the switch."""
    verified = services.code_verify(
        **_attempt(request, domain=domain, raw_code=payload.partnerCode),
        show_profile=payload.enablePartnerProfileDisplay,
    )
    return Status(202, {"domain": verified.works_group.domain, "status": verified.status})
