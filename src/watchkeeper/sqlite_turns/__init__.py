"""Django's SQLite backend with writers that take turns: set as ENGINE when DATABASE_URL names SQLite."""
