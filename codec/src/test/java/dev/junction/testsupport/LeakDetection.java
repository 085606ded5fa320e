package dev.junction.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns Netty leak reports into test failures (STYLE: Leaks, after Netty's own {@code leak} profile).
 *
 * <p>Registered for every test class of every module through JUnit's extension auto-detection
 * ({@code META-INF/services}, shipped in codec's test-jar). It installs, before any buffer class is
 * initialised, a leak detector factory whose detectors record instead of only logging, runs paranoid,
 * and after each test class forces collection and fails the class if any buffer was leaked.
 */
public final class LeakDetection implements BeforeAllCallback, AfterAllCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // The static initialiser has run; leaks of earlier classes were reported in their afterAll.
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        List<String> leaks = collect();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty buffer leak(s) in " + context.getDisplayName() + ":\n"
                    + String.join("\n----\n", leaks));
        }
    }

    /** Forces unreachable tracked buffers through the detector and returns (and clears) what it found. */
    public static List<String> collect() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20); // lets the reference handler enqueue the collected trackers
            // Leak reports are produced when a detector tracks its next object: poke each allocator kind.
            poke(PooledByteBufAllocator.DEFAULT);
            poke(UnpooledByteBufAllocator.DEFAULT);
        }
        List<String> found = List.copyOf(LEAKS);
        LEAKS.clear();
        return found;
    }

    private static void poke(ByteBufAllocator allocator) {
        ByteBuf heap = allocator.heapBuffer(1);
        heap.release();
        ByteBuf direct = allocator.directBuffer(1);
        direct.release();
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return newResourceLeakDetector(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            return new ResourceLeakDetector<>(resource, samplingInterval) {
                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    super.reportTracedLeak(resourceType, records);
                    LEAKS.add("LEAK of " + resourceType + records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    super.reportUntracedLeak(resourceType);
                    LEAKS.add("LEAK of " + resourceType + " (untraced)");
                }
            };
        }
    }
}
