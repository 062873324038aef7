"""What every page shares: GOV.UK form helpers, times and clocks as people read them, the Jinja environment,
the access log and the read-only admin."""
