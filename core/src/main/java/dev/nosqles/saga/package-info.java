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
 * {@link dev.nosqles.saga.SagaDeadlines} index ({@link dev.nosqles.dynamodb.DynamoDbSagaDeadlines}); the manager
 * and the participants are built (validated in {@code build()}), their orchestrator is theirs:
 * <pre>{@code
 * SagaManager<Data> sagas = SagaManager.builder(saga)
 *     .eventStore(events).sender(sender)                 // required
 *     .snapshotStore(snapshots).deadlines(deadlines)     // optional: none by default
 *     .clock(clock).metrics(metrics)                     // optional: system UTC clock, no metrics
 *     .build();
 * SagaParticipant<CustomerState, CustomerCommand, CustomerEvent> customers =
 *     SagaParticipant.builder(customerRepository, CUSTOMERS, sender)
 *         .eventStore(events)                            // optional: answer a re-sent command with its recorded reply
 *         .replyData(outcome -> null)                    // optional: the data of each reply
 *         .build();
 * }</pre>
 * <ul>
 *   <li>stream function: {@link dev.nosqles.saga.SagaManager#starter}, {@link dev.nosqles.saga.SagaManager#commandSender()}
 *       (schedules each command's deadline message, then sends it) and
 *       {@link dev.nosqles.saga.SagaParticipant#replySender} as subscribers of one {@code EventDispatcher};</li>
 *   <li>each participant's command queue: {@link dev.nosqles.saga.SagaParticipant#handle};</li>
 *   <li>the reply queue: {@link dev.nosqles.saga.SagaManager#handle};</li>
 *   <li>a schedule (every minute): {@link dev.nosqles.saga.SagaSweeper#sweep()}, which finds the sagas past due in
 *       the index and hands them to {@link dev.nosqles.saga.SagaManager#expire}.</li>
 * </ul>
 * Queue bodies are written by {@link dev.nosqles.saga.SagaMessage#toJson()} and read by
 * {@link dev.nosqles.saga.SagaMessage#fromJson}, the one wire codec of every hop; the reply a participant records
 * ({@code nosqles.SagaReplyRequested}) is the reply's wire form less what is known only when it is sent, read back
 * by {@link dev.nosqles.saga.SagaParticipant#requestedReply}. Bodies and reply requests written by earlier versions
 * still read. Messages carry when they were first sent ({@link dev.nosqles.saga.SagaMessage#sentAt()}); the
 * receivers pass it to their repository as {@code EventMetadata.messageSentAt}.
 *
 * <p>Public: the definition ({@link dev.nosqles.saga.SagaDefinition}, {@link dev.nosqles.saga.Channel}), the manager
 * and its read-only views ({@link dev.nosqles.saga.SagaManager}, {@link dev.nosqles.saga.SagaInstance},
 * {@link dev.nosqles.saga.SagaResult}, {@link dev.nosqles.saga.SagaStatus}), the participant
 * ({@link dev.nosqles.saga.SagaParticipant}), the messages ({@link dev.nosqles.saga.SagaMessage},
 * {@link dev.nosqles.saga.SagaReply}, {@link dev.nosqles.saga.ReplyOutcome}), the ports
 * ({@link dev.nosqles.saga.SagaMessageSender}, {@link dev.nosqles.saga.SagaDeadlines}), the
 * {@link dev.nosqles.saga.SagaSweeper} and the exceptions. Internal: the orchestrator aggregate, its commands,
 * events and state (package-private; its stored event names {@code SagaOrchestratorCreated},
 * {@code SagaCommandEvent} and {@code SagaOrchestratorUpdated} are stable), the wire codec's implementation and
 * {@code dev.nosqles.saga.internal} (the derivation of ids; the ones tools need are public as
 * {@link dev.nosqles.saga.SagaManager#sagaIdOf}, {@link dev.nosqles.saga.SagaManager#deadlineMessageIdOf} and
 * {@link dev.nosqles.saga.SagaParticipant#directReplyIdOf}). Test a definition with
 * {@link dev.nosqles.saga.testing.SagaFixture}.
 */
package dev.nosqles.saga;
