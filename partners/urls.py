from django.urls import path

from .views import partner, tokens, wizard

app_name = "partners"

urlpatterns = [
    path("console/partner/contract/", wizard.contract, name="contract"),
    path("console/partner/contract/status/", wizard.contract_status, name="contract-status"),
    path("console/partner/contract/issue/", wizard.contract_issue, name="contract-issue"),
    path("console/partner/contract/reissue/", wizard.contract_reissue, name="contract-reissue"),
    path("console/partner/contract/cancel/", wizard.contract_cancel, name="contract-cancel"),
    path("console/partner/contract/decline/", wizard.contract_decline, name="contract-decline"),
    path("console/partner/contract/approve/", wizard.contract_approve, name="contract-approve"),
    path("console/partner/contract/company/", wizard.contract_company, name="contract-company"),
    path("console/partner/contract/confirm/", wizard.contract_confirm, name="contract-confirm"),
    path("console/partner/contract/complete/", wizard.contract_complete, name="contract-complete"),
    path("console/partner/search/", wizard.partner_search, name="search"),
    path("partner/", partner.customers, name="customers"),
    path("partner/customers/import/", partner.customer_import, name="customer-import"),
    path("partner/tokens/", tokens.token_list, name="tokens"),
    path("partner/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
]
