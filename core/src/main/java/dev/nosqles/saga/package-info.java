/**
 * Orchestrated sagas on the event store (ADR 0005).
 *
 * <p>Define a saga as typed data, with {@link dev.nosqles.saga.Channel}s shared with its participants:
 * <pre>{@code
 * SagaDefinition<Data> saga = SagaDefinition.builder("CreateOrderSaga", Data.class)
 *     .step("reject-order-on-failure").compensate(ORDERS, Data::orderId, d -> new RejectOrder("..."))
 *     .step("reserve-credit").invoke(CUSTOMERS, Data::customerId, d -> new ReserveCredit(...))
 *         .deadline(Duration.ofSeconds(30)).compensate(CUSTOMERS, Data::customerId, d -> new ReleaseCredit(...))
 *     .step("approve-order").invoke(ORDERS, Data::orderId, d -> new ApproveOrder())
 *     .build();
 * }</pre>
 * Wire it with a {@link dev.nosqles.saga.SagaMessageSender} (SQS in the Lambda module):
 * <ul>
 *   <li>stream function: {@link dev.nosqles.saga.SagaManager#starter}, {@link dev.nosqles.saga.SagaManager#commandSender()}
 *       and {@link dev.nosqles.saga.SagaParticipant#replySender} as subscribers of one {@code EventDispatcher};</li>
 *   <li>each participant's command queue: {@link dev.nosqles.saga.SagaParticipant#handle};</li>
 *   <li>the reply queue: {@link dev.nosqles.saga.SagaManager#handle}.</li>
 * </ul>
 * Test a definition with {@link dev.nosqles.saga.testing.SagaFixture}.
 */
package dev.nosqles.saga;
