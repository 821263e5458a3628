"""Starts moto's standalone server with every request serialised by one lock.

DynamoDB evaluates a conditional write atomically; moto's threaded server does not (it checks the
condition and stores the item in two steps with no lock, and says of itself that it is not
concurrency safe). The optimistic-concurrency guarantees of the event store are tested against this
server, so it must not lose a race that DynamoDB would never lose. The lock keeps HTTP keep-alive
(threaded server) while running one request at a time. See src/site/markdown/adr/0002-local-aws-backend.md.

Usage: python serve_moto.py HOST PORT
"""
import os
import sys
import threading
import time

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


class SerialisedApp:
    def __init__(self, app):
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            # Materialise the body inside the lock: moto's responses are computed eagerly.
            return list(self._app(environ, start_response))


def exit_with_parent():
    """Stops the server when the JVM that started it is gone, even if it was killed without running its hooks."""
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def main():
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    threading.Thread(target=exit_with_parent, daemon=True).start()
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, SerialisedApp(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
