package dev.panllama.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The subcommand table and the command line built for a given first argument. */
class MainTest {
    private static final PrintStream SINK = new PrintStream(new ByteArrayOutputStream());

    @Test
    void tableNamesMatchTheCommandsOwnNames() {
        for (Map.Entry<String, Class<?>> e : Main.SUBCOMMANDS) {
            assertEquals(e.getKey(), e.getValue().getAnnotation(CommandLine.Command.class).name(), e.getValue().getName());
        }
    }

    @Test
    void aNamedSubcommandIsTheOnlyOneBuilt() {
        assertEquals(List.of("generate"), List.copyOf(Main.commandLine(SINK, SINK, new String[] {"generate", "-p", "x"})
                .getSubcommands().keySet()));
        assertEquals(List.of("tokenize"), List.copyOf(Main.commandLine(SINK, SINK, new String[] {"tokenize"})
                .getSubcommands().keySet()));
    }

    @Test
    void helpVersionAndUnknownArgumentsSeeEverySubcommand() {
        List<String> all = Main.SUBCOMMANDS.stream().map(Map.Entry::getKey).toList();
        for (String[] args : new String[][] {{}, {"help", "generate"}, {"--help"}, {"--version"}, {"genrate"}}) {
            assertEquals(all, List.copyOf(Main.commandLine(SINK, SINK, args).getSubcommands().keySet()), String.join(" ", args));
        }
    }

    @Test
    void topLevelHelpListsEverySubcommandInOrder() {
        Cli r = Cli.run("--help");
        assertEquals(0, r.exitCode(), r.toString());
        int last = -1;
        for (Map.Entry<String, Class<?>> e : Main.SUBCOMMANDS) {
            int at = r.out().indexOf("  " + e.getKey() + " ");
            assertTrue(at > last, e.getKey() + " listed in order\n" + r);
            last = at;
        }
    }
}
