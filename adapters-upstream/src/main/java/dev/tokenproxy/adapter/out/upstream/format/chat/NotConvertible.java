package dev.tokenproxy.adapter.out.upstream.format.chat;

/**
 * The document is not of the shape a converter reads. Checked: it leaves a converter only as an
 * empty {@code Optional}, so a client's malformed body can never surface as an unchecked exception.
 */
public final class NotConvertible extends Exception {

    public NotConvertible(String reason) {
        // No stack trace: this is an answer about the input, not a bug to locate.
        super(reason, null, false, false);
    }
}
