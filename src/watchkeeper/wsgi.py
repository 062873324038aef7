from watchkeeper.statuspage.snapshot_wsgi import django_with_snapshot

# The public status page is answered from its static snapshot before Django, so it stays up with the database down.
application = django_with_snapshot()
