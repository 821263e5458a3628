package dev.nosqles.app.saga;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.math.BigDecimal;

/**
 * The data of a {@link CreateOrderSaga}. The amount is stored as a JSON string (no double rounding).
 *
 * @param orderId the order waiting for approval
 * @param customerId whose credit is reserved
 * @param orderTotal how much
 */
public record CreateOrderSagaData(String orderId, String customerId,
                                  @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal orderTotal) {
}
