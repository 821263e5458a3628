"""Starts moto's standalone server with every request serialised by one lock.

DynamoDB evaluates a conditional write atomically; moto's threaded server does not (it checks the
condition and stores the item in two steps with no lock, and says of itself that it is not
concurrency safe). The optimistic-concurrency guarantees of the event store are tested against this
server, so it must not lose a race that DynamoDB would never lose. The server stays threaded, one thread per
connection, while the lock runs one request at a time; connections are kept alive (werkzeug's own handler closes
every one after a single request) and requests are not logged. See src/site/markdown/adr/0002-local-aws-backend.md.

With a third argument, moto's state is kept in that file across restarts (`make run`; see ADR 0002): it is
restored at start, and saved (pickled, written to a temporary file and renamed over the old one) after every
request that may have changed it, before the response is sent. So every write a client saw acknowledged survives
a kill of this process; reads (Get*, List*, Describe*, Query, Scan, an empty ReceiveMessage) save nothing.

Usage: python serve_moto.py HOST PORT [STATE_FILE]
"""
import io
import os
import pickle
import selectors
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


# Set in a request's environ once its whole body has been read from the connection (see KeepAliveRequestHandler).
BODY_READ = "nosqles.body_read"
# Whether the connection this thread serves stays open after the response being written (one thread a connection).
_connection = threading.local()


def _read_body(environ):
    """Reads the request's whole body off the connection, so the next request on it starts at its request line."""
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):  # chunked: werkzeug's DechunkedInput ends at the last chunk
        body = stream.read()
    else:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        body = stream.read(length) if length > 0 else b""
        if len(body) != length:
            return None
        environ[BODY_READ] = True
    environ["wsgi.input"] = io.BytesIO(body)
    return body


class SerialisedApp:
    def __init__(self, app, state=None):
        self._app = app
        self._lock = threading.Lock()
        self._state = state

    def __call__(self, environ, start_response):
        # The body is read before the lock is taken: another request's I/O does not hold up moto.
        body = _read_body(environ)
        with self._lock:
            # Materialise the response inside the lock: moto's responses are computed eagerly.
            response = list(self._app(environ, start_response))
            if self._state is not None and may_change_state(environ, body or b"", b"".join(response)):
                self._state.save()
            return response


class KeepAliveRequestHandler(MotoRequestHandler):
    """moto's request handler, with HTTP/1.1 keep-alive and without a log line per request.

    werkzeug's development server sends `Connection: close` with every response, because http.server cannot find
    the next request line when an application leaves part of a body unread. Every AWS request then opened a TCP
    connection and started a server thread, and wrote a log line: under `make bench`'s sustained load that was
    two thirds of this process's time, all spent outside the lock, yet holding up the request inside it (one
    interpreter lock). SerialisedApp reads each Content-Length-delimited body whole before moto sees it, so such
    a request's connection stays open unless the client asked for `Connection: close`; a chunked body, a length
    that was not there to read or a request that never reached the application still closes it. Errors are still
    logged.

    Nagle's algorithm is off on these connections: http.server writes a response's head and body in two sends,
    and on a kept connection the body waited for the client's delayed acknowledgement of the head. With it on,
    eight clients got 170 requests per second through where the closing server gave them 250-300; with it off,
    440.
    """

    disable_nagle_algorithm = True

    def handle_one_request(self):
        self.environ = None  # the previous request's, until werkzeug makes this one's
        _connection.kept = False
        super().handle_one_request()

    def send_header(self, keyword, value):
        if (keyword.lower() == "connection" and value.lower() == "close"
                and self.request_version == "HTTP/1.1"
                and (getattr(self, "environ", None) or {}).get(BODY_READ)
                and self.headers.get("Connection", "").lower() != "close"):
            _connection.kept = True
            return
        super().send_header(keyword, value)

    def log_request(self, code="-", size="-"):
        pass

    _date = (None, None)  # (second, its Date header), shared by every connection's thread

    def date_time_string(self, timestamp=None):
        """The Date header, formatted once per second (http.server formats it anew for every response)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        now = int(time.time())
        second, text = KeepAliveRequestHandler._date
        if second != now:
            text = super().date_time_string(now)
            KeepAliveRequestHandler._date = (now, text)
        return text


class _NoDrain:
    def register(self, fileobj, events, data=None):
        return None

    def select(self, timeout=None):
        return []

    def close(self):
        return None


class _DrainOnlyClosingConnections:
    """Stands in for the `selectors` module inside werkzeug.serving (which uses it for this alone).

    After each response werkzeug reads whatever the client sent next, for up to 10 ms, and throws it away: as it
    closes every connection, that could only be the rest of a body the application left unread (read before the
    close, so the client gets the response rather than a reset). On a connection kept alive it is the next request,
    and the read blocks until the client closes. So a connection KeepAliveRequestHandler keeps (its request's body
    was read whole) is not drained; one it closes is, as werkzeug does.
    """
    EVENT_READ = selectors.EVENT_READ

    @staticmethod
    def DefaultSelector():
        return _NoDrain() if getattr(_connection, "kept", False) else selectors.DefaultSelector()


def keep_connections_alive():
    import werkzeug.serving
    werkzeug.serving.selectors = _DrainOnlyClosingConnections


class _TablesNotCopied:
    """Stands in for the `copy` module inside moto's TransactWriteItems: its whole-table backup is not taken.

    moto backs up every table a transaction touches by deep-copying it (once per item of the transaction), and on
    a cancellation puts the copies back. A transaction's cost so grows with the size of the tables it writes: under
    `make bench`'s sustained load two thirds of moto's time went into these copies, and the copy put back also
    replaced the table's stream shard, which broke the stream iterators open on it. The undo log of
    `undo_log_for_transactions` restores exactly what the transaction changed instead; here a Table is "copied"
    as itself, so moto's own rollback (which puts the "copies" back) changes nothing. Anything else is deep-copied
    as moto asks.
    """

    def __init__(self, real, table_type):
        self._real = real
        self._table_type = table_type

    def deepcopy(self, obj, memo=None):
        if isinstance(obj, self._table_type):
            return obj
        return self._real.deepcopy(obj, memo)

    def __getattr__(self, name):
        return getattr(self._real, name)


def _transaction_targets(backend, transact_items):
    """The (table, hash key, range key) of each item of a transaction that names an existing table and a key."""
    from moto.dynamodb.models.dynamo_type import DynamoType
    targets = []
    for entry in transact_items:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        op = next(iter(entry.values()))
        if not isinstance(op, dict):
            continue
        table = backend.tables.get(op.get("TableName"))
        attrs = op.get("Item") if "Item" in op else op.get("Key")
        if table is None or not isinstance(attrs, dict) or table.hash_key_attr not in attrs:
            continue
        try:
            hash_key = DynamoType(attrs[table.hash_key_attr])
            range_key = (DynamoType(attrs[table.range_key_attr])
                         if table.range_key_attr and table.range_key_attr in attrs else None)
            hash(hash_key), hash(range_key)  # a key of a type that cannot be one ({"N": "x"}, a set) fails here
        except Exception:  # a malformed key: moto refuses the item before changing anything
            continue
        targets.append((table, hash_key, range_key))
    return targets


def _stored(table, hash_key, range_key):
    if table.range_key_attr:
        return table.items.get(hash_key, {}).get(range_key)
    return table.items.get(hash_key)


def _restore(table, hash_key, range_key, item):
    if table.range_key_attr:
        partition = table.items[hash_key]
        if item is None:
            partition.pop(range_key, None)
        else:
            partition[range_key] = item
    elif item is None:
        table.items.pop(hash_key, None)
    else:
        table.items[hash_key] = item


def undo_log_for_transactions():
    """Patches moto's TransactWriteItems to roll a cancelled transaction back from an undo log.

    Before moto applies anything, the log keeps a deep copy of each item the transaction names (or that it was
    absent) and the length of each touched table's stream shard. If the transaction raises, every named item is
    put back as it was, in reverse order, and each shard is cut back to its length: the records of the items
    applied before the failing one go, as DynamoDB never shows a cancelled transaction in a stream. The shard
    object itself stays, so iterators open on it keep working. Cost: proportional to the transaction's items, not
    to the tables' size. MotoTransactionBackupTest holds both the rollback and the stream to this.

    One difference from moto, towards DynamoDB: moto raises a few refusals (an item with two operations) outside
    its own rollback, leaving the items before it applied; the undo log rolls those back too, as DynamoDB applies
    nothing of a refused transaction.
    """
    import copy as real_copy
    from moto.dynamodb import models as dynamodb_models
    backend_type = dynamodb_models.DynamoDBBackend
    table_type = dynamodb_models.Table
    original = backend_type.transact_write_items

    def transact_write_items(self, transact_items):
        targets = _transaction_targets(self, transact_items)
        undo = [(t, h, r, real_copy.deepcopy(_stored(t, h, r))) for t, h, r in targets]
        shards = {}
        for table, _, _ in targets:
            if id(table) not in shards and table.stream_shard is not None:
                shards[id(table)] = (table.stream_shard, len(table.stream_shard.items))
        dynamodb_models.copy = _TablesNotCopied(real_copy, table_type)
        try:
            return original(self, transact_items)
        except BaseException:
            for table, hash_key, range_key, item in reversed(undo):
                _restore(table, hash_key, range_key, item)
            for shard, length in shards.values():
                del shard.items[length:]
            raise
        finally:
            dynamodb_models.copy = real_copy

    backend_type.transact_write_items = transact_write_items


def query_reads_only_its_partition():
    """Patches moto's Query on a table's own key to look at the queried partition only.

    moto answers every Query by building and sorting a list of *all* the table's items, then keeping those of the
    queried partition (`Table.all_items()`), so an aggregate's load costs O(table size) and the one request lock
    makes the whole emulator slower as the tables grow. For a Query on the table's own key (no index) the
    candidates are now the partition's items, looked up by the same key equality moto applies afterwards; the
    sort, paging, conditions, filters and projections that follow are moto's own. Queries on an index and Scans
    are unchanged.
    """
    import inspect
    from moto.dynamodb.models.table import Table
    original_query = Table.query
    original_all_items = Table.all_items
    signature = inspect.signature(original_query)
    only = threading.local()

    def all_items(self):
        partition_of = getattr(only, "table", None)
        if partition_of is not self:
            return original_all_items(self)
        try:
            stored = self.items.get(only.hash_key)
        except Exception:  # a key value that cannot be hashed ({"N": "x"}): moto's own path, its own answer
            return original_all_items(self)
        if stored is None:
            return []
        return list(stored.values()) if self.range_key_attr else [stored]

    def query(self, hash_key, *args, **kwargs):
        bound = signature.bind(self, hash_key, *args, **kwargs)
        if bound.arguments.get("index_name") or hash_key is None:
            return original_query(self, hash_key, *args, **kwargs)
        only.table, only.hash_key = self, hash_key
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            only.table = only.hash_key = None

    Table.all_items = all_items
    Table.query = query


def list_moto_modules_once():
    """moto lists its own package directory (a listdir and an isdir per entry) on every request to find the
    backend for a host name; under load that was a sixth of its time. The directory does not change while the
    server runs, so the list is read once."""
    from moto import backends
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules


def queue_counts_in_one_pass():
    """Patches moto's SQS so that a queue's message counts cost one cheap pass over its messages.

    moto computes *all* of a queue's attributes, the three approximate message counts among them, whenever it
    needs any one: every SendMessage to a FIFO queue (twice, for ContentBasedDeduplication), and every message a
    ReceiveMessage returns (its retention check asks GetQueueAttributes for MessageRetentionPeriod, which builds
    the attributes three times). Each count walks every message of the queue and reads the clock per message.
    Under `make bench`'s sustained load, with a few thousand commands queued, this was most of moto's time, so
    the participant's queue drained at a few messages per second. Now the counts are taken in one pass at one
    instant, the visible messages likewise, and the retention check reads the queue's retention period itself.
    The answers are moto's own (the same comparisons with the clock read once per pass).
    """
    from moto.sqs import models as sqs_models
    queue_type = sqs_models.Queue
    original_attributes = queue_type.attributes
    state = threading.local()

    def counted(queue):
        now = sqs_models.unix_time_millis()
        delayed = not_visible = available = 0
        for message in queue._messages:
            is_visible = now > message.visible_at
            is_delayed = now < message.delayed_until
            delayed += is_delayed
            not_visible += not is_visible
            available += is_visible and not is_delayed
        return {"ApproximateNumberOfMessages": available, "ApproximateNumberOfMessagesDelayed": delayed,
                "ApproximateNumberOfMessagesNotVisible": not_visible}

    def count(name):
        def read(queue):
            counts = getattr(state, "counts", None)
            return (counts if counts is not None else counted(queue))[name]
        return property(read)

    def attributes(queue):
        state.counts = counted(queue)
        try:
            return original_attributes.fget(queue)
        finally:
            state.counts = None

    def messages(queue):
        now = sqs_models.unix_time_millis()
        return [m for m in queue._messages if now > m.visible_at and not now < m.delayed_until]

    def is_message_valid_based_on_retention_period(backend, queue_name, message):
        retention_period = backend.get_queue(queue_name).message_retention_period
        return retention_period + message.sent_timestamp / 1000 > sqs_models.unix_time()

    queue_type.approximate_number_of_messages = count("ApproximateNumberOfMessages")
    queue_type.approximate_number_of_messages_delayed = count("ApproximateNumberOfMessagesDelayed")
    queue_type.approximate_number_of_messages_not_visible = count("ApproximateNumberOfMessagesNotVisible")
    queue_type.attributes = property(attributes)
    queue_type.messages = property(messages)
    sqs_models.SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period


def method_names_listed_once():
    """moto lists the methods of a service's response class (inspect.getmembers) on every request, to check that
    the action has one; a class's methods do not change while the server runs, so each class is listed once."""
    from moto.core import responses
    listed = {}
    original = responses.method_names_from_class

    def method_names_from_class(clazz):
        names = listed.get(clazz)
        if names is None:
            names = listed[clazz] = frozenset(original(clazz))
        return names

    responses.method_names_from_class = method_names_from_class


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
    undo_log_for_transactions()
    query_reads_only_its_partition()
    list_moto_modules_once()
    method_names_listed_once()
    queue_counts_in_one_pass()
    keep_connections_alive()
    app = DomainDispatcherApplication(create_backend_app)
    if state is not None and state.restore():
        print("restored moto's state from %s" % state.path, flush=True)
    run_simple(host, port, SerialisedApp(app, state), threaded=True, request_handler=KeepAliveRequestHandler)


if __name__ == "__main__":
    main()
