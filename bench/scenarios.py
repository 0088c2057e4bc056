"""The page scenarios, shared by the load generator and the in-process timer."""

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
