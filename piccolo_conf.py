"""Piccolo configuration: SQLite by default, PostgreSQL when CENTER_DATABASE_URL says so."""

from piccolo.conf.apps import AppRegistry

from center.lib.db import build_engine

DB = build_engine()

APP_REGISTRY = AppRegistry(
    apps=[
        "center.piccolo_app",
        "center.programmes.piccolo_app",
        "bookings.piccolo_app",
        "maintenance.piccolo_app",
    ]
)
