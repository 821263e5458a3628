/**
 * JSON without Jackson for the cold path (ADR 0020): {@link dev.nosqles.json.JsonReader} reads one strict JSON text
 * into plain values, {@link dev.nosqles.json.JsonWriter} writes one value by value; both behave as jackson-core's
 * defaults do and are one class each, where jackson-core's parser and generator are some 80 a new Lambda JVM loads.
 */
package dev.nosqles.json;
