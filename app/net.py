"""Who the client is, as far as rate limits are concerned."""
from flask import current_app, request


def client_address() -> str:
    """The client's address, trusting X-Forwarded-For only for the configured number of proxies.

    With PROXY_COUNT=0 (the default) the header is ignored, so a forged one cannot reset a limit.
    """
    proxies = current_app.config.get("PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [p.strip() for p in request.headers.get("X-Forwarded-For", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.remote_addr or "unknown"
