"""The `web` section: limits of the HTTP server that serves the pages."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MIB = 1024 * 1024


class WebConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # The largest request body accepted (callback requests are a few kilobytes); larger ones
    # answer 413 before they are read.
    max_request_bytes: int = Field(default=1 * MIB, ge=16 * 1024, le=64 * MIB)
