package dev.nosqles.app.api.internal;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.app.api.internal.IdempotentIds.Operation;
import dev.nosqles.store.StreamAlreadyExistsException;
import java.util.function.Predicate;

/**
 * A {@code POST} that creates an aggregate, retried with the same {@code Idempotency-Key}. The id and message id
 * derived from the key ({@link IdempotentIds}) make the repository recognise the retry from the aggregate's first
 * commit alone, which the failed conditional write hands back (no read): it answers a duplicate whose state is the
 * state <em>as created</em> ({@link AggregateRepository#create(String, Object, dev.nosqles.store.EventMetadata)}).
 * The one rule left to a route is HTTP's "same key, different body": the request is compared with that state,
 * and a request that would have created something else is refused with 422 {@code idempotency-key-reused},
 * nothing written. A retry with the same body is answered like the first request (201, the same id).
 *
 * <p>Cost of a retried create: the conditional PutItem, nothing else (plus what the route checks before it).
 */
final class IdempotentCreates {
    private IdempotentCreates() {
    }

    /**
     * Creates the aggregate, or recognises the retry of the request that created it.
     *
     * @param sameRequest whether the state as created is what this request creates (compares its body)
     * @return the create's result; a duplicate only when the request is the same
     * @throws ProblemException 422 {@code idempotency-key-reused}: the key created something else
     * @throws StreamAlreadyExistsException without a key, the (random) id was taken
     */
    static <S, C, E> CommandResult<S, E> create(AggregateRepository<S, C, E> repository, String id, C command,
                                                ApiRequest request, Operation operation,
                                                Predicate<S> sameRequest) {
        CommandResult<S, E> result;
        try {
            result = repository.create(id, command, Metadata.of(request, operation));
        } catch (StreamAlreadyExistsException exists) {
            if (request.idempotencyKey() == null) {
                throw exists;
            }
            // the key's id names an aggregate another message created: never this request's
            throw reused();
        }
        if (result.duplicate() && !sameRequest.test(result.state().state())) {
            throw reused();
        }
        return result;
    }

    private static ProblemException reused() {
        return ProblemException.unprocessable("idempotency-key-reused",
                "the Idempotency-Key was used before for a different request");
    }
}
