/**
 * What an operator asks of a running nosql-es application, read from its DynamoDB tables and SQS queues: a stream's
 * history with its metadata (at a version or as of a time), a saga's timeline, the sagas past due, each
 * subscriber's lag, and the dead-letter queues (list, decode, redrive through the framework's deduplication).
 * The {@code nosqles} command prints these as tables or JSON; the local console ({@code make run}, {@code /_console})
 * draws them. Nothing here writes to the events table.
 */
package dev.nosqles.operations;
