from .servers import oidc_provider, slapd  # noqa: F401  # session-scoped real servers
