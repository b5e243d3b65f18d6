package dev.tokenproxy.application.model;

import java.util.HashSet;
import java.util.List;

/** The configured upstreams, in configuration order (which is the {@code fill_first} order). */
public record UpstreamCatalog(List<Upstream> upstreams) {
    public UpstreamCatalog {
        upstreams = List.copyOf(upstreams);
        var ids = new HashSet<String>();
        for (var u : upstreams) {
            if (!ids.add(u.id())) {
                throw new IllegalArgumentException("duplicate upstream id: " + u.id());
            }
        }
    }

    public List<Upstream> enabled() {
        return upstreams.stream().filter(Upstream::enabled).toList();
    }
}
