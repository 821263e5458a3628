package dev.nosqles.testsupport;

import dev.nosqles.store.AppendResult;
import dev.nosqles.store.ConcurrencyConflictException;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.StreamAlreadyExistsException;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamSlice;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * An event store decorator that injects the failures of a write whose answer was lost: it performs the append
 * and then throws what the caller would see, or throws without writing. Armed for a number of appends.
 */
public final class FailingAfterAppendStore implements EventStore {

    /** What the caller sees. */
    public enum Fault {
        /** The write landed; the SDK retried it and the retry failed its condition against the commit it wrote. */
        CONFLICT_AFTER_WRITE,
        /**
         * The write landed; the SDK retried it and the retry's conflict carries the commit it wrote as the competing
         * commit (a backend that did not recognise it as ours).
         */
        OWN_COMMIT_IN_CONFLICT_AFTER_WRITE,
        /** The write landed; the answers kept failing until the SDK gave up. */
        SDK_GAVE_UP_AFTER_WRITE,
        /** Nothing was written; the SDK gave up. */
        SDK_GAVE_UP_BEFORE_WRITE
    }

    private final EventStore delegate;
    private final AtomicInteger armed = new AtomicInteger();
    private final AtomicInteger landed = new AtomicInteger();
    private volatile Fault fault;

    public FailingAfterAppendStore(EventStore delegate) {
        this.delegate = delegate;
    }

    /** The next {@code appends} appends fail with {@code fault}. */
    public FailingAfterAppendStore failNext(int appends, Fault fault) {
        this.fault = fault;
        armed.set(appends);
        return this;
    }

    /** How many of the armed failures are still to come (0: every one fired). */
    public int faultsLeft() {
        return armed.get();
    }

    /** How many appends reached the delegate and were written. */
    public int appendsWritten() {
        return landed.get();
    }

    @Override
    public AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> events,
                               EventMetadata metadata) {
        if (armed.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
            AppendResult result = delegate.append(streamId, expected, events, metadata);
            landed.incrementAndGet();
            return result;
        }
        if (fault == Fault.SDK_GAVE_UP_BEFORE_WRITE) {
            throw SdkClientException.create("injected: the request never reached the store");
        }
        AppendResult result = delegate.append(streamId, expected, events, metadata);
        landed.incrementAndGet();
        if (fault == Fault.SDK_GAVE_UP_AFTER_WRITE) {
            throw SdkClientException.create("injected: connection reset after the write, retries exhausted");
        }
        if (fault == Fault.OWN_COMMIT_IN_CONFLICT_AFTER_WRITE) {
            if (expected.version() == 0) {
                throw new StreamAlreadyExistsException(streamId, result.lastVersion(), result.events(),
                        result.nextExpectedVersion());
            }
            throw new ConcurrencyConflictException(streamId, expected.version(), result.lastVersion(),
                    result.events(), result.nextExpectedVersion());
        }
        if (expected.version() == 0) {
            throw new StreamAlreadyExistsException(streamId, result.lastVersion());
        }
        throw new ConcurrencyConflictException(streamId, expected.version(), result.lastVersion());
    }

    @Override
    public StreamSlice read(StreamId streamId, ReadRequest request) {
        return delegate.read(streamId, request);
    }
}
