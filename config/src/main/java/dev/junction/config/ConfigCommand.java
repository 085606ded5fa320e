package dev.junction.config;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code ./junction config ...}: checks a config file as the server would load it, and prints what the key
 * documentation is generated from.
 * <ul>
 *   <li>{@code check FILE [FLAGS]}: loads defaults, FILE, the {@code JUNCTION_*} environment and FLAGS exactly as
 *       {@code serve} does; prints every effective setting with where it came from (secrets masked) and exits 0,
 *       or prints the one-line reason and exits 2.</li>
 *   <li>{@code example}: a properties file with every key at its default ({@code junction.properties}).</li>
 *   <li>{@code table}: README's Markdown table of keys.</li>
 * </ul>
 */
public final class ConfigCommand {

    private ConfigCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** The exit status: 0 done, 2 bad usage or an invalid configuration. */
    static int run(String[] args, java.util.Map<String, String> environment, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "" : args[0];
        switch (command) {
            case "check" -> {
                if (args.length < 2 || args[1].startsWith("--")) {
                    err.println("junction: config check needs a file: ./junction config check FILE [FLAGS]");
                    return 2;
                }
                String[] load = new String[args.length];
                load[0] = "--config";
                load[1] = args[1];
                System.arraycopy(args, 2, load, 2, args.length - 2);
                try {
                    ConfigLoader.Loaded loaded = ConfigLoader.loadWithSources(load, environment);
                    out.println("# " + args[1] + " is valid; the effective configuration (defaults < file < JUNCTION_* environment < flags):");
                    for (ConfigLoader.Setting s : loaded.settings()) out.println(s.describe());
                    return 0;
                } catch (ConfigException e) {
                    err.println("junction: " + e.getMessage());
                    return 2;
                }
            }
            case "example" -> {
                out.print(ConfigKeys.exampleProperties());
                return 0;
            }
            case "table" -> {
                out.print(ConfigKeys.markdownTable());
                return 0;
            }
            default -> {
                err.println("junction: config takes check FILE [FLAGS], example or table, not " + Arrays.toString(args));
                return 2;
            }
        }
    }
}
