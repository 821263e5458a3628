package dev.nosqles.app.api.internal;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.AggregateState;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.app.Application;
import dev.nosqles.app.Fields;
import dev.nosqles.app.api.internal.IdempotentIds.Operation;
import dev.nosqles.app.customer.Customer;
import dev.nosqles.app.customer.CustomerCommand;
import dev.nosqles.app.customer.CustomerCommand.CreateCustomer;
import dev.nosqles.app.customer.CustomerCommand.ForgetPersonalData;
import dev.nosqles.app.customer.CustomerEvent;
import dev.nosqles.app.customer.CustomerEvent.CustomerCreated;
import dev.nosqles.app.customer.CustomerState;
import dev.nosqles.store.StreamId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code POST /customers}, {@code GET /customers/{customerId}} (with {@code ?version=N} or {@code ?asOf=instant}),
 * {@code GET /customers/{customerId}/events}, {@code DELETE /customers/{customerId}/personal-data}. A customer
 * belongs to the principal that created it; to any other it does not exist (404).
 *
 * <p>Forgetting (ADR 0008) deletes the customer's key, then records {@code CustomerPersonalDataForgotten} (no
 * personal data; once); both steps are idempotent, so a retry after a crash between them completes the forget, and
 * a key that cannot be deleted leaves nothing recorded. The
 * answer is 202: other processes may hold the key in their cache for up to its period, answered as
 * {@code effectiveWithin} ({@link dev.nosqles.privacy.SubjectKeys#cacheTtl()}: five minutes by default).
 */
public final class CustomerRoutes {
    private static final String NO_CUSTOMER = "no customer with this id";

    private final Application app;
    private final AggregateRepository<CustomerState, CustomerCommand, CustomerEvent> customers;

    public CustomerRoutes(Application app) {
        this.app = app;
        this.customers = app.customers();
    }

    public Router register(Router router) {
        return router
                .add("POST", "/customers", (request, params) -> create(request))
                .add("GET", "/customers/{customerId}", (request, params) -> get(request, params.get("customerId")))
                .add("GET", "/customers/{customerId}/events",
                        (request, params) -> history(request, params.get("customerId")))
                .add("DELETE", "/customers/{customerId}/personal-data",
                        (request, params) -> forget(request, params.get("customerId")));
    }

    private APIGatewayV2HTTPResponse create(ApiRequest request) {
        Map<String, Object> body = Bodies.object(request);
        CreateCustomer command = new CreateCustomer(Bodies.text(body, "name"), Bodies.amount(body, "creditLimit"),
                request.principal(), Bodies.text(body, "email"));
        String id = IdempotentIds.forCreate(Operation.CREATE_CUSTOMER, request.principal(), request.idempotencyKey(),
                app::newId);
        IdempotentCreates.create(customers, id, command, request, Operation.CREATE_CUSTOMER,
                original -> original.name().equals(command.name())
                        && original.creditLimit().compareTo(command.creditLimit()) == 0
                        && Objects.equals(original.email(), command.email()));
        return Responses.json(201, Map.of("Location", "/customers/" + id), "customerId", id);
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request, String customerId) {
        requireId(customerId);
        String version = request.query().get("version");
        String asOf = request.query().get("asOf");
        Optional<AggregateState<CustomerState>> customer;
        if (version != null && asOf != null) {
            throw ProblemException.badRequest("invalid-query", "version", "give version or asOf, not both");
        } else if (version != null) {
            long n = OrderRoutes.parseVersion(version);
            customer = customers.findAtVersion(customerId, n).filter(c -> c.version() == n);
        } else if (asOf != null) {
            customer = customers.findAsOf(customerId, OrderRoutes.parseInstant(asOf));
        } else {
            customer = customers.find(customerId);
        }
        customer = customer.filter(c -> Owners.owns(request.principal(), c.state().owner(), customers, customerId));
        return Responses.json(200, Views.customer(customer.orElseThrow(() -> ProblemException.notFound(
                version == null && asOf == null ? NO_CUSTOMER : "the customer did not exist at that point"))),
                Map.of());
    }

    private APIGatewayV2HTTPResponse history(ApiRequest request, String customerId) {
        requireId(customerId);
        List<EventEnvelope<CustomerEvent>> events = customers.history(customerId);
        String owner = !events.isEmpty() && events.getFirst().event() instanceof CustomerCreated created
                ? created.owner() : null;
        if (events.isEmpty() || !Owners.owns(request.principal(), owner, events)) {
            throw ProblemException.notFound(NO_CUSTOMER);
        }
        return Responses.json(200, Views.history(events), Map.of());
    }

    /**
     * Idempotent: forgetting a forgotten customer appends nothing and answers 202 again. The Idempotency-Key that
     * created this very customer is refused (422), as for a cancel.
     */
    private APIGatewayV2HTTPResponse forget(ApiRequest request, String customerId) {
        String key = request.idempotencyKey();
        if (key != null && Fields.isId(customerId) && customerId.equals(IdempotentIds.forCreate(
                Operation.CREATE_CUSTOMER, request.principal(), key, () -> null))) {
            throw ProblemException.unprocessable("idempotency-key-reused",
                    "the Idempotency-Key was used to create this customer; give each request its own key");
        }
        // the owner never changes once recorded: checking it before the update cannot race
        find(request.principal(), customerId);
        // the key first: should it fail (503) nothing is recorded, so the audit trail never claims a forget that
        // did not happen; the command then loads with placeholders and records the forget once (a retry after a
        // crash between the two steps records a missing one)
        app.subjectKeys().forget(customerId);
        customers.update(customerId, new ForgetPersonalData(), Metadata.of(request, Operation.FORGET_CUSTOMER));
        // a snapshot taken before the personal data was declared holds it in plain text; last, so that no
        // snapshot the update may have loaded survives (idempotent: a retry deletes it again)
        app.snapshots().delete(StreamId.of(Customer.TYPE, customerId));
        return Responses.json(202, Map.of(), "customerId", customerId, "forgotten", true,
                "effectiveWithin", app.subjectKeys().cacheTtl().toString());
    }

    private AggregateState<CustomerState> find(String principal, String customerId) {
        requireId(customerId);
        return customers.find(customerId)
                .filter(c -> Owners.owns(principal, c.state().owner(), customers, customerId))
                .orElseThrow(() -> ProblemException.notFound(NO_CUSTOMER));
    }

    private static void requireId(String customerId) {
        if (!Fields.isId(customerId)) {
            throw ProblemException.notFound(NO_CUSTOMER);
        }
    }
}
