"""Run a WSGI app on a real loopback socket in a background thread.

waitress serves from a fixed pool of threads over keep-alive connections; on this kind of
machine it carries about a third more exchanges per second than a thread-per-connection server.
With `tls=` (mutual TLS, `actor_kit.tls_server`) the actor serves HTTPS instead; plain HTTP stays
on waitress.
"""
from __future__ import annotations

import threading

from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher

from .tls import TlsFiles

DEFAULT_THREADS = 32  # the SWV's long-poll wait API holds one thread per waiting caller
# Every peer keeps one keep-alive connection per thread of its own (actor_kit.soap_client), so
# under load the actors together hold far more than waitress's default of 100 connections; past
# that limit a new caller waits unaccepted until an idle connection times out (channel_timeout),
# which a peer sees as a 10 s timeout. File descriptors are cheap; lost exchanges are not.
CONNECTION_LIMIT = 1000


class GrowingDispatcher(ThreadedTaskDispatcher):
    """waitress's request-thread pool, with threads started when the work needs them (up to the
    limit) rather than all at start. An actor made for one conformance scenario answers a few
    calls; starting 32 threads for each of three actors was a fifth of the self-test's time."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def set_thread_count(self, count):
        with self.lock:
            self.limit = count
            shrink = len(self.threads) - self.stop_count > count
        if shrink:  # shutdown() sets 0: the parent stops the running threads
            super().set_thread_count(count)

    def add_task(self, task):
        with self.lock:
            self.queue.append(task)
            self.queue_cv.notify()
            running = len(self.threads) - self.stop_count
            idle = running - self.active_count
            if len(self.queue) > idle and running < self.limit:
                thread_no = 0
                while thread_no in self.threads:
                    thread_no += 1
                self.threads.add(thread_no)
                self.active_count += 1   # the new thread counts itself idle when it finds no work
                self.start_new_thread(self.handler_thread, thread_no)


def make_wsgi_server(app, host: str = "127.0.0.1", port: int = 0, threads: int = DEFAULT_THREADS,
                     tls=None):
    """A bound server (not yet serving); `.effective_port`, `.run()`, `.close()`.

    `tls` (a TlsFiles or {"ca", "cert", "key"}): HTTPS that demands a client certificate.
    """
    files = TlsFiles.of(tls)
    if files is not None:
        from .tls_server import TlsWsgiServer

        return TlsWsgiServer(app, host, port, files)
    return create_server(app, host=host, port=port, threads=threads, ident="oso-sim",
                         channel_timeout=120, connection_limit=CONNECTION_LIMIT,
                         _dispatcher=GrowingDispatcher(threads),
                         clear_untrusted_proxy_headers=True)


class ServerThread:
    """A bound socket first, the app later: actors that must know each other's URLs can be
    created after every port is known (pass app=None, set `.app`, then start)."""

    def __init__(self, app=None, host: str = "127.0.0.1", port: int = 0,
                 threads: int = DEFAULT_THREADS, tls=None):
        self.app = app
        self.tls = TlsFiles.of(tls)
        self._server = make_wsgi_server(self._dispatch, host, port, threads, tls=self.tls)
        self.host = host
        self.port = self._server.effective_port
        self._thread = threading.Thread(target=self._run, name=f"wsgi-{self.port}", daemon=True)
        self._stopped = False

    def _dispatch(self, environ, start_response):
        return self.app(environ, start_response)

    def _run(self):
        try:
            self._server.run()
        except (OSError, ValueError):
            pass  # closed under our feet by stop()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listening socket, every open connection and the request threads.

        Closing only the listening socket is not enough: waitress's loop keeps running until the
        peers' keep-alive connections time out and its request threads stay parked, so a process
        that starts fresh actors again and again (the conformance suite, the tests) would slow
        down until calls time out. The channels are closed inside the loop's own thread (through
        its trigger) because the loop is not thread-safe.
        """
        if self._stopped:
            return
        self._stopped = True
        server = self._server
        if self.tls is not None:
            server.close()  # wakes its loop, ends its connections
            self._thread.join(timeout=5)
            return
        if self._thread.is_alive():
            try:
                server.trigger.pull_trigger(self._close_channels)
            except OSError:
                self._close_channels()
            self._thread.join(timeout=5)
        if server._map:
            self._close_channels()
        server.task_dispatcher.shutdown(timeout=2)

    def _close_channels(self) -> None:
        for channel in list(self._server._map.values()):
            try:
                channel.close()  # the server itself is one of them: it closes its trigger too
            except OSError:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
