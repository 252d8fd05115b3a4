"""The API's authentication: a bearer API token for integrations, the session for the browser."""

from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, SessionAuth

from .tokens import authenticate


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer xc_…`. Sets request.user to the token's service account. A bearer token
    that fails is a 401 at once: the request does not fall back to a session cookie it may also carry."""

    def authenticate(self, request, token):
        user = authenticate(token)
        if user is None:
            raise AuthenticationError()
        request.user = user
        return user


token_auth = ApiTokenAuth()


def _json_only(request, user):
    """A write's body is JSON: a form or multipart body is a clean 415, never a 500 (a middleware may
    already have consumed a multipart stream before the JSON body is parsed)."""
    if user and request.content_type != "application/json":
        raise HttpError(415, "application/json required")
    return user


class JsonTokenAuth(ApiTokenAuth):
    def __call__(self, request):
        return _json_only(request, super().__call__(request))


class JsonSessionAuth(SessionAuth):
    def __call__(self, request):
        if not request.user.is_authenticated:  # 401 before the CSRF check's 403
            return None
        return _json_only(request, super().__call__(request))


# The API's write operations: a token or the session, with a JSON body.
json_write_auth = [JsonTokenAuth(), JsonSessionAuth()]
