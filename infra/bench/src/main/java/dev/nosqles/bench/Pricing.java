package dev.nosqles.bench;

/** DynamoDB on-demand prices used to turn request units into dollars. */
public final class Pricing {
    /** US dollars per million write request units, on-demand, us-east-1. */
    public static final double WRITE_PER_MILLION = 0.625;
    /** US dollars per million read request units, on-demand, us-east-1. */
    public static final double READ_PER_MILLION = 0.125;
    public static final String REGION = "us-east-1";
    /** The date these prices took effect (AWS halved on-demand prices then). */
    public static final String EFFECTIVE = "2024-11-01";
    public static final String SOURCE = "https://aws.amazon.com/dynamodb/pricing/on-demand/";

    private Pricing() {
    }

    /** Dollars per million operations that each consume {@code writeUnits}. */
    public static double writeDollarsPerMillion(double writeUnits) {
        return writeUnits * WRITE_PER_MILLION;
    }

    /** Dollars per million operations that each consume {@code readUnits}. */
    public static double readDollarsPerMillion(double readUnits) {
        return readUnits * READ_PER_MILLION;
    }
}
