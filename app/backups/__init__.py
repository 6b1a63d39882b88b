"""Backups of the whole database: `flask backup` and `flask restore` (pg_dump and pg_restore on PostgreSQL,
the SQLite backup API on SQLite)."""
