package dev.nosqles.bench; public final class BenchMain { public static void main(String[] a) {} }
