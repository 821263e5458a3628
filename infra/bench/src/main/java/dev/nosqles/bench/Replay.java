package dev.nosqles.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link ReplayBenchmark} with JMH and its GC profiler, in this process's classpath: in rounds, each round one
 * forked JVM per benchmark, the order of the benchmarks reversed every other round, so that a shift in the shared
 * machine's load meets each benchmark alike rather than the one that happens to run last. Each benchmark's score is
 * its median round. {@code framework} and {@code handWritten} run back to back in every round, so a round's ratio of
 * the two compares forks that ran under the same load: the ratio reported is the median of the rounds' ratios
 * ({@link #pairedRatio}).
 */
public final class Replay {
    /**
     * The benchmarks of {@link ReplayBenchmark}, in the order of the first round (reversed in the next): the two the
     * goal compares are neighbours either way.
     */
    static final List<String> BENCHMARKS = List.of("frameworkUpcasting", "framework", "handWritten");

    private Replay() {
    }

    /** @param rounds each runs every benchmark once, in a fork of its own */
    public record Config(int rounds, int warmupIterations, int measurementIterations, double iterationSeconds) {
        public static Config full() {
            return new Config(5, 3, 5, 1.0);
        }
    }

    /**
     * @param eventsPerSecond JMH's score (throughput, per event) of the median round @param error the larger of
     *        that round's 99.9% confidence half-width and half the spread of the rounds' scores
     * @param allocatedBytesPerEvent gc.alloc.rate.norm of the median round
     * @param rounds every round's throughput, in the order run
     */
    public record Score(String benchmark, double eventsPerSecond, double error, double allocatedBytesPerEvent,
                        List<Double> rounds) {
    }

    public static List<Score> run(Config config) throws RunnerException {
        Map<String, List<Score>> runs = new LinkedHashMap<>(); // in the order reported; run in BENCHMARKS' order
        List.of("framework", "frameworkUpcasting", "handWritten").forEach(b -> runs.put(b, new ArrayList<>()));
        for (int round = 0; round < config.rounds(); round++) {
            List<String> order = new ArrayList<>(BENCHMARKS);
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            for (String benchmark : order) {
                runs.get(benchmark).add(runOne(config, benchmark));
            }
        }
        List<Score> scores = new ArrayList<>();
        runs.forEach((benchmark, rounds) -> scores.add(median(benchmark, rounds)));
        return scores;
    }

    /**
     * The median over the rounds of {@code score}'s throughput divided by {@code baseline}'s in the same round: a
     * round's two forks ran one after the other, under much the same share of the machine, which a ratio of two
     * medians (possibly from different rounds) does not ensure.
     *
     * @throws IllegalArgumentException the two did not run the same number of rounds, or none
     */
    static double pairedRatio(Score score, Score baseline) {
        List<Double> sorted = new ArrayList<>(roundRatios(score, baseline));
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * The rounds' ratios of {@code score}'s throughput to {@code baseline}'s, in the order run.
     *
     * @throws IllegalArgumentException the two did not run the same number of rounds, or none
     */
    static List<Double> roundRatios(Score score, Score baseline) {
        List<Double> a = score.rounds();
        List<Double> b = baseline.rounds();
        if (a.isEmpty() || a.size() != b.size()) {
            throw new IllegalArgumentException("expected the same rounds, got " + a.size() + " and " + b.size());
        }
        List<Double> ratios = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            ratios.add(a.get(i) / b.get(i));
        }
        return ratios;
    }

    /** The median round's score, its error widened to the spread of the rounds. */
    static Score median(String benchmark, List<Score> rounds) {
        List<Score> sorted = new ArrayList<>(rounds);
        sorted.sort(Comparator.comparingDouble(Score::eventsPerSecond));
        Score middle = sorted.get((sorted.size() - 1) / 2);
        double spread = (sorted.get(sorted.size() - 1).eventsPerSecond() - sorted.get(0).eventsPerSecond()) / 2;
        return new Score(benchmark, middle.eventsPerSecond(), Math.max(middle.error(), spread),
                middle.allocatedBytesPerEvent(), rounds.stream().map(Score::eventsPerSecond).toList());
    }

    private static Score runOne(Config config, String benchmark) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(ReplayBenchmark.class.getName() + "\\." + benchmark + "$")
                .forks(1)
                .warmupIterations(config.warmupIterations())
                .warmupTime(TimeValue.milliseconds((long) (config.iterationSeconds() * 1000)))
                .measurementIterations(config.measurementIterations())
                .measurementTime(TimeValue.milliseconds((long) (config.iterationSeconds() * 1000)))
                .addProfiler(GCProfiler.class)
                .jvmArgsAppend("-Xms512m", "-Xmx512m")
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        if (results.size() != 1) {
            throw new IllegalStateException("expected one result for " + benchmark + ", got " + results.size());
        }
        RunResult r = results.iterator().next();
        Result<?> primary = r.getPrimaryResult();
        Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
        return new Score(benchmark, primary.getScore(), primary.getScoreError(),
                alloc == null ? Double.NaN : alloc.getScore(), List.of(primary.getScore()));
    }
}
