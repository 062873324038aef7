"""Read-only admin for the catalogue: changes go through catalogue.services and its pages, which validate them."""

from django.contrib import admin

from watchkeeper.catalogue.models import ClosureDate, Component, PriorityOverride, Service, Team
from watchkeeper.web.read_only_admin import ReadOnlyAdmin


class ClosureInline(ReadOnlyAdmin, admin.TabularInline):
    model = ClosureDate
    extra = 0


class OverrideInline(ReadOnlyAdmin, admin.TabularInline):
    model = PriorityOverride
    extra = 0


class ComponentInline(ReadOnlyAdmin, admin.TabularInline):
    model = Component
    extra = 0


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "email"]


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "team", "division", "opening", "closing"]
    list_filter = ["team", "division"]
    inlines = [ComponentInline, OverrideInline, ClosureInline]


@admin.register(Component)
class ComponentAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "service", "position"]
    list_filter = ["service"]


@admin.register(PriorityOverride)
class PriorityOverrideAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["service", "priority", "respond_kind", "respond_amount", "update_kind", "update_amount"]


@admin.register(ClosureDate)
class ClosureDateAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["service", "date", "reason"]
