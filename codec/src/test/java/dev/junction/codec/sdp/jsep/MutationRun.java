package dev.junction.codec.sdp.jsep;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The loop shared by the SDP and sdpfrag mutation tests: every fixture split into its CRLF lines, one seeded
 * {@link Random} so that a failure replays, the fixtures taken in turn, and a failure that names the mutation, the
 * fixture and the input that broke the invariant.
 */
final class MutationRun {
    /**
     * Makes one input from {@code lines}, a copy of a fixture's lines that it may change; {@code fixtures} holds
     * every fixture's lines, to borrow from. The last line is the empty string the split leaves after the final CRLF.
     */
    @FunctionalInterface
    interface Mutator {
        byte[] mutate(Random random, List<String> lines, List<List<String>> fixtures);
    }

    private MutationRun() {
    }

    /**
     * Runs {@code mutations} inputs through {@code check}, which throws when an invariant breaks.
     *
     * @param names the fixtures, in the order they are taken
     * @param text a fixture's text by name
     */
    static void run(long seed, int mutations, List<String> names, Function<String, String> text, Mutator mutator,
            Consumer<byte[]> check) {
        Random random = new Random(seed);
        List<List<String>> fixtures = new ArrayList<>();
        for (String name : names) {
            fixtures.add(Arrays.asList(text.apply(name).split("\r\n", -1)));
        }
        for (int i = 0; i < mutations; i++) {
            List<String> lines = new ArrayList<>(fixtures.get(i % fixtures.size()));
            byte[] input = mutator.mutate(random, lines, fixtures);
            try {
                check.accept(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("mutation " + i + " of " + names.get(i % names.size()) + " broke an invariant; input:\n"
                        + new String(input, StandardCharsets.UTF_8), e);
            }
        }
    }
}
