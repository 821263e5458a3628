package dev.nosqles.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link ReplayBenchmark} with JMH and its GC profiler, in this process's classpath. */
public final class Replay {
    private Replay() {
    }

    public record Config(int forks, int warmupIterations, int measurementIterations, double iterationSeconds) {
        public static Config full() {
            return new Config(1, 3, 5, 1.0);
        }
    }

    /**
     * @param eventsPerSecond JMH's score (throughput, per event) @param error its 99.9% confidence half-width
     * @param allocatedBytesPerEvent gc.alloc.rate.norm
     */
    public record Score(String benchmark, double eventsPerSecond, double error, double allocatedBytesPerEvent) {
    }

    public static List<Score> run(Config config) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(ReplayBenchmark.class.getName() + "\\.")
                .forks(config.forks())
                .warmupIterations(config.warmupIterations())
                .warmupTime(TimeValue.milliseconds((long) (config.iterationSeconds() * 1000)))
                .measurementIterations(config.measurementIterations())
                .measurementTime(TimeValue.milliseconds((long) (config.iterationSeconds() * 1000)))
                .addProfiler(GCProfiler.class)
                .jvmArgsAppend("-Xms512m", "-Xmx512m")
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        List<Score> scores = new ArrayList<>();
        for (RunResult r : results) {
            BenchmarkParams params = r.getParams();
            String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            Result<?> primary = r.getPrimaryResult();
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            scores.add(new Score(method, primary.getScore(), primary.getScoreError(),
                    alloc == null ? Double.NaN : alloc.getScore()));
        }
        return scores;
    }
}
