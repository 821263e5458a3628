package dev.nosqles.app.api.internal;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.AggregateState;
import dev.nosqles.app.Application;
import dev.nosqles.app.Fields;
import dev.nosqles.app.api.internal.IdempotentIds.Operation;
import dev.nosqles.app.customer.CustomerCommand;
import dev.nosqles.app.customer.CustomerCommand.CreateCustomer;
import dev.nosqles.app.customer.CustomerEvent;
import dev.nosqles.app.customer.CustomerState;
import dev.nosqles.internal.Json;
import dev.nosqles.store.StreamAlreadyExistsException;
import java.util.Map;

/**
 * {@code POST /customers}, {@code GET /customers/{customerId}}. A customer belongs to the principal that created
 * it; to any other it does not exist (404).
 */
public final class CustomerRoutes {
    private final Application app;
    private final AggregateRepository<CustomerState, CustomerCommand, CustomerEvent> customers;

    public CustomerRoutes(Application app) {
        this.app = app;
        this.customers = app.customers();
    }

    public Router register(Router router) {
        return router
                .add("POST", "/customers", (request, params) -> create(request))
                .add("GET", "/customers/{customerId}", (request, params) -> get(request, params.get("customerId")));
    }

    private APIGatewayV2HTTPResponse create(ApiRequest request) {
        ObjectNode body = Bodies.object(request);
        CreateCustomer command = new CreateCustomer(Bodies.text(body, "name"), Bodies.amount(body, "creditLimit"),
                request.principal());
        String id = IdempotentIds.forCreate(Operation.CREATE_CUSTOMER, request.principal(), request.idempotencyKey(),
                app::newId);
        // a retry with the same key finds the stream created: by its message id (a duplicate) or, should that
        // id have left the deduplication window, because the stream exists
        boolean retried;
        try {
            retried = customers.create(id, command, Metadata.of(request, Operation.CREATE_CUSTOMER)).duplicate();
        } catch (StreamAlreadyExistsException exists) {
            if (request.idempotencyKey() == null) {
                throw exists;
            }
            retried = true;
        }
        if (retried) {
            CustomerState original = customers.findAtVersion(id, 1).orElseThrow().state();
            if (!original.name().equals(command.name()) || original.creditLimit().compareTo(command.creditLimit()) != 0) {
                throw ProblemException.unprocessable("idempotency-key-reused",
                        "the Idempotency-Key was used before for a different request");
            }
        }
        return Responses.json(201, Json.mapper().createObjectNode().put("customerId", id),
                Map.of("Location", "/customers/" + id));
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request, String customerId) {
        AggregateState<CustomerState> customer = find(request.principal(), customerId);
        return Responses.json(200, Views.customer(customer), Map.of());
    }

    private AggregateState<CustomerState> find(String principal, String customerId) {
        if (!Fields.isId(customerId)) {
            throw ProblemException.notFound("no customer with this id");
        }
        return customers.find(customerId)
                .filter(c -> Owners.owns(principal, c.state().owner(), customers, customerId))
                .orElseThrow(() -> ProblemException.notFound("no customer with this id"));
    }
}
