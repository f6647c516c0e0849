"""The writers' common ground: the engine, the dialect-neutral upsert and the metric ids."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from store.models import MetricRow


class WriterBase:
    """The engine, the upsert every write goes through, and the metric ids."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._metric_ids: dict[str, int] = {}

    # -- dialect-neutral upsert -------------------------------------------------------------
    def _insert(self, model: Any) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(model)

    def _upsert(
        self,
        conn: Connection,
        model: Any,
        rows: list[dict[str, Any]],
        keys: Sequence[str],
        compare: Sequence[str],
        also: Sequence[str] = (),
    ) -> int:
        """Insert rows; on a key conflict update `compare` + `also` if any `compare` differs."""
        if not rows:
            return 0
        stmt = self._insert(model)
        excluded = stmt.excluded
        changed = [getattr(model, c).is_distinct_from(getattr(excluded, c)) for c in compare]
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={c: getattr(excluded, c) for c in (*compare, *also)},
            where=_any(changed),
        )
        # RETURNING yields exactly the inserted or updated rows (rowcount is unreliable in
        # psycopg's executemany); SQLAlchemy batches these as multi-row INSERTs.
        returned = conn.execute(stmt.returning(getattr(model, keys[0])), rows)
        return len(returned.all())

    def _upsert_keys(
        self,
        conn: Connection,
        model: Any,
        rows: list[dict[str, Any]],
        keys: Sequence[str],
        compare: Sequence[str],
        also: Sequence[str] = (),
        compared: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> set[tuple[Any, ...]]:
        """_upsert returning the keys of the rows inserted or updated; `compared` gives the
        expression a column is compared through (both the stored and the new value)."""
        if not rows:
            return set()
        how = compared or {}
        stmt = self._insert(model)
        excluded = stmt.excluded
        changed = []
        for c in compare:
            through = how.get(c, lambda column: column)
            changed.append(
                through(getattr(model, c)).is_distinct_from(through(getattr(excluded, c)))
            )
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={c: getattr(excluded, c) for c in (*compare, *also)},
            where=_any(changed),
        )
        returned = conn.execute(stmt.returning(*(getattr(model, k) for k in keys)), rows)
        return {tuple(r) for r in returned.all()}

    def _metric_id(self, key: str) -> int:
        if not self._metric_ids:
            with self.engine.connect() as conn:
                ids = conn.execute(select(MetricRow.key, MetricRow.id)).all()
            self._metric_ids = dict(ids)
        return self._metric_ids[key]


def _any(conditions: list[Any]) -> Any:
    from sqlalchemy import or_

    return or_(*conditions) if len(conditions) > 1 else conditions[0]
