"""SQLite's own limit of parameters per statement, read from the connection (issue 10).

Django 5.2 assumes SQLite's old compile-time default of 999 (``max_query_params``) and so
splits a bulk insert of audit rows, 18 columns each, into statements of 55 rows: entering a
year's holidays with 10,000 provisional deadlines sent 180 INSERTs of audit rows and 100 of
clock events. SQLite 3.32 and later allow 32,766 by default (Debian builds 250,000), and
Python 3.11 reads the limit of a connection (``getlimit``). Django 6.0 reads it the same way
(ticket #36143); until the project moves to it, each new SQLite connection is told here.
"""

from __future__ import annotations

import sqlite3
from typing import Any


def use_the_connections_limit(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: set ``max_query_params`` of a SQLite connection to its limit."""
    if connection.vendor == "sqlite":
        connection.features.max_query_params = connection.connection.getlimit(
            sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
        )
