"""Where the data lives: opening a database (SQLite file or server URL), migrations, backup and restore."""
