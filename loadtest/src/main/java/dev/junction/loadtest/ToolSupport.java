package dev.junction.loadtest;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;

/** What the command-line tools (conformance, doctor) share: option handling and one HTTP exchange. */
final class ToolSupport {

    private ToolSupport() {
    }

    /**
     * The options {@code parse} makes of {@code args}; prints the usage and exits 0 for {@code --help}, or the
     * reason and the usage and exits 2 for bad options.
     */
    static <O> O optionsOrExit(String tool, String usage, String[] args, Function<String[], O> parse) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(usage);
            System.exit(0);
        }
        try {
            return parse.apply(args);
        } catch (IllegalArgumentException e) {
            System.err.println(tool + ": " + e.getMessage());
            System.err.println(usage);
            System.exit(2);
            throw e; // not reached
        }
    }

    /** Reads {@code --flag value} pairs into {@code values}, whose keys are the known flags and values the defaults. */
    static void readFlags(java.util.Map<String, String> values, String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!values.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option '" + args[i] + "' (known: " + String.join(", ", values.keySet()) + ")");
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException(args[i] + ": a value is required");
            values.put(args[i], args[++i]);
        }
    }

    /** Sends {@code request} with the bearer {@code token} (if any); a server that does not answer is an IllegalStateException. */
    static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request, String token, Duration timeout) {
        if (!token.isEmpty()) request.header("Authorization", "Bearer " + token);
        try {
            return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the server did not answer: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
