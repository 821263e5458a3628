package dev.nosqles.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A subcommand of a {@link GroupCommand} ({@code nosqles dlq list}, {@code nosqles projections rebuild}...): it
 * reaches the target and the root's context through its group, and prints through its own spec.
 *
 * @param <P> its group command
 */
abstract class Subcommand<P extends GroupCommand> implements Callable<Integer> {
    @ParentCommand
    P parent;

    @Spec
    CommandSpec spec;
}
