"""The only functions that change alerts, groups and integrations; views, the API, the intake endpoints and tasks
call these."""
