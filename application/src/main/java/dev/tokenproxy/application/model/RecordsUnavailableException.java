package dev.tokenproxy.application.model;

/**
 * The record store cannot answer a read now (its disk fails, or the read ran longer than the store allows): the
 * operator's API answers 503 with this one-line message instead of failing as a bug would.
 */
public class RecordsUnavailableException extends RuntimeException {

    public RecordsUnavailableException(String message) {
        super(message);
    }
}
