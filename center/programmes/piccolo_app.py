"""Piccolo app config for center/programmes/ (the center's programmes: flower-bed days, volunteer
points, screenings). Its tables keep their center_ names; its migrations run after the center's."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="programmes",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["center.programmes.tables"], exclude_imported=True),
    migration_dependencies=["center.piccolo_app"],
    commands=[],
)
