from watchkeeper.statuspage.snapshot_wsgi import django_with_snapshot

# The public status page is answered from its static snapshot before Django, so it stays up with the database down.
application = django_with_snapshot()

from watchkeeper.statuspage import snapshot_sync  # noqa: E402  (needs Django set up, just above)

# Each web process follows the database's snapshot version, so every node serves the newest page within a second.
snapshot_sync.start()

from watchkeeper.warm import warm  # noqa: E402

warm()
