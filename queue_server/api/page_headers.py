"""One header policy for the pages the server shows to people, and one for their assets."""

from typing import Final

CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
"""Scripts, styles and connections from this server only, no inline code, never framed: a
page's own files are all it needs (websockets to the same host count as 'self')."""

PAGE_HEADERS: Final[dict[str, str]] = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}
"""A page's address may hold a token or a ticket's code: never cache it or pass it on as a
referrer; the page shows live data, so a stored copy would be wrong anyway."""

ASSET_HEADERS: Final[dict[str, str]] = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
}
"""Style sheets and scripts hold no data: cache them, but check for a new version."""
