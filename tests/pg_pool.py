"""PostgreSQL for the tests: Piccolo's engine with one small connection pool per event loop.

Without a pool, Piccolo opens a new connection for every query (tests run with CENTER_PG_POOL=0
because each test has an event loop of its own, and an asyncpg pool belongs to one loop). A
connection costs 20 to 50 times a query, and a test makes dozens of queries. Here the pool is made
on the first query in a loop and closed when that loop shuts down (asyncio.run and anyio's runner
both close a loop's async generators, which closes the pool gracefully), so every test, and every
asyncio.run inside one, reuses a few connections, as the server does with its own pool."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

POOL_SIZE = 10  # as center.db.start_pool: the app holds at most this many at once


class _Transaction(PostgresTransaction):
    async def get_connection(self) -> Any:
        await self.engine.ensure_pool()
        return await super().get_connection()


class PooledPostgresEngine(PostgresEngine):
    def __init__(self, config: dict[str, Any]) -> None:
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()
        self._keepers: dict[int, AsyncIterator[None]] = {}
        super().__init__(config=config)

    @property  # type: ignore[override]
    def pool(self) -> Any:
        """The pool of the running event loop, if one was made there."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return self._pools.get(loop)

    @pool.setter
    def pool(self, value: Any) -> None:
        # PostgresEngine sets None when it starts or closes its single pool; pools here are per loop.
        if value is not None:
            raise RuntimeError("the tests' engine makes its own pools, one per event loop")

    async def ensure_pool(self) -> None:
        loop = asyncio.get_running_loop()
        if loop in self._pools:
            return
        pool = await asyncpg.create_pool(**self.config, min_size=1, max_size=POOL_SIZE)
        self._pools[loop] = pool
        keeper = self._keep(loop, pool)
        await keeper.__anext__()
        self._keepers[id(loop)] = keeper

    async def _keep(self, loop: asyncio.AbstractEventLoop, pool: Any) -> AsyncIterator[None]:
        """Suspended until the loop shuts down its async generators, then closes the pool."""
        try:
            yield
        finally:
            self._pools.pop(loop, None)
            self._keepers.pop(id(loop), None)
            try:
                await asyncio.wait_for(pool.close(), timeout=5)
            except (TimeoutError, asyncio.CancelledError, OSError):
                pool.terminate()

    async def close_connection_pool(self) -> None:
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            pool = self._pools.pop(loop, None)
            if pool is not None:
                await pool.close()

    async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
        await self.ensure_pool()
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        await self.ensure_pool()
        return await super().run_ddl(ddl, in_pool=in_pool)

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return _Transaction(engine=self, allow_nested=allow_nested)
