from django.contrib import admin

from watchkeeper.catalogue.models import ClosureDate, Component, PriorityOverride, Service, Team


class ClosureInline(admin.TabularInline):
    model = ClosureDate
    extra = 0


class OverrideInline(admin.TabularInline):
    model = PriorityOverride
    extra = 0


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "team", "division", "opening", "closing"]
    list_filter = ["team", "division"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ComponentInline, OverrideInline, ClosureInline]
