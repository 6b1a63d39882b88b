"""SQLite connection settings: foreign keys on, and a write lock taken at BEGIN."""
from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_sqlite(engine: Engine, busy_timeout_ms: int = 30000) -> None:
    """Enforce foreign keys and make every transaction take the write lock up front.

    pysqlite's default deferred BEGIN lets two writers read the same row and then fight over the lock;
    BEGIN IMMEDIATE serialises writers (they wait up to the busy timeout) so check-then-write sequences
    such as taking the last seat stay correct.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.info.get("immediate", True) else "BEGIN")
