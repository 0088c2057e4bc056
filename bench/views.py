from django.http import HttpResponse


def floor(request):
    """A constant answer: what the middleware stack alone costs.

    The stack still loads the session and the signed-in user, so requested with a session
    cookie this is the logged-in floor, without one the anonymous floor.
    """
    return HttpResponse(b"ok", content_type="text/plain")
