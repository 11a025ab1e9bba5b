package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.ErrorResponse;
import io.jenkins.plugins.teleport.api.Json;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * What Jetty answers by itself, for requests that never reach the route table (a malformed request line or header,
 * headers over {@code max_header_bytes}, an unsupported transfer coding or HTTP version): the API's one error shape.
 * The request is the client's fault in each case, so none of them is a 5xx.
 */
final class ErrorPage extends ErrorHandler {

    private final int maxHeaderBytes;
    private final int maxBodyBytes;
    private final Duration bodyTimeout;

    ErrorPage(int maxHeaderBytes, int maxBodyBytes, Duration bodyTimeout) {
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeout = bodyTimeout;
    }

    /**
     * Answers with {@code Connection: close} (Jetty closes the connection after a message it could not parse, and
     * says so only implicitly), after reading what there is of the request's body (as {@link ApiHandler} does): when
     * Jetty refuses a request whose body is still on the way, closing under it would reset the connection before
     * the client reads the answer.
     */
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        BodyReader.read(request, maxBodyBytes, bodyTimeout, new BodyReader.Outcome() {
            @Override
            public void body(byte[] bytes) {
                answer(request, response, callback);
            }

            @Override
            public void refused(io.jenkins.plugins.teleport.api.ApiException refusal) {
                answer(request, response, callback);
            }
        }, () -> { });
        return true;
    }

    private void answer(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String reason = (String) request.getAttribute(ERROR_MESSAGE);
        if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException http) {
            status = http.getCode();
            reason = reason == null ? http.getReason() : reason;
        }
        ErrorCode code = switch (status) {
            case 408 -> ErrorCode.REQUEST_TIMEOUT;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 414, 431 -> ErrorCode.HEADERS_TOO_LARGE;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 500 -> ErrorCode.INTERNAL;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> ErrorCode.BAD_REQUEST;
        };
        String message = switch (code) {
            case HEADERS_TOO_LARGE -> "the request line and headers are larger than " + maxHeaderBytes + " bytes (http.max_header_bytes)";
            case BAD_REQUEST -> "malformed HTTP request" + (reason == null ? "" : ": " + reason);
            default -> reason == null ? code.code() : reason;
        };
        try {
            byte[] body = Json.mapper().writeValueAsBytes(new ErrorResponse(code, message));
            response.setStatus(code.httpStatus());
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
        } catch (Exception e) {
            callback.failed(e);
        }
    }
}
