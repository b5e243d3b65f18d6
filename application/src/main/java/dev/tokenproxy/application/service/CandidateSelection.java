package dev.tokenproxy.application.service;

import java.util.List;

/** The result of candidate selection (behaviour §4.1). */
sealed interface CandidateSelection {

    /** No enabled upstream serves the inbound format. */
    record NoUpstreamForFormat() implements CandidateSelection {
    }

    /** Upstreams serve the format, but none admits the model. */
    record ModelNotSupported() implements CandidateSelection {
    }

    record Candidates(List<Candidate> candidates) implements CandidateSelection {
    }
}
