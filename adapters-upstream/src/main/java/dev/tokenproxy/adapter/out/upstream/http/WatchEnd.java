package dev.tokenproxy.adapter.out.upstream.http;

/** How an exchange's watch ended: released normally, closed by its owner, or aborted by the watchdog for a limit. */
enum WatchEnd {
    /** The response was read to its end and the connection went back to the pool. */
    RELEASED,
    /** The owner closed the exchange (an error, a finished stream, a client that left). */
    CLOSED,
    CONNECT_TIMEOUT,
    FIRST_OUTPUT_TIMEOUT,
    IDLE_TIMEOUT,
    DEADLINE;

    boolean closesConnection() {
        return this != RELEASED;
    }
}
