package dev.nosqles.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands ({@code nosqles dlq|projections|saga|sagas|stream}): given alone it is a
 * usage error naming its subcommands; its subcommands reach the root's options and the target through it.
 */
abstract class GroupCommand implements Runnable {
    @ParentCommand
    Nosqles root;

    @Spec
    CommandSpec spec;

    private final String subcommands;

    /** @param subcommands the subcommands as the usage error lists them, e.g. {@code "list, show or redrive"} */
    GroupCommand(String subcommands) {
        this.subcommands = subcommands;
    }

    @Override
    public final void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is missing: " + subcommands);
    }

    /** The target the root's options and the environment name. */
    Target target() {
        return root.target();
    }
}
