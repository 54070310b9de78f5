"""The application shell: builds the Litestar app and wires every router."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.config.csrf import CSRFConfig
from litestar.plugins import InitPluginProtocol
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.registry import StoreRegistry

from center.accounts.guards import CurrentUserMiddleware
from center.accounts.sessions import DatabaseStore, RotatingSessionConfig
from center.lib.db import close_pool, start_pool
from center.lib.settings import BASE_DIR, get_settings
from center.shell.openapi import describe_api_only, openapi_config
from center.web.access_log import install as install_access_log_filter
from center.web.cache_control import STATIC_CACHE, NoStoreForSignedInMiddleware
from center.web.errors import handle_exception
from center.web.forwarded import ForwardedMiddleware
from center.web.input_bounds import check_input_bounds
from center.web.locale import LocaleMiddleware
from center.web.revalidation import Revalidation
from center.web.security_headers import add_security_headers
from center.web.templating import template_config

STATIC_DIR = BASE_DIR / "static"


@asynccontextmanager
async def _database(_: Litestar) -> AsyncIterator[None]:
    await start_pool()
    try:
        yield
    finally:
        await close_pool()


@asynccontextmanager
async def _serving(_: Litestar) -> AsyncIterator[None]:
    """Hold the data folder's server lock while serving, so `center restore` refuses to run."""
    from center.shell.backup.server_lock import serving

    with serving(get_settings().data_dir):
        yield


@asynccontextmanager
async def _background(_: Litestar) -> AsyncIterator[None]:
    """Keep the PDF renderer warm and run due jobs while the server runs."""
    from center.lib.scheduler.service import loop
    from center.web.pdf import warm_up

    tasks = [asyncio.create_task(warm_up())]
    if get_settings().scheduler:
        tasks.append(asyncio.create_task(loop()))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _route_handlers() -> list:
    # Imported here so importing center.app stays cheap for the CLI.
    from bookings.web import ROUTES as bookings_pages
    from center.accounts.web import ROUTES as accounts_pages
    from center.places.web import ROUTES as places_pages
    from center.programmes.web import ROUTES as programme_pages
    from center.shell.calendar import ROUTES as calendar_pages
    from center.shell.feeds.links import ROUTES as feed_pages
    from center.shell.feeds.web import ROUTES as feed_routes
    from center.shell.inbox import ROUTES as inbox_pages
    from center.shell.opendata.web import ROUTES as opendata_pages
    from center.shell.ops.web import ROUTES as ops_routes
    from center.shell.pages import ROUTES as core_pages
    from center.shell.reports.web import ROUTES as report_pages
    from center.shell.signage import ROUTES as signage_pages
    from maintenance.web import ROUTES as maintenance_pages

    return [
        *core_pages,
        *inbox_pages,
        *accounts_pages,
        *places_pages,
        *calendar_pages,
        *bookings_pages,
        *maintenance_pages,
        *programme_pages,
        *report_pages,
        *signage_pages,
        *feed_routes,
        *feed_pages,
        *opendata_pages,
        *ops_routes,
        create_static_files_router(
            path="/static", directories=[STATIC_DIR], name="static", cache_control=STATIC_CACHE
        ),
    ]


class CenterPlugin(InitPluginProtocol):
    """Configures the app in small steps."""

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        settings = get_settings()
        if settings.demo and settings.https:
            # Also when served by uvicorn directly, not through `center run`.
            from center.shell.demo_guard import refusal

            raise RuntimeError(refusal(settings, settings.host))
        self._configure_routes(app_config)
        self._configure_security(app_config, settings)
        self._configure_templates(app_config)
        self._configure_errors(app_config)
        self._configure_openapi(app_config, settings)
        app_config.lifespan.extend([_serving, _database, _background])
        app_config.debug = settings.debug
        return app_config

    @staticmethod
    def _configure_routes(app_config: AppConfig) -> None:
        app_config.route_handlers.extend(_route_handlers())

    @staticmethod
    def _configure_security(app_config: AppConfig, settings) -> None:
        app_config.csrf_config = CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.https,
            cookie_httponly=True,
            cookie_samesite="lax",
        )
        session = RotatingSessionConfig(
            store="sessions",
            secure=settings.https,
            httponly=True,
            samesite="lax",
            max_age=60 * 60 * settings.session_lifetime_hours,
            renew_on_access=False,
        )
        app_config.stores = StoreRegistry(stores={"sessions": DatabaseStore()})
        app_config.before_send.append(add_security_headers)
        # First (outermost): the real client address and scheme behind a trusted reverse proxy.
        app_config.middleware.append(ForwardedMiddleware(settings.trusted_proxies))
        app_config.middleware.extend([LocaleMiddleware(), session.middleware, CurrentUserMiddleware()])
        app_config.middleware.append(NoStoreForSignedInMiddleware())  # inside: it reads scope["user"]

    @staticmethod
    def _configure_templates(app_config: AppConfig) -> None:
        app_config.template_config = template_config()
        app_config.plugins.append(HTMXPlugin())

    @staticmethod
    def _configure_errors(app_config: AppConfig) -> None:
        app_config.exception_handlers[Exception] = handle_exception
        app_config.before_request = check_input_bounds

    @staticmethod
    def _configure_openapi(app_config: AppConfig, settings) -> None:
        # The JSON API only, with every status it answers; JSON for staff, no CDN-loaded page.
        describe_api_only(app_config.route_handlers)
        app_config.openapi_config = openapi_config(settings.api_schema)


def create_app() -> Litestar:
    from center.shell.ops.access import install as install_request_observer
    from center.shell.ops.logs import configure_logging
    from center.shell.wiring import wire

    configure_logging(get_settings().log_format)
    wire()
    # The server log is ours (center.shell.ops.logs): Litestar's own config would replace it.
    app = Litestar(plugins=[CenterPlugin()], logging_config=None)
    # A visitor's still-current page or feed is answered 304 before the middleware (inside the log).
    app.asgi_handler = Revalidation(app.asgi_handler, get_settings().trusted_proxies)
    install_request_observer(app, install_access_log_filter(app))
    return app
