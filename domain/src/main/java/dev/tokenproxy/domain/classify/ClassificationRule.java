package dev.tokenproxy.domain.classify;

import java.util.Objects;

/**
 * One row of the classification table: a pattern over an {@link AttemptSignal} and the verdict it gives.
 * A null pattern field matches anything; {@code provider} "*" matches every provider.
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

    public boolean matches(AttemptSignal s) {
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

    public static ClassificationRule status(int status, Verdict verdict) {
        return status(status, status, verdict);
    }

    public static ClassificationRule fault(Fault fault, Verdict verdict) {
        return new ClassificationRule("*", 0, 999, null, null, null, fault, verdict);
    }

    public ClassificationRule forProvider(String p) {
        return new ClassificationRule(p, statusFrom, statusTo, errorType, errorCode, namesParam, fault, verdict);
    }

    public ClassificationRule withErrorType(String type) {
        return new ClassificationRule(provider, statusFrom, statusTo, type, errorCode, namesParam, fault, verdict);
    }

    public ClassificationRule withErrorCode(String code) {
        return new ClassificationRule(provider, statusFrom, statusTo, errorType, code, namesParam, fault, verdict);
    }

    public ClassificationRule withNamesParam(boolean names) {
        return new ClassificationRule(provider, statusFrom, statusTo, errorType, errorCode, names, fault, verdict);
    }
}
