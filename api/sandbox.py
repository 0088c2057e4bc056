"""The sandbox by program: a partner's system makes a fresh sandbox customer for each run of
its integration tests, resets or deletes it, and moves its code to the end of its validity or
of its approval window. Every endpoint acts as the token's staff member, on that partner's own
sandbox customers only (another partner's is a 404, as an unknown domain is).

With SANDBOX off these paths do not exist (api/urls.py answers 404 before any of this runs,
and the document leaves them out).
"""

from ninja import Router, Status

from sandbox import selectors, services
from sandbox.services import Via

from .potential_customers import PRODUCT_IDS
from .responses import ERROR_MEANINGS, documented, errors_of
from .schemas import (
    SandboxCodeMoved,
    SandboxCustomerCreated,
    SandboxCustomerRequest,
    SandboxCustomerReset,
)

router = Router(tags=["sandbox"])

# No body (or `{}`) asks for every default.
DEFAULT_REQUEST = SandboxCustomerRequest()
PLANS = {product_id: plan for plan, product_id in PRODUCT_IDS.items()}
CREATE_ERRORS = {
    400: "The body is not a JSON object, or a field is of the wrong type or out of range.",
    401: ERROR_MEANINGS[401],
    403: "The partner is inactive.",
    405: ERROR_MEANINGS[405],
    409: "The partner already has as many live sandbox customers as allowed "
    "(SANDBOX_CUSTOMER_LIMIT, 100 by default): delete one first.",
    500: ERROR_MEANINGS[500],
}
CUSTOMER_ERRORS = {
    401: ERROR_MEANINGS[401],
    403: "The partner is inactive.",
    404: "The partner has no sandbox customer with this domain (another partner's, or a tenant "
    "that is not a sandbox customer, reads the same).",
    405: ERROR_MEANINGS[405],
    500: ERROR_MEANINGS[500],
}
CONFLICTS = {
    "reset": "The tenant is no longer a sandbox tenant (an operator took the flag off).",
    "expire": "There is no unverified open code to expire (none issued, or a partner has "
    "verified it, or it has already expired).",
    "lapse": "There is no verified code waiting for approval.",
}


def _errors(conflict: str) -> dict[int, str]:
    return {**CUSTOMER_ERRORS, 409: CONFLICTS[conflict]}


def _customer(request, domain: str):
    return selectors.sandbox_customer_get(partner=request.auth.partner, domain=domain)


@router.post(
    "/sandbox/customers",
    operation_id="createSandboxCustomer",
    summary="Create a sandbox customer",
    response={201: SandboxCustomerCreated, **errors_of(CREATE_ERRORS)},
    openapi_extra=documented(
        201, "Created; the password is in this answer only.", errors=CREATE_ERRORS
    ),
)
def create(request, payload: SandboxCustomerRequest = DEFAULT_REQUEST):
    """A new sandbox works group (unique domain, complete company info) with a super admin
    whose generated password is shown once, on the plan and seats asked for (by default FR
    and 10), and, unless `issueCode` is false, a partner code already issued. The body is
    optional."""
    created = services.sandbox_customer_create(
        partner=request.auth.partner,
        by=request.auth.staff,
        plan=PLANS[payload.productId],
        seats=payload.seats,
        issue_code=payload.issueCode,
        via=Via.API,
    )
    group = created.customer.works_group
    return Status(
        201,
        {
            "domain": group.domain,
            "domainId": group.pk,
            "companyName": group.company_info.company_name,
            "adminEmail": created.admin_email,
            "adminPassword": created.admin_password,
            "partnerCode": created.code.code if created.code else None,
        },
    )


@router.post(
    "/sandbox/customers/{domain}/reset",
    operation_id="resetSandboxCustomer",
    summary="Reset a sandbox customer to its starting state",
    response={200: SandboxCustomerReset, **errors_of(_errors("reset"))},
    openapi_extra=documented(
        200,
        "Reset; codes, contract, e-mails and the flow's audit rows are gone.",
        errors=_errors("reset"),
    ),
)
def reset(request, domain: str):
    """Back to how it was created: its codes, contract and outbox rows are removed, the
    channel is direct again, company info and the admin log-in are as they were, and a
    customer created with a code gets a fresh one."""
    customer = _customer(request, domain)
    code = services.sandbox_tenant_reset(
        works_group=customer.works_group, by=request.auth.staff, via=Via.API
    )
    return {"domain": customer.works_group.domain, "partnerCode": code.code if code else None}


@router.delete(
    "/sandbox/customers/{domain}",
    operation_id="deleteSandboxCustomer",
    summary="Delete a sandbox customer",
    response={204: None, **errors_of(CUSTOMER_ERRORS)},
    openapi_extra=documented(204, "Deleted, with everything of it.", errors=CUSTOMER_ERRORS),
)
def delete(request, domain: str):
    customer = _customer(request, domain)
    services.sandbox_customer_delete(
        works_group=customer.works_group, by=request.auth.staff, via=Via.API
    )
    return Status(204, None)


@router.post(
    "/sandbox/customers/{domain}/expire-code",
    operation_id="expireSandboxCustomerCode",
    summary="Make the customer's unverified code expire now",
    response={200: SandboxCodeMoved, **errors_of(_errors("expire"))},
    openapi_extra=documented(
        200,
        "The code's validity ended now; a transfer with it answers 409 CODE_EXPIRED.",
        errors=_errors("expire"),
    ),
)
def expire_code(request, domain: str):
    """「有効期限切れにする」: the stored end of the code's validity moves to now, and the
    expiry is recorded as the periodic job records it."""
    customer = _customer(request, domain)
    code = services.sandbox_code_expire(
        works_group=customer.works_group, by=request.auth.staff, via=Via.API
    )
    return {"domain": customer.works_group.domain, "status": code.status}


@router.post(
    "/sandbox/customers/{domain}/lapse-code",
    operation_id="lapseSandboxCustomerCode",
    summary="Close the verified code's approval window now",
    response={200: SandboxCodeMoved, **errors_of(_errors("lapse"))},
    openapi_extra=documented(
        200,
        "The approval window closed now; the lapse e-mails are queued.",
        errors=_errors("lapse"),
    ),
)
def lapse_code(request, domain: str):
    """「承認期限切れにする」: the stored approval deadline moves to now; the lapse is recorded
    and both sides are e-mailed, as when the 30 days are over."""
    customer = _customer(request, domain)
    code = services.sandbox_code_lapse(
        works_group=customer.works_group, by=request.auth.staff, via=Via.API
    )
    return {"domain": customer.works_group.domain, "status": code.status}
