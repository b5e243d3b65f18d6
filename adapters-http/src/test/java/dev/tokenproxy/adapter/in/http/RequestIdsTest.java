package dev.tokenproxy.adapter.in.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

    /** The record store's index of request ids stays cheap only if new ids sort after older ones. */
    @Test
    void idsMadeLaterSortAfterEarlierOnesAcrossDigitBoundaries() {
        long[] times = {0xFFFL, 0x1000L, 1_764_000_000_000L, 1_764_000_000_001L, 1_764_000_001_000L};
        for (int i = 1; i < times.length; i++) {
            assertThat(RequestIds.idAt(times[i])).isGreaterThan(RequestIds.idAt(times[i - 1]));
        }
    }

    @Test
    void idsOfTheSameMillisecondDifferAndKeepTheirShape() {
        var ids = new HashSet<String>();
        for (int i = 0; i < 1000; i++) {
            String id = RequestIds.idAt(1_764_000_000_000L);
            assertThat(id).matches("req_[0-9a-f]{24}");
            ids.add(id);
        }
        assertThat(ids).hasSize(1000);
    }
}
