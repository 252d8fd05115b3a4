"""The API's authentication: a bearer API token for integrations, the session for the browser."""

from ninja.security import HttpBearer

from .tokens import authenticate


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer xc_…`. Sets request.user to the token's service account."""

    def authenticate(self, request, token):
        user = authenticate(token)
        if user is not None:
            request.user = user
        return user


token_auth = ApiTokenAuth()
