package dev.tokenproxy.application.model;

/** How billable usage totals are grouped for the operator. */
public enum UsageGrouping {
    /** UTC calendar day. */
    DAY,
    UPSTREAM,
    /** Upstream and credential label. */
    ACCOUNT,
    /** The model that served (the requested one when none did). */
    MODEL
}
