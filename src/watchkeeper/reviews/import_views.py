"""The page that brings past incidents in from a register spreadsheet: admins only, check first, then import."""

from __future__ import annotations

import io
from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from watchkeeper.accounts.roles import is_admin
from watchkeeper.reviews import importer
from watchkeeper.reviews.forms import ImportForm

SHOWN_ERRORS = 100  # past this the summary stops helping; the count says how many more


def import_register(request: HttpRequest) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied("Only admins can import incidents")
    form = ImportForm(request.POST or None, request.FILES or None)
    preview: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        dry_run = request.POST.get("action") != "import"
        text = io.StringIO(form.cleaned_data["file"], newline="")
        result = importer.import_register(text, cast(User, request.user), dry_run=dry_run)
        for error in result.errors[:SHOWN_ERRORS]:
            form.add_error("file", f"Line {error.line}: {error.reason}")
        if len(result.errors) > SHOWN_ERRORS:
            form.add_error("file", f"And {len(result.errors) - SHOWN_ERRORS} more rows with problems")
        if result.imported:
            messages.success(request, f"Imported {len(result.rows)} incidents into the register")
            return redirect("reviews:register")
        preview = result.rows
    return render(
        request,
        "reviews/import.html",
        {"form": form, "preview": preview, "active_nav": "register", "title": "Import past incidents"},
    )
