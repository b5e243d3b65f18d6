package dev.tokenproxy.testing;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@link FakeCodexBackend} does with one valid {@code POST /backend-api/codex/responses}: a Responses event
 * stream (the backend always streams) or one of the failures the Codex backend is known to answer with
 * (protocols.md §3). The stream shapes are {@link ResponsesReply}'s, so they number their events from 0 like the
 * real backend; {@link #of} takes any of them as it is (cuts, stalls, resets). Immutable.
 */
public final class CodexReply {

    /** The observed body of an expired access token (protocols.md §3). */
    static final String TOKEN_EXPIRED_BODY = "{\"error\":{\"message\":\"Provided authentication token is expired. "
            + "Please try signing in again.\",\"type\":\"invalid_request_error\",\"code\":\"token_expired\","
            + "\"param\":null}}";

    private final ResponsesReply reply;

    private CodexReply(ResponsesReply reply) {
        this.reply = Objects.requireNonNull(reply, "reply");
    }

    /** Any Responses reply, played as the Codex backend would stream it. */
    public static CodexReply of(ResponsesReply reply) {
        return new CodexReply(reply);
    }

    // --- answers ---------------------------------------------------------------------------------------------------

    /** The text stream of protocols.md §2, ending with {@code response.completed} that carries the message. */
    public static CodexReply ok(String text) {
        return of(ResponsesReply.ok(text));
    }

    /** As {@link #ok}, but {@code response.completed} has an empty {@code output}: the items are only in the events. */
    public static CodexReply okWithOutputOnlyInItems(String text) {
        return of(ResponsesReply.okWithOutputOnlyInItems(text));
    }

    /** {@code response.completed} with no output items and zero output tokens. */
    public static CodexReply emptyOutput() {
        return of(ResponsesReply.emptyOutput());
    }

    /** One {@code function_call} item, its arguments in two deltas. */
    public static CodexReply functionCall(String callId, String name, String arguments) {
        return of(ResponsesReply.functionCall(callId, name, arguments));
    }

    // --- failures after HTTP 200 -----------------------------------------------------------------------------------

    /** {@code response.created}, {@code response.in_progress}, then a top-level {@code error} event: before output. */
    public static CodexReply errorBeforeOutput(String code, String message) {
        return of(ResponsesReply.errorEvent(code, message));
    }

    /** {@code response.created}, {@code response.in_progress}, then {@code response.failed}: before output. */
    public static CodexReply failedBeforeOutput(String code, String message) {
        return of(ResponsesReply.failed(code, message));
    }

    /** {@code deltas} words of {@code text}, then {@code response.failed}: a failure after output. */
    public static CodexReply failedAfterOutput(int deltas, String text, String code, String message) {
        return of(ResponsesReply.failedAfter(deltas, text, code, message));
    }

    // --- HTTP errors -----------------------------------------------------------------------------------------------

    /** 401 with the observed {@code token_expired} body. */
    public static CodexReply tokenExpired() {
        return of(ResponsesReply.status(401, TOKEN_EXPIRED_BODY));
    }

    /**
     * 429: the plan's usage is spent until {@code resetsAt}; the body names both {@code resets_at} (epoch seconds) and
     * {@code resets_in_seconds}, as the backend does (protocols.md §3).
     */
    public static CodexReply usageLimitReached(String planType, Instant resetsAt, Duration resetsIn) {
        String body = "{\"error\":{\"type\":\"usage_limit_reached\",\"message\":\"The usage limit has been reached\","
                + "\"plan_type\":\"" + planType + "\",\"resets_at\":" + resetsAt.getEpochSecond()
                + ",\"resets_in_seconds\":" + resetsIn.toSeconds() + "}}";
        return of(ResponsesReply.status(429, body));
    }

    /** 429 {@code usage_not_included}: the account's plan does not include Codex at all. */
    public static CodexReply usageNotIncluded() {
        return of(ResponsesReply.status(429, "{\"error\":{\"type\":\"usage_not_included\",\"message\":"
                + "\"To use Codex, upgrade to a plan that includes it.\"}}"));
    }

    /** A server error status ({@code 500}, {@code 502}, ...) with an OpenAI-shaped error body. */
    public static CodexReply serverError(int status) {
        if (status < 500 || status > 599) {
            throw new IllegalArgumentException("a server error is 5xx, was " + status);
        }
        return of(ResponsesReply.error(status, "server_error", null, "An error occurred while processing the request."));
    }

    /** Any status with the backend's own error shape {@code {"detail":"…"}}. */
    public static CodexReply detail(int status, String detail) {
        return of(ResponsesReply.status(status, ResponsesFrames.write(ResponsesFrames.object().put("detail", detail))));
    }

    // --- modifiers -------------------------------------------------------------------------------------------------

    /** This reply with one more response header. */
    public CodexReply withHeader(String name, String value) {
        return new CodexReply(reply.withHeader(name, value));
    }

    /** This reply with the {@code x-codex-primary-*} headers: the short usage window. */
    public CodexReply withPrimaryWindow(double usedPercent, int windowMinutes, Instant resetsAt) {
        return withWindow("primary", usedPercent, windowMinutes, resetsAt);
    }

    /** This reply with the {@code x-codex-secondary-*} headers: the long usage window. */
    public CodexReply withSecondaryWindow(double usedPercent, int windowMinutes, Instant resetsAt) {
        return withWindow("secondary", usedPercent, windowMinutes, resetsAt);
    }

    void play(ResponseWriter out, ResponsesFrames frames) throws IOException {
        reply.play(out, frames);
    }

    private CodexReply withWindow(String window, double usedPercent, int windowMinutes, Instant resetsAt) {
        String prefix = "x-codex-" + window + "-";
        return withHeader(prefix + "used-percent", String.format(Locale.ROOT, "%.1f", usedPercent))
                .withHeader(prefix + "window-minutes", Integer.toString(windowMinutes))
                .withHeader(prefix + "reset-at", Long.toString(resetsAt.getEpochSecond()));
    }
}
