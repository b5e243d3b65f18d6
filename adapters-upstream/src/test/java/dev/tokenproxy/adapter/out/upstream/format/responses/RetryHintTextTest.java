package dev.tokenproxy.adapter.out.upstream.format.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryHintTextTest {

    @ParameterizedTest
    @CsvSource({
            "'Rate limit reached for gpt-4.1. Please try again in 11.5s. Visit https://x', 11500",
            "'Please try again in 2s.', 2000",
            "'Please try again in 20ms.', 20",
            "'Please try again in 1m30s.', 90000",
            "'Please Try Again In 1.0005s', 1001"})
    void readsTheWaitAnOpenAiMessageNames(String message, long millis) {
        assertThat(RetryHintText.parse(message)).contains(Duration.ofMillis(millis));
    }

    @Test
    void aMessageWithoutAWaitGivesNone() {
        assertThat(RetryHintText.parse("Rate limit reached. Visit https://x")).isEmpty();
        assertThat(RetryHintText.parse(null)).isEmpty();
    }
}
