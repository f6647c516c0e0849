"""A long-running MQTT subscription: paho's network thread, the connection state and a
bounded buffer of received messages that the feed drains at each of its runs."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from feeds.mqtt.options import MqttOptions

SETTLE_MAX_S = 1.0  # a new subscription's first fetch waits at most this for its first messages
SETTLE_QUIET_S = 0.1  # ... and stops once no message came for this long

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    payload: bytes
    retain: bool
    received_at: datetime


@dataclass(frozen=True, slots=True)
class ConnectionState:
    connected: bool
    since: datetime | None  # when the current state began (None: never connected yet)
    reason: str  # why it is down ("" when up)


@dataclass(frozen=True, slots=True)
class Drained:
    messages: list[Message]
    state: ConnectionState
    dropped: int  # messages lost to a full buffer since the last drain


class Session:
    """One broker connection with a persistent session (clean_start False, session expiry):
    QoS 1 subscriptions, reconnection with exponential backoff by paho's network loop."""

    def __init__(
        self, options: MqttOptions, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.options = options
        self.clock = clock
        self._lock = threading.Lock()
        self._messages: deque[Message] = deque()
        self._dropped = 0
        self._state = ConnectionState(False, None, "not connected yet")
        self._state_changed = True
        self._first_answer = threading.Event()  # set once the broker accepted or refused us
        self._subscribed = threading.Event()  # set once the broker acknowledged the topics
        self._settled = False  # the first fetch waited for what the subscription brings at once
        self._client = self._make_client()

    def _make_client(self) -> mqtt.Client:
        opts = self.options
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=opts.client_id, protocol=mqtt.MQTTv5
        )
        if opts.username:
            password = opts.password.get_secret_value() if opts.password else None
            client.username_pw_set(opts.username, password)
        client.reconnect_delay_set(opts.reconnect_min_s, opts.reconnect_max_s)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        return client

    def start(self) -> None:
        opts = self.options
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = opts.session_expiry_s
        self._client.connect_async(
            opts.host, opts.port, opts.keepalive_s, clean_start=False, properties=properties
        )
        self._client.loop_start()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    # paho callbacks (its network thread)

    def _on_connect(self, client: mqtt.Client, _u: Any, flags: Any, code: Any, _p: Any) -> None:
        if code.is_failure:
            self._set_state(False, f"broker refused the connection: {code}")
            return
        # retain-as-published: an empty retained message (clearing one) stays recognisable
        subscription = SubscribeOptions(qos=1, retainAsPublished=True)
        client.subscribe([(t.filter, subscription) for t in self.options.topics])
        log.info(
            "mqtt %s:%d connected (session present: %s)",
            self.options.host,
            self.options.port,
            getattr(flags, "session_present", False),
        )
        self._set_state(True, "")

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, _mid: Any, _codes: Any, _p: Any) -> None:
        self._subscribed.set()

    def _on_connect_fail(self, _client: mqtt.Client, _u: Any) -> None:
        self._set_state(False, "cannot connect to the broker")

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, code: Any, _p: Any) -> None:
        self._set_state(False, f"disconnected: {code}")

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        received = Message(message.topic, bytes(message.payload), message.retain, self.clock())
        with self._lock:
            if len(self._messages) >= self.options.max_pending:
                self._messages.popleft()
                self._dropped += 1
            self._messages.append(received)

    def _set_state(self, connected: bool, reason: str) -> None:
        self._first_answer.set()
        with self._lock:
            if self._state.connected == connected and self._state.since is not None:
                return
            self._state = ConnectionState(connected, self.clock(), reason)
            self._state_changed = True
        if not connected:
            log.warning("mqtt %s:%d: %s", self.options.host, self.options.port, reason)

    # the feed's side

    @property
    def state(self) -> ConnectionState:
        with self._lock:
            return self._state

    def wait_first_answer(self, timeout: float) -> None:
        """Give a new session a moment to connect before its state is first reported, and —
        once — to receive what its subscription brings at once (retained readings, messages
        queued in a persistent session): a first run, or an operator's test of an unsaved
        feed, then shows them instead of nothing."""
        deadline = time.monotonic() + timeout
        self._first_answer.wait(timeout)
        if self._settled:
            return
        self._settled = True
        if not self.state.connected:
            return
        self._subscribed.wait(max(0.0, deadline - time.monotonic()))
        self._settle(min(deadline, time.monotonic() + SETTLE_MAX_S))

    def _settle(self, until: float) -> None:
        """Wait while messages keep arriving (the broker sends retained ones right after the
        subscription is acknowledged), at most until `until`."""
        seen = -1
        while time.monotonic() < until:
            with self._lock:
                count = len(self._messages)
            if count == seen:
                return
            seen = count
            time.sleep(SETTLE_QUIET_S)

    def pending(self) -> bool:
        """Messages to store, or a connection state the feed's health does not show yet."""
        with self._lock:
            return bool(self._messages) or self._state_changed

    def drain(self) -> Drained:
        with self._lock:
            messages, self._messages = list(self._messages), deque()
            dropped, self._dropped = self._dropped, 0
            self._state_changed = False
            return Drained(messages, self._state, dropped)


_SESSIONS: dict[str, Session] = {}
_SESSIONS_LOCK = threading.Lock()


def session_for(feed_id: str, options: MqttOptions) -> Session:
    """The feed's running session; started on first use, restarted when its options change."""
    with _SESSIONS_LOCK:
        session = _SESSIONS.get(feed_id)
        if session is not None and session.options == options:
            return session
        if session is not None:
            session.stop()
        session = _SESSIONS[feed_id] = Session(options)
        session.start()
        return session


def running_session(feed_id: str) -> Session | None:
    with _SESSIONS_LOCK:
        return _SESSIONS.get(feed_id)


def stop_session(feed_id: str) -> None:
    with _SESSIONS_LOCK:
        session = _SESSIONS.pop(feed_id, None)
    if session is not None:
        session.stop()
