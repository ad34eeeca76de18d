"""Every object of one resource, cluster-wide, in pages (`limit` / `continue`)."""

from __future__ import annotations

from .catalogue import Target
from .http import ApiError, RawApi

PAGE_SIZE = 500
MAX_PAGES = 10_000  # a server that keeps answering `continue` must not loop forever


def list_path(target: Target, group_version: str) -> str:
    prefix = "/api/v1" if target.group == "" else f"/apis/{group_version}"
    return f"{prefix}/{target.plural}"


class ListIncomplete(ApiError):
    """A later page failed for good: `items` holds what the pages before it listed (the
    caller keeps them), `page` is the page that failed, `cause` its error."""

    def __init__(self, cause: ApiError, items: list[dict], page: int):
        super().__init__(cause.status, cause.reason, cause.path)
        self.cause, self.items, self.page = cause, items, page


def list_all(api: RawApi, target: Target, group_version: str, page_size: int = PAGE_SIZE) -> list[dict]:
    """All items. An expired `continue` token (410) restarts the list once from the start,
    as kubectl does. A first page that fails raises ApiError; a later one, ListIncomplete
    with the items listed before it."""
    path = list_path(target, group_version)
    for restart in (False, True):
        items: list[dict] = []
        token = ""
        page = 0
        try:
            for _ in range(MAX_PAGES):
                query = [("limit", str(page_size))] + ([("continue", token)] if token else [])
                page += 1
                doc = api.get(path, query)
                items.extend(i for i in doc.get("items") or [] if isinstance(i, dict))
                token = (doc.get("metadata") or {}).get("continue") or ""
                if not token:
                    return items
            raise ApiError(200, f"still paging after {MAX_PAGES} pages", path)
        except ApiError as e:
            if e.status == 410 and not restart:
                continue
            if page > 1:
                raise ListIncomplete(e, items, page) from None
            raise
    raise AssertionError("unreachable")  # pragma: no cover
