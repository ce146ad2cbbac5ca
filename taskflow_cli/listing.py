"""Lists of tasks, users or notifications: one page or all of them, in any output format."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from taskflow_cli.client import ApiClient, Params
    from taskflow_cli.output import Output, TableData

    Json = dict[str, Any]


class Listing:
    """The items fetched, and the first page's metadata (for the footer)."""

    __slots__ = ("complete", "items", "meta")

    def __init__(self, *, items: list[Json], meta: Json, complete: bool) -> None:
        self.items = items
        self.meta = meta
        self.complete = complete


def fetch(
    client: ApiClient, path: str, query: Params, *, every_page: bool, out: Output, noun: str
) -> Listing:
    """One page of `path`, or every page (with a progress bar when there are several)."""
    if not every_page:
        page = client.page(path, query)
        return Listing(items=list(page["data"]), meta=page["meta"], complete=False)
    pages = client.pages(path, query)
    first = next(pages)
    items = list(first["data"])
    total = first["meta"].get("total")
    if total is None or total <= len(items):
        return Listing(items=items, meta=first["meta"], complete=True)
    with out.progress(f"Fetching {noun}", total) as bar:
        bar.advance(len(items))
        for page in pages:
            items.extend(page["data"])
            bar.advance(len(page["data"]))
    return Listing(items=items, meta=first["meta"], complete=True)


def show(
    out: Output,
    listing: Listing,
    *,
    fields: tuple[str, ...],
    table: Callable[[list[Json]], TableData],
    noun: str,
) -> None:
    """Print the items as JSON (a list), CSV or a table with a footer on stderr."""
    if out.format == "json":
        out.json(listing.items)
        return
    if out.format == "csv":
        out.csv(listing.items, list(fields))
        return
    if not listing.items:
        out.note(f"No {noun}.")
        return
    out.table(table(listing.items))
    out.note(_footer(listing, noun))


def _footer(listing: Listing, noun: str) -> str:
    meta = listing.meta
    total = meta.get("total")
    if listing.complete or total is None or (meta.get("totalPages") or 1) == 1:
        return f"{_count(len(listing.items), noun)}."
    page, pages = meta.get("page") or 1, meta.get("totalPages") or 1
    footer = f"Page {page} of {pages} ({_count(total, noun)})."
    if page < pages:
        footer += f" Next: --page {page + 1}, or --all for every page."
    return footer


def _count(count: int, noun: str) -> str:
    return f"{count} {noun.removesuffix('s') if count == 1 else noun}"
