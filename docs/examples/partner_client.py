"""Sign in as an app's service account, list the partner's customers page by page, read one
and its subscription, and transfer (verify) a customer's partner code.

    pip install "pyjwt[crypto]" requests
    python partner_client.py credentials.json http://127.0.0.1:8000 DOMAIN PARTNER_CODE

credentials.json is what `manage.py create_api_app` prints (or the APIアプリ page shows).
"""

import json
import sys
import time

import jwt
import requests

app, base, domain, code = json.load(open(sys.argv[1])), *sys.argv[2:5]  # noqa: SIM115
now = int(time.time())
claims = {"iss": app["clientId"], "sub": app["serviceAccount"], "iat": now, "exp": now + 3600}
grant = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "scope": app["scope"]}
grant |= {"assertion": jwt.encode(claims, app["privateKey"], algorithm="RS256")}
grant |= {"client_id": app["clientId"], "client_secret": app["clientSecret"]}
token = requests.post(f"{base}/oauth2/v2.0/token", data=grant, timeout=10).json()["access_token"]
api, cursor, customers = requests.Session(), None, []
api.headers["Authorization"] = f"Bearer {token}"
while True:  # page by page: each answer's nextCursor asks for the next page, null at the end
    page = api.get(f"{base}/api/v1/partners/customers", params={"count": 2, "cursor": cursor})
    customers += page.json()["customers"]
    if not (cursor := page.json()["responseMetaData"]["nextCursor"]):
        break
print(len(customers), "customers:", ", ".join(c["companyName"] for c in customers))
one = f"{base}/api/v1/partners/customers/{customers[0]['domainId']}"
print(api.get(one).json()["companyName"], api.get(f"{one}/subscription").json()["productId"])
body = {"partnerCode": code, "enablePartnerProfileDisplay": True}
answer = api.post(f"{base}/api/v1/partners/potential-customers/{domain}/transfer", json=body)
print("transfer:", answer.status_code, answer.text)
