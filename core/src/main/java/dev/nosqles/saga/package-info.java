/**
 * Orchestrated sagas on the event store (ADR 0005).
 *
 * <p>Define a saga as typed data, with {@link dev.nosqles.saga.Channel}s shared with its participants:
 * <pre>{@code
 * SagaDefinition<Data> saga = SagaDefinition.builder("CreateOrderSaga", Data.class)
 *     .defaultDeadline(Duration.ofMinutes(5))     // every step and compensation that names none
 *     .maxResends(3)                              // then the saga ends FAILED
 *     .step("reject-order-on-failure").compensate(ORDERS, Data::orderId, d -> new RejectOrder("..."))
 *     .step("reserve-credit").invoke(CUSTOMERS, Data::customerId, d -> new ReserveCredit(...))
 *         .deadline(Duration.ofSeconds(30)).compensate(CUSTOMERS, Data::customerId, d -> new ReleaseCredit(...))
 *     .step("approve-order").invoke(ORDERS, Data::orderId, d -> new ApproveOrder())
 *     .build();
 * }</pre>
 * Every awaited command has a deadline. Past it, a step with a compensation is compensated; a command that cannot
 * be compensated (a step after the pivot, or a compensation) is re-sent with the same message id, then the saga
 * ends {@link dev.nosqles.saga.SagaStatus#FAILED}. A success reply to a command given up at its deadline sends its
 * compensation again. Participants must be robust to reordering: a compensation that finds nothing to undo leaves
 * a countermeasure that refuses the late command.
 *
 * <p>Wire it with a {@link dev.nosqles.saga.SagaMessageSender} (SQS in the Lambda module) and a
 * {@link dev.nosqles.saga.SagaDeadlines} index ({@link dev.nosqles.dynamodb.DynamoDbSagaDeadlines}):
 * <ul>
 *   <li>stream function: {@link dev.nosqles.saga.SagaManager#starter}, {@link dev.nosqles.saga.SagaManager#commandSender()}
 *       (schedules each command's deadline message, then sends it) and
 *       {@link dev.nosqles.saga.SagaParticipant#replySender} as subscribers of one {@code EventDispatcher};</li>
 *   <li>each participant's command queue: {@link dev.nosqles.saga.SagaParticipant#handle};</li>
 *   <li>the reply queue: {@link dev.nosqles.saga.SagaManager#handle};</li>
 *   <li>a schedule (every minute): {@link dev.nosqles.saga.SagaSweeper#sweep()}, which finds the sagas past due in
 *       the index and hands them to {@link dev.nosqles.saga.SagaManager#expire}.</li>
 * </ul>
 * Messages carry when they were first sent ({@link dev.nosqles.saga.SagaMessage#sentAt()}); the receivers pass it
 * to their repository as {@code EventMetadata.messageSentAt}. Test a definition with
 * {@link dev.nosqles.saga.testing.SagaFixture}.
 */
package dev.nosqles.saga;
