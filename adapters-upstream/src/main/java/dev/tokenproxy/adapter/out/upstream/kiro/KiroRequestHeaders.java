package dev.tokenproxy.adapter.out.upstream.kiro;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The headers of a Kiro call (protocols.md §4): the account's access token as a bearer, the operation's
 * {@code x-amz-target}, and the IDE-like identification the service expects from its own clients. The client's
 * headers never go to Kiro: it speaks another API than the client.
 */
final class KiroRequestHeaders {

    /** What the Kiro IDE sends (protocols.md §4); the service has been seen to refuse unknown user agents. */
    static final String USER_AGENT = "aws-sdk-js/1.0.18 ua/2.1 os/linux lang/js md/nodejs api/codewhispererstreaming#1.0.18 "
            + "m/E KiroIDE-0.2.13-tokenproxy";
    static final String AMZ_USER_AGENT = "aws-sdk-js/1.0.18 KiroIDE-0.2.13-tokenproxy";

    private KiroRequestHeaders() {
    }

    /**
     * @param idc IdC logins run the agent in {@code spec} mode, social ones in {@code vibe} (protocols.md §4)
     */
    static Map<String, String> of(KiroEndpoint endpoint, String accessToken, boolean idc) {
        var headers = new LinkedHashMap<String, String>();
        headers.put("authorization", "Bearer " + accessToken);
        headers.put("content-type", "application/x-amz-json-1.0");
        headers.put("accept", "*/*");
        headers.put("x-amz-target", endpoint.target());
        headers.put("amz-sdk-request", "attempt=1; max=3");
        headers.put("amz-sdk-invocation-id", UUID.randomUUID().toString());
        headers.put("x-amzn-kiro-agent-mode", idc ? "spec" : "vibe");
        headers.put("x-amzn-codewhisperer-optout", "true");
        headers.put("user-agent", USER_AGENT);
        headers.put("x-amz-user-agent", AMZ_USER_AGENT);
        return headers;
    }
}
