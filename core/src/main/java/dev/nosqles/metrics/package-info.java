/**
 * The framework's metrics SPI: {@link dev.nosqles.metrics.Metrics} receives counts named by {@link
 * dev.nosqles.metrics.Metric}; the Lambda adapter turns them into CloudWatch embedded metric format. Core has no
 * metrics library.
 */
package dev.nosqles.metrics;
