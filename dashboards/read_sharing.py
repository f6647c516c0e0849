"""One database connection for all the reads of one callback request."""

from __future__ import annotations

from flask import Flask, g, request

from store.reads import ReadConnections

CALLBACK_PATH = "/_dash-update-component"
_TOKEN = "ioc_read_token"


def share_reads(server: Flask, reads: ReadConnections) -> None:
    """A page's callback reads a dozen times: let them share one checkout (and its ping)
    instead of taking one each. Only callback requests: a stream must not hold one."""

    @server.before_request
    def _share() -> None:
        if request.path.endswith(CALLBACK_PATH):
            setattr(g, _TOKEN, reads.begin_shared())

    @server.teardown_request
    def _release(_error: BaseException | None) -> None:
        token = g.pop(_TOKEN, None)
        if token is not None:
            reads.end_shared(token)
