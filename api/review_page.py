"""The review web page: one HTML page and its assets, served from the repository.

Nothing is fetched from elsewhere (no CDN, no web fonts), and the Content-Security-Policy says
so to the browser: scripts, styles and API calls come from this origin only, and no inline
script can run even if some text ever slipped into the page as markup.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parent / "static" / "review"

_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    # The page is small and changes with the code: always revalidate (ETag) rather than
    # leave a reviewer on a stale script after an upgrade.
    "cache-control": "no-cache",
}

router = APIRouter(include_in_schema=False)


def _file(relative: str) -> FileResponse:
    path = (STATIC_DIR / relative).resolve()
    media_type = _MEDIA_TYPES.get(path.suffix)
    if media_type is None or not path.is_relative_to(STATIC_DIR) or not path.is_file():
        raise HTTPException(status_code=404, detail=f"no review asset {relative!r}")
    return FileResponse(path, media_type=media_type, headers=_HEADERS)


@router.get("/review")
async def review_page() -> FileResponse:
    """The review queue and atom view (the page calls /api/v2/review/...)."""
    return _file("index.html")


@router.get("/review/static/{asset:path}")
async def review_asset(asset: str) -> FileResponse:
    return _file(asset)
