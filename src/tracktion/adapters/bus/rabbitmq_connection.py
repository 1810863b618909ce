"""One supervised AMQP connection: connects, reconnects with backoff, re-runs the setup hook.

The connection is opened lazily by the first caller of :meth:`BrokerConnection.ready`. When it
drops (broker restart, ``rabbitmqctl close_all_connections``, network), a background task
reconnects with exponential backoff (``reconnect_min_s`` doubling up to ``reconnect_max_s``),
forever until :meth:`close`, and runs ``on_connected`` on every new connection before anyone is
handed the new session: that is where the bus re-declares its topology and re-attaches its
consumers. Driver errors leave this module as :class:`BusError` naming the URL, never the
password.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aio_pika
import aiormq
from yarl import URL

from tracktion.adapters.urls import redact_url
from tracktion.core.errors import BusError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from aio_pika.abc import AbstractChannel, AbstractConnection

logger = logging.getLogger(__name__)

CONNECTION_ERRORS = (
    aiormq.exceptions.AMQPError,
    aiormq.exceptions.ChannelInvalidStateError,
    ConnectionError,
    OSError,
    asyncio.TimeoutError,
)
"""What a lost or refusing broker raises (aiormq's tree plus the socket's)."""


@dataclass(frozen=True, slots=True)
class Session:
    """A live connection and its publisher-confirms channel."""

    connection: AbstractConnection
    publisher: AbstractChannel

    @property
    def alive(self) -> bool:
        """False once the connection or the publishing channel has closed."""
        return not (self.connection.is_closed or self.publisher.is_closed)


class BrokerConnection:
    """Owns the connection; hands out the current :class:`Session`, reconnecting as needed."""

    def __init__(
        self,
        url: str,
        on_connected: Callable[[Session], Awaitable[None]],
        *,
        connect_timeout_s: float = 10.0,
        reconnect_min_s: float = 0.1,
        reconnect_max_s: float = 5.0,
        connection_name: str | None = None,
    ) -> None:
        self.url = url
        self._connection_name = connection_name
        self.safe_url = redact_url(url)
        self._on_connected = on_connected
        self._connect_timeout_s = connect_timeout_s
        self._reconnect_min_s = reconnect_min_s
        self._reconnect_max_s = reconnect_max_s
        self._session: Session | None = None
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_error: BaseException | None = None
        self._closing = False

    async def ready(self, timeout_s: float | None = None) -> Session:
        """The live session, waiting up to ``timeout_s`` (default: the connect timeout)."""
        try:
            async with asyncio.timeout(timeout_s or self._connect_timeout_s):
                while True:
                    if self._closing:
                        raise BusError(f"RabbitMQ bus at {self.safe_url} is closed")
                    session = self.current()
                    if session is not None:
                        return session
                    self._ready.clear()
                    self._ensure_connecting()
                    await self._ready.wait()
        except TimeoutError:
            raise BusError(
                f"RabbitMQ at {self.safe_url} not reachable: {self._last_error!r}"
            ) from self._last_error

    def current(self) -> Session | None:
        """The session if it is alive now, without connecting."""
        session = self._session
        return session if session is not None and session.alive else None

    async def close(self) -> None:
        """Stop reconnecting and close the connection."""
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        session, self._session = self._session, None
        self._ready.set()
        if session is not None and not session.connection.is_closed:
            with contextlib.suppress(*CONNECTION_ERRORS):
                await session.connection.close()

    def _ensure_connecting(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._connect_loop(), name="rabbitmq:connect")

    async def _connect_loop(self) -> None:
        stale, self._session = self._session, None
        if stale is not None and not stale.connection.is_closed:
            with contextlib.suppress(*CONNECTION_ERRORS):
                await stale.connection.close()
        delay = self._reconnect_min_s
        while not self._closing:
            try:
                session = await self._open()
            except (*CONNECTION_ERRORS, BusError) as exc:
                self._last_error = exc
                logger.warning(
                    "RabbitMQ at %s: connect failed (%s), retrying in %.1fs",
                    self.safe_url,
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._reconnect_max_s)
                continue
            self._session = session
            self._ready.set()
            logger.info("RabbitMQ at %s: connected", self.safe_url)
            return

    async def _open(self) -> Session:
        url = URL(self.url)
        if self._connection_name:
            url = url.update_query(name=self._connection_name)  # shown by rabbitmqctl
        connection = await aio_pika.connect(url, timeout=self._connect_timeout_s)
        try:
            publisher = await connection.channel(publisher_confirms=True, on_return_raises=True)
            session = Session(connection, publisher)
            await self._on_connected(session)
        except BaseException:
            with contextlib.suppress(*CONNECTION_ERRORS):
                await connection.close()
            raise
        connection.close_callbacks.add(self._on_close)
        return session

    def _on_close(self, _: Any, exc: BaseException | None = None) -> None:
        if self._closing:
            return
        logger.warning("RabbitMQ at %s: connection lost (%s), reconnecting", self.safe_url, exc)
        self._last_error = exc
        self._ready.clear()
        self._ensure_connecting()
