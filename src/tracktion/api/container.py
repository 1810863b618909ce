"""ApiContainer: what the API needs from the composition root (``bootstrap.App`` provides it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tracktion.config import Settings
    from tracktion.core.ports import (
        AnalysisStore,
        Analyzer,
        BusAdmin,
        Cache,
        CatalogStore,
        EventBus,
        EventStore,
        JobStore,
        Outbox,
        RefreshTokenStore,
        SearchIndex,
        UserStore,
        WorkerRegistry,
    )
    from tracktion.metrics import PipelineMetrics
    from tracktion.tracklists.service import TracklistService


class ApiContainer(Protocol):
    """Read-only view of the wired application the API serves."""

    @property
    def settings(self) -> Settings:
        """Settings the app was built from."""

    @property
    def bus(self) -> EventBus:
        """The event bus."""

    @property
    def cache(self) -> Cache:
        """The shared cache."""

    @property
    def store(self) -> CatalogStore:
        """The catalog."""

    @property
    def events(self) -> EventStore:
        """The audit trail of events."""

    @property
    def analyses(self) -> AnalysisStore:
        """Stored analyses."""

    @property
    def runner(self) -> Analyzer | None:
        """Analysis workers, when this process runs them."""

    @property
    def users(self) -> UserStore:
        """API accounts."""

    @property
    def refresh_tokens(self) -> RefreshTokenStore:
        """Issued refresh tokens."""

    @property
    def search(self) -> SearchIndex:
        """Search over tracks, artists and tracklists."""

    @property
    def tracklists(self) -> TracklistService:
        """Tracklist import, matches and listing."""

    @property
    def outbox(self) -> Outbox:
        """Events waiting to be published."""

    @property
    def workers(self) -> WorkerRegistry:
        """Worker heartbeats (distributed mode)."""

    @property
    def jobs(self) -> JobStore:
        """Background jobs the API started (shared by every API process)."""

    @property
    def metrics(self) -> PipelineMetrics:
        """What this process's services did (events handled, files analysed)."""

    def bus_admin(self) -> BusAdmin | None:
        """Queue statistics (None when this process sees no queue); the caller closes it."""

    def backends(self) -> dict[str, str]:
        """The database, bus and cache URLs in use, without passwords."""
