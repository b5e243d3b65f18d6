package dev.tokenproxy.application.port.out;

import dev.tokenproxy.domain.routing.InboundFormat;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What one provider kind is, declared once by its adapter: the name configuration knows it by and the inbound
 * formats it can serve. The core reads it to choose upstreams for a request; bootstrap's registry reads it to
 * accept an upstream's {@code provider} in configuration.
 *
 * @param name         an upstream's {@code provider} in configuration, e.g. {@code openai}
 * @param natively     inbound formats the provider's upstream API speaks as they are
 * @param byConversion inbound formats it could serve by converting to and from a native one; an upstream serves
 *                     them only if it allows that conversion
 * @param credentials  what its upstreams authenticate with: configured API keys, stored accounts, or nothing
 */
public record ProviderDescriptor(String name, Set<InboundFormat> natively, Set<InboundFormat> byConversion,
                                 CredentialKind credentials) {

    /** Configuration lower-cases the value it reads, so a name with anything else could never be chosen. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    public ProviderDescriptor {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("provider name must be lower-case letters, digits and '_': " + name);
        }
        Objects.requireNonNull(credentials, "credentials");
        natively = Set.copyOf(natively);
        byConversion = Set.copyOf(byConversion);
        // A conversion starts from a format the provider speaks: without one there is nothing to convert to.
        if (natively.isEmpty()) {
            throw new IllegalArgumentException("provider " + name + " serves no inbound format natively");
        }
        if (!Collections.disjoint(natively, byConversion)) {
            throw new IllegalArgumentException("provider " + name + " lists a format both as native and as converted");
        }
    }

    /** A provider whose upstreams authenticate with API keys. */
    public ProviderDescriptor(String name, Set<InboundFormat> natively, Set<InboundFormat> byConversion) {
        this(name, natively, byConversion, CredentialKind.API_KEYS);
    }

    /** A provider that serves only the formats its upstream API speaks, with API keys. */
    public static ProviderDescriptor nativeOnly(String name, InboundFormat... natively) {
        return new ProviderDescriptor(name, Set.of(natively), Set.of());
    }

    /** How this provider could serve a request in {@code format}. */
    public FormatSupport support(InboundFormat format) {
        if (natively.contains(format)) {
            return FormatSupport.NATIVE;
        }
        return byConversion.contains(format) ? FormatSupport.BY_CONVERSION : FormatSupport.NONE;
    }

    /** How a provider could serve one inbound format. */
    public enum FormatSupport {
        /** Its upstream API speaks the format: the request goes out as it came. */
        NATIVE,
        /** Only through a conversion to and from a native format, which changes what the client gets back. */
        BY_CONVERSION,
        /** Not at all. */
        NONE
    }

    /** What an upstream of a provider authenticates with; configuration accepts only the matching fields. */
    public enum CredentialKind {
        /** {@code api_keys} in configuration. */
        API_KEYS,
        /** Stored, refreshable logins: {@code accounts} (a pool) or {@code account} (pinned). */
        ACCOUNTS,
        /** Nothing: the upstream is served in-process, configuration accepts no credential field. */
        NONE
    }
}
