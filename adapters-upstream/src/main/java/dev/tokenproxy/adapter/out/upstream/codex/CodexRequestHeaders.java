package dev.tokenproxy.adapter.out.upstream.codex;

import dev.tokenproxy.application.model.Credential;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers the Codex backend expects (protocols §3): the account's access token and ChatGPT account id, an event
 * stream, and the identity of the Codex CLI — the backend sits behind Cloudflare, where other clients risk a block.
 */
final class CodexRequestHeaders {

    /** {@code originator} as token_proxy sends it (CLIProxyAPI sends {@code codex-tui}). */
    static final String ORIGINATOR = "codex_cli_rs";
    /** The User-Agent the Codex CLI 0.50.0 sends (protocols §3, observed). */
    static final String USER_AGENT = "codex_cli_rs/0.50.0 (Mac OS 26.0.1; arm64) Apple_Terminal/464";
    static final String ACCOUNT_ID_ATTRIBUTE = "chatgpt_account_id";

    private CodexRequestHeaders() {
    }

    /** The complete request headers: client headers are never forwarded, only what the backend needs. */
    static Map<String, String> of(Credential credential, String sessionId) {
        var headers = new LinkedHashMap<String, String>();
        headers.put("Authorization", "Bearer " + credential.secret().reveal());
        if (credential instanceof Credential.Account account) {
            account.attribute(ACCOUNT_ID_ATTRIBUTE).ifPresent(id -> headers.put("chatgpt-account-id", id));
        }
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "text/event-stream");
        headers.put("originator", ORIGINATOR);
        headers.put("User-Agent", USER_AGENT);
        // codex-rs's spelling; which of session_id / Session-Id the backend reads is unverified (protocols §3).
        headers.put("session_id", sessionId);
        headers.put("OpenAI-Beta", "responses=experimental");
        return headers;
    }
}
