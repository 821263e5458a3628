"""Starts moto's standalone server with every request serialised by one lock.

DynamoDB evaluates a conditional write atomically; moto's threaded server does not (it checks the
condition and stores the item in two steps with no lock, and says of itself that it is not
concurrency safe). The optimistic-concurrency guarantees of the event store are tested against this
server, so it must not lose a race that DynamoDB would never lose. The lock keeps HTTP keep-alive
(threaded server) while running one request at a time. See src/site/markdown/adr/0002-local-aws-backend.md.

With a third argument, moto's state is kept in that file across restarts (`make run`; see ADR 0002): it is
restored at start, and saved (pickled, written to a temporary file and renamed over the old one) after every
request that may have changed it, before the response is sent. So every write a client saw acknowledged survives
a kill of this process; reads (Get*, List*, Describe*, Query, Scan, an empty ReceiveMessage) save nothing.

Usage: python serve_moto.py HOST PORT [STATE_FILE]
"""
import io
import os
import pickle
import sys
import threading
import time
from urllib.parse import parse_qs

import moto
from moto.backends import get_backend

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


# The services `make run` uses; their state is what a state file keeps.
# kms: the keys that wrap the subject keys of personal data (ADR 0008); lost, every customer would read as forgotten
PERSISTED_SERVICES = ("dynamodb", "dynamodbstreams", "sqs", "sns", "kms")
STATE_FORMAT = 1
# GenerateDataKey and Decrypt change no KMS state (a data key is returned, not kept)
READ_PREFIXES = ("Get", "List", "Describe", "Query", "Scan", "BatchGet", "TransactGet", "GenerateDataKey", "Decrypt")
_LOCK_TYPES = {type(threading.Lock()): threading.Lock, type(threading.RLock()): threading.RLock}


def _load_private_key(pem):
    from cryptography.hazmat.primitives import serialization
    return serialization.load_pem_private_key(pem, password=None)


def _private_key_pem(key):
    from cryptography.hazmat.primitives import serialization
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class _StatePickler(pickle.Pickler):
    """Pickles moto's backends; their locks are recreated unlocked (no request is running while saving), the
    private keys moto's KMS holds (native objects of `cryptography`) as PEM."""

    def reducer_override(self, obj):
        factory = _LOCK_TYPES.get(type(obj))
        if factory is not None:
            return factory, ()
        if type(obj).__module__.startswith("cryptography.") and hasattr(obj, "private_bytes"):
            return _load_private_key, (_private_key_pem(obj),)
        return NotImplemented


class StateFile:
    def __init__(self, path):
        self.path = path

    def restore(self):
        if not os.path.exists(self.path) or os.path.getsize(self.path) == 0:
            return False
        with open(self.path, "rb") as f:
            state = pickle.load(f)
        if state.get("format") != STATE_FORMAT or state.get("moto") != moto.__version__:
            sys.exit("state file %s was written by moto %s (format %s), this is moto %s: start empty with "
                     "`make run FRESH=1`" % (self.path, state.get("moto"), state.get("format"), moto.__version__))
        for name, accounts in state["backends"].items():
            backend = get_backend(name)
            backend.clear()
            backend.update(accounts)
        return True

    def save(self):
        state = {"format": STATE_FORMAT, "moto": moto.__version__,
                 "backends": {name: dict(get_backend(name)) for name in PERSISTED_SERVICES}}
        tmp = self.path + ".tmp"
        with open(tmp, "wb") as f:
            _StatePickler(f, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
        os.replace(tmp, self.path)


def _action(environ, body):
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    for source in (environ.get("QUERY_STRING", ""), body.decode("utf-8", "replace") if body else ""):
        action = parse_qs(source).get("Action")
        if action:
            return action[0]
    return None


def may_change_state(environ, body, response_body):
    if environ.get("PATH_INFO", "").startswith("/moto-api/"):
        return environ.get("REQUEST_METHOD") != "GET"
    action = _action(environ, body)
    if action is None:
        return True
    if action == "ReceiveMessage":
        return b"ReceiptHandle" in response_body
    return not action.startswith(READ_PREFIXES)


class SerialisedApp:
    def __init__(self, app, state=None):
        self._app = app
        self._lock = threading.Lock()
        self._state = state

    def __call__(self, environ, start_response):
        with self._lock:
            if self._state is None:
                # Materialise the body inside the lock: moto's responses are computed eagerly.
                return list(self._app(environ, start_response))
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length > 0 else b""
            environ["wsgi.input"] = io.BytesIO(body)
            response = list(self._app(environ, start_response))
            if may_change_state(environ, body, b"".join(response)):
                self._state.save()
            return response


class _TableCopiedOncePerTransaction:
    """Stands in for the `copy` module inside moto's TransactWriteItems while it backs up the tables it touches.

    moto deep-copies a table once per item of a transaction, not once per table: a 100-item transaction on one
    table copies it 100 times, so a transaction's cost grows with the number of its items times the table's size
    (a rebuild's combined checkpoint transactions would cost as much as one transaction per aggregate). The copy
    is a rollback backup taken before any item is applied, so one copy per table is the same backup. Only Table
    objects are copied once; anything else is deep-copied as moto asks.
    """

    def __init__(self, real, table_type):
        self._real = real
        self._table_type = table_type
        self._tables = {}

    def deepcopy(self, obj, memo=None):
        if isinstance(obj, self._table_type):
            key = id(obj)
            if key not in self._tables:
                self._tables[key] = self._real.deepcopy(obj, memo)
            return self._tables[key]
        return self._real.deepcopy(obj, memo)

    def __getattr__(self, name):
        return getattr(self._real, name)


def copy_each_table_once_per_transaction():
    """Patches moto's TransactWriteItems to back up each table it touches once (see the class above)."""
    import copy as real_copy
    from moto.dynamodb import models as dynamodb_models
    backend_type = dynamodb_models.DynamoDBBackend
    table_type = dynamodb_models.Table
    original = backend_type.transact_write_items

    def transact_write_items(self, transact_items):
        dynamodb_models.copy = _TableCopiedOncePerTransaction(real_copy, table_type)
        try:
            return original(self, transact_items)
        finally:
            dynamodb_models.copy = real_copy

    backend_type.transact_write_items = transact_write_items


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
    state = StateFile(sys.argv[3]) if len(sys.argv) > 3 else None
    threading.Thread(target=exit_with_parent, daemon=True).start()
    os.environ.setdefault("MOTO_PORT", str(port))
    copy_each_table_once_per_transaction()
    app = DomainDispatcherApplication(create_backend_app)
    if state is not None and state.restore():
        print("restored moto's state from %s" % state.path, flush=True)
    run_simple(host, port, SerialisedApp(app, state), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
