"""PostgreSQL for the tests: Piccolo's engine, with a connection pool that belongs to one event loop.

Without a pool, Piccolo opens a new connection for every query, and a connection costs 20 to 50
times a query. The server keeps a pool for its lifetime; a test has an event loop of its own, and an
asyncpg pool can only be used from the loop that made it. So the pool here is kept per event loop:
`pool` is the running loop's pool. The `pg_pool` fixture (tests/conftest.py) starts one for every
async database test and closes it afterwards; an app lifespan that starts or closes the pool in a
test does so for that test's loop only. In any other loop (a sync test's asyncio.run, a thread's)
the first query starts a pool that the loop's shutdown closes.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine

POOL_SIZE = 20  # above the concurrency any test asks for, so no test waits on the pool


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _close_at_shutdown(pool: Any) -> Any:
    """An async generator the loop closes when asyncio.run (or asyncio.Runner) ends it: the loop's
    shutdown_asyncgens() closes every live one, and this one's `finally` closes the pool there."""
    try:
        yield
    finally:
        if not pool.is_closing():
            await pool.close()


class LoopPooledPostgresEngine(PostgresEngine):
    def __init__(self, config: dict[str, Any]) -> None:
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()
        self._closers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[Any]] = (
            weakref.WeakKeyDictionary()
        )
        super().__init__(config=config)

    async def _run_in_new_connection(self, query: str, args: Any = None) -> Any:
        """A query in a loop without a pool (a sync test's asyncio.run, a thread's): the first one
        starts a pool for that loop, closed when the loop shuts down, and later queries in it
        share its connections. Before, each query opened a connection of its own: a new server
        process, which then read the catalog of every table it touched."""
        loop = asyncio.get_running_loop()
        if loop not in self._pools:
            from center.lib.db import keep_session_state

            pool = await asyncpg.create_pool(
                **self.config, min_size=1, max_size=POOL_SIZE, reset=keep_session_state
            )
            closer = _close_at_shutdown(pool)
            await closer.__anext__()  # now the loop knows it (and keeps it weakly: kept here)
            self._closers.setdefault(loop, []).append(closer)
            self._pools.setdefault(loop, pool)
        return await self._run_in_pool(query, args)

    @property  # type: ignore[override]
    def pool(self) -> Any:
        loop = _running_loop()
        return None if loop is None else self._pools.get(loop)

    @pool.setter
    def pool(self, value: Any) -> None:
        loop = _running_loop()
        if loop is None:
            return  # PostgresEngine.__init__ sets None outside any loop
        if value is None:
            self._pools.pop(loop, None)
        else:
            self._pools[loop] = value


# The harness's own scripts (the reset between tests, a snapshot's restore: tests/snapshots.py) go
# through one connection per database, kept open for the session on an event loop of its own (each
# test has its own loop, and a connection belongs to one). A new connection per script cost a new
# server process, which then read the catalog of every table the script touches: 13 ms a reset
# against 1 ms.
_kept_loop: asyncio.AbstractEventLoop | None = None
_kept: dict[str, asyncpg.Connection] = {}


def _loop() -> asyncio.AbstractEventLoop:
    global _kept_loop
    if _kept_loop is None:
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="pg-kept", daemon=True).start()
        _kept_loop = loop
    return _kept_loop


async def _run(config: dict[str, Any], script: str) -> None:
    key = repr(sorted(config.items()))
    conn = _kept.get(key)
    if conn is None or conn.is_closed():
        conn = _kept[key] = await asyncpg.connect(**config)
    try:
        await conn.execute(script)
    except BaseException:
        _kept.pop(key, None)  # whatever state the failure left it in goes with it
        await conn.close(timeout=5)
        raise


async def run_on_kept_connection(config: dict[str, Any], script: str) -> None:
    """Run a script on the database's kept connection, from any event loop; its errors are raised
    here (and the connection is replaced)."""
    await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_run(config, script), _loop()))
