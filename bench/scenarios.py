"""The page scenarios, shared by the load generator and the in-process timer, and the
partner API's read that the load generator drives the same way."""

# name: (path, whose session, text the page must contain)
PAGES = {
    "floor, anonymous": ("/bench/floor/", None, b"ok"),
    "floor, logged in": ("/bench/floor/", "console", b"ok"),
    "console home": ("/console/", "console", b"bench-console"),
    "company info": ("/console/settings/company/", "console", b'name="company_name"'),
    "wizard, step 2": ("/console/partner/contract/", "console", b'id="partner-code"'),
    "audit": ("/console/audit/", "console", "ログイン".encode()),
    "partner customers": ("/partner/", "staff", b'class="status status-'),
}

# name: (path, text the JSON must contain), called with the bench app's OAuth access token
# (bench/prepare.py): the first page at the default size of the bench partner's 5,000
# customers. "partnership" is in every customer of the list, so an empty page is an error.
API_CALLS = {
    "API customers": ("/api/v1/partners/customers", b'"partnership"'),
}


def cookie_header(state: dict, login: dict | None) -> dict:
    """The log-in a browser would send: the session and CSRF cookies, set once and for all.

    (Cookies the server sets, such as a message for the next page, are not sent back.)
    """
    if login is None:
        return {}
    return {
        "Cookie": f"{state['session_cookie']}={login['session']}; "
        f"{state['csrf_cookie']}={login['csrf']}"
    }
