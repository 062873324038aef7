import os

from django.core.wsgi import get_wsgi_application

from watchkeeper.statuspage.snapshot_wsgi import SnapshotApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
# The public status page is answered from its static snapshot before Django, so it stays up with the database down.
application = SnapshotApp(get_wsgi_application())
