package dev.tokenproxy.domain.classify;

import java.util.Objects;

/**
 * One row of the classification table: a pattern over an {@link AttemptSignal} and the verdict it gives.
 * A null pattern field matches anything; {@code provider} "*" matches every provider. Build rows with
 * {@link #status(int, Verdict)} or {@link #fault(Fault, Verdict)} and narrow them with the {@code with*} methods.
 *
 * @param provider   the provider kind the row is for, or "*"
 * @param statusFrom lowest status matched
 * @param statusTo   highest status matched
 * @param errorType  the {@code error.type} matched, or null for any
 * @param errorCode  the {@code error.code} matched, or null for any
 * @param namesParam whether the error names a parameter, or null for either
 * @param fault      the fault matched, or null for any; rows built with {@code status(...)} match {@link Fault#NONE}
 * @param verdict    what a matching attempt becomes
 */
public record ClassificationRule(String provider, int statusFrom, int statusTo, String errorType, String errorCode,
                                 Boolean namesParam, Fault fault, Verdict verdict) {
    public ClassificationRule {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(verdict, "verdict");
        if (statusFrom > statusTo) {
            throw new IllegalArgumentException("statusFrom > statusTo: " + statusFrom + " > " + statusTo);
        }
    }

    /** Whether this row applies to {@code s}; the table asks its rows in order. */
    boolean matches(AttemptSignal s) {
        return ("*".equals(provider) || provider.equals(s.provider()))
                && s.status() >= statusFrom && s.status() <= statusTo
                && (errorType == null || errorType.equals(s.errorType()))
                && (errorCode == null || errorCode.equals(s.errorCode()))
                && (namesParam == null || namesParam == s.namesParam())
                && (fault == null || fault == s.fault());
    }

    /** Starts a row for every provider; narrow it with the {@code with*} methods. */
    public static ClassificationRule status(int from, int to, Verdict verdict) {
        return new ClassificationRule("*", from, to, null, null, null, Fault.NONE, verdict);
    }

    /** Starts a row for one status of every provider. */
    public static ClassificationRule status(int status, Verdict verdict) {
        return status(status, status, verdict);
    }

    /** A row for an attempt that ended in {@code fault}, whatever its status. */
    public static ClassificationRule fault(Fault fault, Verdict verdict) {
        return new ClassificationRule("*", 0, 999, null, null, null, fault, verdict);
    }

    /** The same row, narrowed to the provider kind {@code p}. */
    public ClassificationRule forProvider(String p) {
        return new ClassificationRule(p, statusFrom, statusTo, errorType, errorCode, namesParam, fault, verdict);
    }

    /** The same row, narrowed to error bodies whose {@code error.type} is {@code type}. */
    public ClassificationRule withErrorType(String type) {
        return new ClassificationRule(provider, statusFrom, statusTo, type, errorCode, namesParam, fault, verdict);
    }

    /** The same row, narrowed to error bodies whose {@code error.code} is {@code code}. */
    public ClassificationRule withErrorCode(String code) {
        return new ClassificationRule(provider, statusFrom, statusTo, errorType, code, namesParam, fault, verdict);
    }

    /** The same row, narrowed to error bodies that do (or do not) name a request parameter. */
    public ClassificationRule withNamesParam(boolean names) {
        return new ClassificationRule(provider, statusFrom, statusTo, errorType, errorCode, names, fault, verdict);
    }
}
