package dev.tokenproxy.domain.classify;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything classification looks at, extracted once by the upstream adapter.
 *
 * @param provider     provider kind, e.g. {@code openai}
 * @param status       HTTP status, or 0 when no response arrived
 * @param errorType    {@code error.type} of the body, or null
 * @param errorCode    {@code error.code} of the body, or null
 * @param namesParam   whether the error body names a request parameter ({@code error.param})
 * @param fault        transport failure or post-processing finding
 * @param waitHint     Retry-After or a provider reset hint, already converted to a duration
 */
public record AttemptSignal(String provider, int status, String errorType, String errorCode, boolean namesParam,
                            Fault fault, Optional<Duration> waitHint) {
    public AttemptSignal {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(waitHint, "waitHint");
    }

    /** A complete HTTP answer with {@code status}, no error body and nothing wrong found; refine with {@code with*}. */
    public static AttemptSignal http(String provider, int status) {
        return new AttemptSignal(provider, status, null, null, false, Fault.NONE, Optional.empty());
    }

    /** An attempt that got no HTTP answer (status 0) because of {@code fault}. */
    public static AttemptSignal fault(String provider, Fault fault) {
        return new AttemptSignal(provider, 0, null, null, false, fault, Optional.empty());
    }

    /** The same signal with what the error body said ({@code error.type}, {@code error.code}, {@code error.param}). */
    public AttemptSignal withError(String type, String code, boolean namesParam) {
        return new AttemptSignal(provider, status, type, code, namesParam, fault, waitHint);
    }

    /** The same signal with what post-processing found, e.g. {@link Fault#EMPTY_COMPLETION} for an empty 200. */
    public AttemptSignal withFault(Fault newFault) {
        return new AttemptSignal(provider, status, errorType, errorCode, namesParam, newFault, waitHint);
    }

    /** The same signal with the wait the upstream asked for (Retry-After, a reset time). */
    public AttemptSignal withWaitHint(Optional<Duration> hint) {
        return new AttemptSignal(provider, status, errorType, errorCode, namesParam, fault, hint);
    }
}
