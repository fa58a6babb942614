"""`inproc://`: the embedded mode's in-process bus, an oslo.messaging driver.

oslo.messaging's `fake://` driver has listeners sleep 50 ms between polls, which
puts 50 ms on every RPC. This one keeps the fake driver's exchanges but wakes a
listener the moment a message arrives, and copies each message through JSON so
sender and receiver never share objects (as on a real wire).
"""
from __future__ import annotations

import json
import threading
import time
from typing import Any

import oslo_messaging
from oslo_messaging._drivers import base, impl_fake
from oslo_serialization import jsonutils

# How long an idle listener sleeps before it re-checks whether it was stopped.
IDLE_WAIT = 1.0


class InprocExchange(impl_fake.FakeExchange):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.arrived = threading.Condition(self._queues_lock)

    def deliver_message(self, topic: str, ctxt: Any, message: Any, server: Any = None,
                        fanout: bool = False, reply_q: Any = None) -> None:
        with self.arrived:
            super().deliver_message(topic, ctxt, message, server=server, fanout=fanout,
                                    reply_q=reply_q)
            self.arrived.notify_all()

    def wake(self) -> None:
        with self.arrived:
            self.arrived.notify_all()


class InprocExchangeManager(impl_fake.FakeExchangeManager):
    """Exchanges of one transport (the fake driver shares them process-wide)."""

    def __init__(self, default_exchange: str | None) -> None:
        super().__init__(default_exchange)
        self._exchanges_lock = threading.Lock()
        self._exchanges: dict[str, InprocExchange] = {}

    def cleanup(self) -> None:
        with self._exchanges_lock:
            self._exchanges.clear()

    def get_exchange(self, name: str | None) -> InprocExchange:
        if name is None:
            name = self._default_exchange
        with self._exchanges_lock:
            return self._exchanges.setdefault(name, InprocExchange(name))


class InprocListener(impl_fake.FakeListener):
    def _exchange(self) -> InprocExchange:
        names = {t.exchange for t in self._targets}
        assert len(names) == 1, "an in-process listener serves one exchange"
        return self._exchange_manager.get_exchange(names.pop())

    @base.batch_poll_helper
    def poll(self, timeout: float | None = None) -> Any:
        deadline = None if timeout is None else time.monotonic() + timeout
        exchange = self._exchange()
        with exchange.arrived:
            while not self._stopped.is_set():
                for target in self._targets:
                    ctxt, message, reply_q, requeue = exchange.poll(target, self._pool)
                    if message is not None:
                        return impl_fake.FakeIncomingMessage(ctxt, message, reply_q, requeue)
                wait = IDLE_WAIT
                if deadline is not None:
                    wait = min(wait, deadline - time.monotonic())
                    if wait <= 0:
                        return None
                exchange.arrived.wait(wait)
        return None

    def stop(self) -> None:
        super().stop()
        self._exchange().wake()


class InprocDriver(impl_fake.FakeDriver):
    def __init__(self, conf: Any, url: Any, default_exchange: str | None = None,
                 allowed_remote_exmods: list[str] | None = None) -> None:
        super().__init__(conf, url, default_exchange, allowed_remote_exmods)
        self._exchange_manager = InprocExchangeManager(default_exchange)

    def _send(self, target: Any, ctxt: Any, message: Any, wait_for_reply: Any = None,
              timeout: Any = None, transport_options: Any = None) -> Any:
        copied = json.loads(jsonutils.dumps(message))
        return super()._send(target, ctxt, copied, wait_for_reply, timeout,
                             transport_options)

    def listen(self, target: Any, batch_size: int, batch_timeout: Any) -> Any:
        exchange = target.exchange or self._default_exchange
        listener = InprocListener(self._exchange_manager, [
            oslo_messaging.Target(topic=target.topic, server=target.server, exchange=exchange),
            oslo_messaging.Target(topic=target.topic, exchange=exchange)])
        return base.PollStyleListenerAdapter(listener, batch_size, batch_timeout)
