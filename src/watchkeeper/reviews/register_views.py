"""The central register, its CSV exports and the overdue actions page: reads only."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from watchkeeper.accounts.roles import is_admin
from watchkeeper.reviews import queries, register, xlsx_export
from watchkeeper.reviews.forms import RegisterFilterForm


def filters_from(form: RegisterFilterForm) -> queries.RegisterFilters:
    """The filters a valid form asked for; an invalid field is ignored rather than hiding the whole register."""
    if not form.is_bound:
        return queries.RegisterFilters()
    form.is_valid()
    data: dict[str, Any] = {name: value for name, value in form.cleaned_data.items() if value}
    return queries.RegisterFilters(**data)


def _sort_links(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    """Column headings as links; following one sorts by it, following it again reverses the order."""
    kept = {name: value for name, value in request.GET.items() if name not in {"sort", "page"}}
    head: list[dict[str, Any]] = []
    for key, heading in register.COLUMNS:
        if key not in queries.SORTS:
            head.append({"text": heading})
            continue
        ascending = current == key
        wanted = f"-{key}" if ascending else key
        state = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
        href = "?" + urlencode({**kept, "sort": wanted})
        head.append(
            {
                "html": f'<a class="govuk-link" href="{escape(href)}">{escape(heading)}</a>',
                "attributes": {"aria-sort": state},
            }
        )
    return head


def register_page(request: HttpRequest) -> HttpResponse:
    form = RegisterFilterForm(request.GET or None)
    sort = request.GET.get("sort", queries.DEFAULT_SORT)
    found = queries.register(request.user, filters_from(form), sort)
    page, incidents = register.page_of(found, request.GET.get("page"))
    kept = {name: value for name, value in request.GET.items() if name != "page"}
    return render(
        request,
        "reviews/register.html",
        {
            "filter_form": form,
            "rows": [register.row(incident) for incident in incidents],
            "page": page,
            "head": _sort_links(request, sort),
            "query": urlencode(kept),
            "csv_query": urlencode({k: v for k, v in kept.items() if k != "sort"} | {"sort": sort}),
            "can_import": is_admin(request.user),
            "active_nav": "register",
        },
    )


def _csv_response(lines: Any, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_response(book: Any, filename: str) -> FileResponse:
    return FileResponse(book, as_attachment=True, filename=filename, content_type=xlsx_export.XLSX)


def _found(request: HttpRequest) -> Any:
    return queries.register(
        request.user, filters_from(RegisterFilterForm(request.GET)), request.GET.get("sort", queries.DEFAULT_SORT)
    )


def _actions_found(request: HttpRequest) -> Any:
    return queries.actions_for(request.user).order_by("incident__declared_at", "due_at", "id")


def register_csv(request: HttpRequest) -> StreamingHttpResponse:
    return _csv_response(
        register.register_csv(_found(request)), f"incident-register-{timezone.localdate():%Y-%m-%d}.csv"
    )


def register_xlsx(request: HttpRequest) -> FileResponse:
    book = xlsx_export.register_xlsx(_found(request))
    return _xlsx_response(book, f"incident-register-{timezone.localdate():%Y-%m-%d}.xlsx")


def actions_csv(request: HttpRequest) -> StreamingHttpResponse:
    lines = register.actions_csv(_actions_found(request))
    return _csv_response(lines, f"incident-actions-{timezone.localdate():%Y-%m-%d}.csv")


def actions_xlsx(request: HttpRequest) -> FileResponse:
    book = xlsx_export.actions_xlsx(_actions_found(request))
    return _xlsx_response(book, f"incident-actions-{timezone.localdate():%Y-%m-%d}.xlsx")


def overdue_actions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reviews/overdue.html",
        {"actions": queries.overdue_actions(request.user), "active_nav": "register"},
    )
