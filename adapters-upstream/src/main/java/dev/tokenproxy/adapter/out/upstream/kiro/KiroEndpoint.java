package dev.tokenproxy.adapter.out.upstream.kiro;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * One of Kiro's two doors to the same model service (protocols.md §4, ADR 0009): where to post, the
 * {@code x-amz-target} that names the operation, and the payload {@code origin} that door expects.
 *
 * @param uri    {@code …/generateAssistantResponse}
 * @param target the {@code x-amz-target} header
 * @param origin the {@code origin} of every user message in the body
 */
record KiroEndpoint(URI uri, String target, String origin) {

    static final String PATH = "generateAssistantResponse";
    static final String CODEWHISPERER_TARGET = "AmazonCodeWhispererStreamingService.GenerateAssistantResponse";
    static final String AMAZON_Q_TARGET = "AmazonQDeveloperStreamingService.SendMessage";
    private static final String CODEWHISPERER_HOST_PREFIX = "codewhisperer.";
    private static final String AMAZON_Q_HOST_PREFIX = "q.";

    KiroEndpoint {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(origin, "origin");
    }

    /**
     * The endpoints to try, in order, for an upstream whose {@code base_url} is the CodeWhisperer one. The Amazon Q
     * door lives on the sibling host ({@code codewhisperer.<region>} → {@code q.<region>}); any other base URL (a
     * local fake, a relay) is taken to serve both operations itself, told apart by {@code x-amz-target}.
     *
     * @param idc IdC (Builder ID) logins are served by the first endpoint only (protocols.md §4)
     */
    static List<KiroEndpoint> forBase(URI baseUrl, boolean idc) {
        var codeWhisperer = new KiroEndpoint(resolve(baseUrl), CODEWHISPERER_TARGET, "AI_EDITOR");
        if (idc) {
            return List.of(codeWhisperer);
        }
        return List.of(codeWhisperer, new KiroEndpoint(resolve(amazonQBase(baseUrl)), AMAZON_Q_TARGET, "CLI"));
    }

    private static URI amazonQBase(URI baseUrl) {
        String host = baseUrl.getHost();
        if (host == null || !host.startsWith(CODEWHISPERER_HOST_PREFIX)) {
            return baseUrl;
        }
        String qHost = AMAZON_Q_HOST_PREFIX + host.substring(CODEWHISPERER_HOST_PREFIX.length());
        return URI.create(baseUrl.toString().replaceFirst(java.util.regex.Pattern.quote(host), qHost));
    }

    private static URI resolve(URI baseUrl) {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/" + PATH);
    }
}
