from django.http import HttpResponse


def bench_floor(request):
    """A constant answer: what the middleware stack alone costs (routed only when BENCH is on).

    The stack still loads the session and the signed-in user, so requested with a session
    cookie this is the logged-in floor, without one the anonymous floor.
    """
    return HttpResponse(b"ok", content_type="text/plain")
