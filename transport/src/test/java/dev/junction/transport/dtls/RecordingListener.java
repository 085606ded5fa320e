package dev.junction.transport.dtls;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Collects what a {@link DtlsEndpoint} reports, for tests to wait on. */
final class RecordingListener implements DtlsListener {

    record Closed(DtlsCloseReason reason, String detail) {
    }

    final CompletableFuture<DtlsResult> connected = new CompletableFuture<>();
    final CompletableFuture<Closed> closed = new CompletableFuture<>();
    final AtomicInteger closedCalls = new AtomicInteger();
    volatile boolean calledOnDtlsThread = true;

    @Override
    public void onConnected(DtlsEndpoint endpoint, DtlsResult result) {
        checkThread();
        connected.complete(result);
    }

    @Override
    public void onClosed(DtlsEndpoint endpoint, DtlsCloseReason reason, String detail) {
        checkThread();
        closedCalls.incrementAndGet();
        // NOTE: connected first: a test woken by `closed` may look at `connected` at once.
        connected.completeExceptionally(new IllegalStateException("closed without connecting: " + reason + ", " + detail));
        closed.complete(new Closed(reason, detail));
    }

    DtlsResult awaitConnected() throws Exception {
        return connected.get(20, TimeUnit.SECONDS);
    }

    Closed awaitClosed() throws Exception {
        return closed.get(20, TimeUnit.SECONDS);
    }

    private void checkThread() {
        if (!Thread.currentThread().isVirtual() || !Thread.currentThread().getName().startsWith("dtls-")) {
            calledOnDtlsThread = false;
        }
    }
}
