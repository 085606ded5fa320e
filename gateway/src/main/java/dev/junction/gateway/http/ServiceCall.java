package dev.junction.gateway.http;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One call into the {@link SessionService} on behalf of one request: the answer is handled back on the
 * request's event loop, a {@link SessionException} becomes its error response, and anything else, or no
 * answer within the timeout, becomes 500 so the connection never hangs. Exactly one response is sent.
 *
 * <p>Threading: created and used on the request's event loop; the stage may complete on any thread.
 */
final class ServiceCall<T> {

    private static final System.Logger LOG = System.getLogger(ServiceCall.class.getName());

    private final HttpServerRequest request;
    private final Context context;
    private final Consumer<T> onResult;
    /** For {@code CompletionStage<Void>}: a null result is the answer, not a fault. */
    private final boolean nullIsAnswer;
    /** Undoes a result nobody received (answered after the timeout, or after the client left), or {@code null}. */
    private final Consumer<T> onAbandoned;
    /** Confined to the event loop: set by whichever of answer and timeout comes first. */
    private boolean settled;
    private long timerId;

    private ServiceCall(HttpServerRequest request, Context context, Consumer<T> onResult, boolean nullIsAnswer, Consumer<T> onAbandoned) {
        this.request = request;
        this.context = context;
        this.onResult = onResult;
        this.nullIsAnswer = nullIsAnswer;
        this.onAbandoned = onAbandoned;
    }

    /**
     * Calls {@code call} now and, once it answers, {@code onResult} on the event loop with a non-null value.
     * {@code onResult} must send the response.
     */
    static <T> void run(HttpServerRequest request, Context context, long timeoutMs, Supplier<? extends CompletionStage<T>> call, Consumer<T> onResult) {
        run(request, context, timeoutMs, call, onResult, false, null);
    }

    /**
     * As {@link #run(HttpServerRequest, Context, long, Supplier, Consumer)}, plus: {@code nullIsAnswer} for
     * {@code Void} stages, and {@code onAbandoned} (may be null), called on the event loop with a successful
     * result that came too late to be sent, so that a session nobody knows the URL of does not linger.
     */
    static <T> void run(HttpServerRequest request, Context context, long timeoutMs, Supplier<? extends CompletionStage<T>> call, Consumer<T> onResult,
                        boolean nullIsAnswer, Consumer<T> onAbandoned) {
        ServiceCall<T> pending = new ServiceCall<>(request, context, onResult, nullIsAnswer, onAbandoned);
        pending.timerId = context.owner().setTimer(timeoutMs, id -> pending.timedOut(timeoutMs));
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        if (stage == null) stage = CompletableFuture.failedFuture(new IllegalStateException("session service returned no stage"));
        stage.whenComplete((value, failure) -> context.runOnContext(v -> pending.answered(value, failure)));
    }

    private void timedOut(long timeoutMs) {
        if (settled) return;
        settled = true;
        LOG.log(System.Logger.Level.WARNING, "session service did not answer " + request.method() + " " + request.path() + " within " + timeoutMs + " ms");
        Reply.error(request, 500, "session service did not answer within " + timeoutMs + " ms");
    }

    private void answered(T value, Throwable failure) {
        boolean late = settled;
        settled = true;
        if (!late) context.owner().cancelTimer(timerId);
        if (late || request.response().closed()) {
            // Timed out already, or the client went away: nobody to tell, so undo what nobody will use.
            if (failure == null && value != null && onAbandoned != null) abandon(value);
            return;
        }
        Throwable cause = unwrap(failure);
        if (cause instanceof SessionException refusal) {
            Reply.error(request, refusal);
        } else if (cause instanceof SessionRedirect redirect) {
            Reply.redirect(request, redirect);
        } else if (cause != null) {
            LOG.log(System.Logger.Level.WARNING, "session service failed " + request.method() + " " + request.path(), cause);
            Reply.error(request, 500, "internal error in the session service");
        } else if (value == null && !nullIsAnswer) {
            Reply.error(request, 500, "session service returned no result");
        } else {
            try {
                onResult.accept(value);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot send the session service's answer to " + request.path(), e);
                Reply.error(request, 500, "invalid answer from the session service");
            }
        }
    }

    private void abandon(T value) {
        LOG.log(System.Logger.Level.INFO, "undoing an answer to " + request.method() + " " + request.path() + " that nobody received");
        try {
            onAbandoned.accept(value);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot undo an unreceived answer to " + request.path(), e);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
