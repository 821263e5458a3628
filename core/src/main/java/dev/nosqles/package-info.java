/**
 * nosql-es, event sourcing on AWS serverless: the root of the framework, holding {@link
 * dev.nosqles.EventSourcingException}, the one exception every typed failure of the library extends.
 *
 * <p><b>Public and internal.</b> Core's public API is the public types of its packages whose name has no
 * {@code internal} segment (listed, and checked by a test, in {@code core/src/test/resources/public-api.txt}).
 * Packages named {@code *.internal} hold implementation details shared inside core (the DynamoDB item layout, the
 * JSON configuration, the read-model registry): they may change in any release without notice, and no other module
 * may import them (a test of the build fails when one does). What an adapter or a handler needs is offered as a
 * public, documented method instead. See ADR 0010.
 */
package dev.nosqles;
