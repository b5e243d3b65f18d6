package dev.tokenproxy.application.port.out;

import dev.tokenproxy.application.model.Upstream;
import java.util.List;
import java.util.Objects;

/**
 * Asks one upstream which models it says it serves, through the upstream's own listing endpoint (OpenAI's
 * {@code GET {base_url}/models}). Implemented only by providers whose API has such an endpoint. It does network I/O
 * and may be slow: callers keep it off the request path of a completion.
 */
public interface FetchUpstreamModelsPort {

    /** The provider kind whose upstreams this asks, e.g. {@code openai}. */
    String provider();

    /** One fetch. Never throws for what the upstream or the network did: every failure is a result. */
    Result fetch(Upstream upstream);

    sealed interface Result {

        /** The upstream answered with its model ids, as it spells them. */
        record Listed(List<String> ids) implements Result {
            public Listed {
                ids = List.copyOf(ids);
            }
        }

        /**
         * The upstream could not tell: unreachable, a non-2xx status, a body that is not a model list.
         *
         * @param reason short, safe to log: a status or a fault, never a credential
         */
        record Failed(String reason) implements Result {
            public Failed {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }
}
