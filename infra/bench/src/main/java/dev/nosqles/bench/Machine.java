package dev.nosqles.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine a run measured on, for the report. */
public record Machine(int cores, String memory, String cpuModel, String jdk, String os) {

    public static Machine describe() {
        return new Machine(Runtime.getRuntime().availableProcessors(), memTotal(), readCpuModel(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + " (" + System.getProperty("java.vm.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
    }

    /** The 1, 5 and 15 minute load averages now (other work on the machine skews timings, never units). */
    public static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }

    private static String readCpuModel() {
        return procField(Path.of("/proc/cpuinfo"), "model name").orElse("unknown (no /proc/cpuinfo)");
    }

    private static String memTotal() {
        return procField(Path.of("/proc/meminfo"), "MemTotal").map(v -> {
            String[] parts = v.trim().split("\\s+");
            try {
                return String.format(java.util.Locale.ROOT, "%.1f GiB", Long.parseLong(parts[0]) / 1024.0 / 1024.0);
            } catch (NumberFormatException e) {
                return v;
            }
        }).orElse("unknown (no /proc/meminfo)");
    }

    private static java.util.Optional<String> procField(Path file, String name) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                    return java.util.Optional.of(line.substring(colon + 1).trim());
                }
            }
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }
}
