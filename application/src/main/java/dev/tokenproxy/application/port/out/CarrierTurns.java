package dev.tokenproxy.application.port.out;

/**
 * How a request's thread takes its turn before it waits on a socket, so that threads woken from outside the virtual
 * threads' carriers still run while every carrier is busy: a new connection (started by Helidon's accepting thread),
 * a timer, an answer handed over by a platform thread. The JDK's scheduler (25) takes such threads only once a
 * carrier's own queue runs dry, which steady traffic can prevent for as long as it lasts (ADR 0016, ADR 0023). One
 * implementation serves both sides of the gateway: the inbound connections and the upstream client.
 */
public interface CarrierTurns {

    /** Takes no turn: for tests and for code that runs on platform threads. */
    CarrierTurns NONE = new CarrierTurns() {
        @Override
        public void beforeAnswer() {
            // nothing to give way to
        }

        @Override
        public void betweenRequests() {
            // nothing to give way to
        }
    };

    /** Before a request reads an upstream's answer: yields, reads at once, or steps aside. */
    void beforeAnswer();

    /**
     * Before a connection waits for its client's next request, on the connection's thread: steps aside when threads
     * woken from outside are kept waiting, unless the last request on this thread already took
     * {@link #beforeAnswer()}'s turn; does nothing otherwise. Requests answered without an upstream (refusals, errors,
     * the {@code mock} provider) never reach {@link #beforeAnswer()}, and a flood of them would keep every new
     * connection out.
     */
    void betweenRequests();
}
