package dev.tokenproxy.domain.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Behaviour §4.3: only transient failures without a wait hint may be resent in place. */
class RetryReasonTest {

    private static final Set<RetryReason> IN_PLACE = EnumSet.of(
            RetryReason.SERVER_ERROR,
            RetryReason.CONNECT_FAILED,
            RetryReason.CONNECTION_RESET,
            RetryReason.STREAM_FAILED_BEFORE_OUTPUT);

    private static final Set<RetryReason> TIMEOUTS = EnumSet.of(
            RetryReason.TIMED_OUT,
            RetryReason.UPSTREAM_REQUEST_TIMEOUT);

    @ParameterizedTest
    @EnumSource(RetryReason.class)
    void onlyFiveHundredsConnectFailuresResetsAndPreOutputStreamBreaksAllowAnInPlaceRetry(RetryReason reason) {
        assertThat(reason.allowsInPlaceRetry()).isEqualTo(IN_PLACE.contains(reason));
    }

    @ParameterizedTest
    @EnumSource(RetryReason.class)
    void onlyTimeoutsEndInAGatewayTimeout(RetryReason reason) {
        assertThat(reason.isTimeout()).isEqualTo(TIMEOUTS.contains(reason));
    }
}
