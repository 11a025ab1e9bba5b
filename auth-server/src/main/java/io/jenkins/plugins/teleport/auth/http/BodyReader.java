package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.GoDuration;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a request's whole body without holding a thread (Jetty's read/demand model): at most {@code max_body_bytes}
 * of it, within {@code request_body_timeout}. Exactly one of the outcome's methods is called, once. Reading the body
 * before answering, even a refusal, keeps the connection usable for the next request: an answer sent while the body
 * is still arriving would leave its bytes to be taken for the next request, or the connection reset under the answer.
 * So a body found too large is still read, and dropped, up to as many bytes again (within the same deadline) before
 * the 413 is sent: a client still sending it then gets the 413 instead of a reset that loses it. A body declared
 * larger than that is refused at once.
 */
final class BodyReader implements Runnable {

    /** What became of the body. */
    interface Outcome {
        void body(byte[] bytes);

        /** The body could not be read whole; the connection must be closed after the answer. */
        void refused(ApiException refusal);
    }

    private final Request request;
    private final int maxBytes;
    private final long timeoutMillis;
    private final Outcome outcome;
    private final Runnable timedOut;
    private final AtomicBoolean done = new AtomicBoolean();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    /** Bytes read and dropped since the body was found too large; -1 while it is not. */
    private long dropped = -1;
    private volatile Scheduler.Task deadline;

    private BodyReader(Request request, int maxBytes, Duration timeout, Outcome outcome, Runnable timedOut) {
        this.request = request;
        this.maxBytes = maxBytes;
        this.timeoutMillis = timeout.toMillis();
        this.outcome = outcome;
        this.timedOut = timedOut;
    }

    /** Starts reading; {@code timedOut} is told (for metrics) when the deadline ends the read. */
    static void read(Request request, int maxBytes, Duration timeout, Outcome outcome, Runnable timedOut) {
        BodyReader reader = new BodyReader(request, maxBytes, timeout, outcome, timedOut);
        if (request.getLength() > 2L * maxBytes) {
            reader.finish(reader.tooLarge());
            return;
        }
        reader.run();
    }

    @Override
    public void run() {
        while (!done.get()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                if (deadline == null) {
                    deadline = request.getComponents().getScheduler().schedule(this::expire, timeoutMillis, TimeUnit.MILLISECONDS);
                }
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable failure = chunk.getFailure();
                finish(failure instanceof TimeoutException
                        ? new ApiException(ErrorCode.REQUEST_TIMEOUT, "the request body did not arrive in time")
                        : new ApiException(ErrorCode.BAD_REQUEST, "could not read the request body: " + failure.getMessage()));
                return;
            }
            ByteBuffer bytes = chunk.getByteBuffer();
            if (dropped >= 0 || body.size() + bytes.remaining() > maxBytes) {
                dropped = Math.max(dropped, 0) + bytes.remaining();
                body.reset();
                boolean last = chunk.isLast();
                chunk.release();
                if (last || dropped > maxBytes) {
                    finish(tooLarge());
                    return;
                }
                continue;
            }
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            body.write(copy, 0, copy.length);
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                if (done.compareAndSet(false, true)) {
                    cancelDeadline();
                    outcome.body(body.toByteArray());
                }
                return;
            }
        }
    }

    private void expire() {
        if (!done.get()) {
            timedOut.run();
        }
        finish(new ApiException(ErrorCode.REQUEST_TIMEOUT, "the request body did not arrive within "
                + GoDuration.format(Duration.ofMillis(timeoutMillis)) + " (http.request_body_timeout)"));
    }

    private ApiException tooLarge() {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than " + maxBytes + " bytes (http.max_body_bytes)");
    }

    private void finish(ApiException refusal) {
        if (done.compareAndSet(false, true)) {
            cancelDeadline();
            outcome.refused(refusal);
        }
    }

    private void cancelDeadline() {
        Scheduler.Task task = deadline;
        if (task != null) {
            task.cancel();
        }
    }
}
