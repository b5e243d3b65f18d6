package dev.tokenproxy.adapter.out.models;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.port.out.FetchUpstreamModelsPort;
import dev.tokenproxy.application.port.out.KnownUpstreamModelsPort;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What each upstream said it serves, fetched in the background and at most once per refresh period. An upstream is
 * first fetched when a listing first asks for it; after that a listing gets the list on hand at once while, past the
 * period, a refresh runs on the executor. A failed fetch keeps the last good list (nothing before the first), is
 * logged once per streak of failures, and is tried again a period later, not at the next listing.
 */
public final class RefreshingUpstreamModels implements KnownUpstreamModelsPort {

    /** "At most every few minutes" (issue 8): model catalogues change by the week, listings by the second. */
    public static final Duration REFRESH_PERIOD = Duration.ofMinutes(5);

    private static final System.Logger LOG = System.getLogger(RefreshingUpstreamModels.class.getName());

    private final Map<String, FetchUpstreamModelsPort> fetchersByProvider;
    private final Duration refreshPeriod;
    private final Duration firstFetchWait;
    private final AsyncLoadingCache<Upstream, Listing> listings;
    /** Upstreams whose last fetch failed: the first failure of a streak is logged, the rest are not. */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    /**
     * @param fetchers       one per provider that has a listing endpoint; upstreams of other providers list nothing
     * @param refreshPeriod  how old a list may get before a listing starts a refresh
     * @param firstFetchWait how long a listing waits for an upstream's very first fetch, so that the first listing
     *                       after start is not empty; later listings never wait (zero: never wait)
     * @param ticker         Caffeine's time source (tests pass one they advance)
     * @param executor       where fetches run, off the listing's thread
     */
    public RefreshingUpstreamModels(Collection<FetchUpstreamModelsPort> fetchers, Duration refreshPeriod,
                                    Duration firstFetchWait, Ticker ticker, Executor executor) {
        this.fetchersByProvider = fetchers.stream()
                .collect(Collectors.toUnmodifiableMap(FetchUpstreamModelsPort::provider, Function.identity()));
        this.refreshPeriod = refreshPeriod;
        this.firstFetchWait = firstFetchWait;
        this.listings = Caffeine.newBuilder()
                .ticker(ticker)
                .executor(executor)
                .refreshAfterWrite(refreshPeriod)
                .buildAsync(new Fetching());
    }

    /** Real time, {@link #REFRESH_PERIOD}, and each fetch on its own virtual thread. */
    public static RefreshingUpstreamModels inBackground(Collection<FetchUpstreamModelsPort> fetchers,
                                                        Duration firstFetchWait) {
        // Fetches block on the network: virtual threads, not the common pool Caffeine would use otherwise.
        return new RefreshingUpstreamModels(fetchers, REFRESH_PERIOD, firstFetchWait, Ticker.systemTicker(),
                Executors.newVirtualThreadPerTaskExecutor());
    }

    @Override
    public Map<String, List<String>> knownModels(Collection<Upstream> upstreams) {
        var pending = new LinkedHashMap<Upstream, CompletableFuture<Listing>>();
        for (var upstream : upstreams) {
            if (fetchersByProvider.containsKey(upstream.provider())) {
                pending.put(upstream, listings.get(upstream));
            }
        }
        // Done at once except for first fetches, which all started above and share one wait; refreshes hand out
        // the previous list meanwhile.
        long deadline = System.nanoTime() + firstFetchWait.toNanos();
        var known = new LinkedHashMap<String, List<String>>();
        pending.forEach((upstream, listing) ->
                whenReady(upstream, listing, deadline).ifPresent(ids -> known.put(upstream.id(), ids)));
        return known;
    }

    private static Optional<List<String>> whenReady(Upstream upstream, CompletableFuture<Listing> listing,
                                                    long deadline) {
        try {
            return Optional.of(listing.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).ids());
        } catch (TimeoutException stillFetching) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException bug) {
            // Fetchers report failures as results, so this is a bug; Caffeine drops the entry and fetches again.
            LOG.log(Level.ERROR, "listing the models of upstream " + upstream.id() + " failed", bug.getCause());
            return Optional.empty();
        }
    }

    /** One fetch, whose failure falls back to what was known before. */
    private Listing fetch(Upstream upstream, Listing before) {
        return switch (fetchersByProvider.get(upstream.provider()).fetch(upstream)) {
            case FetchUpstreamModelsPort.Result.Listed listed -> {
                if (failing.remove(upstream.id())) {
                    LOG.log(Level.INFO, "upstream " + upstream.id() + " lists its models again");
                }
                yield new Listing(listed.ids());
            }
            case FetchUpstreamModelsPort.Result.Failed failed -> {
                if (failing.add(upstream.id())) {
                    LOG.log(Level.WARNING, "upstream " + upstream.id() + " did not list its models ("
                            + failed.reason() + "); /v1/models shows " + (before.ids().isEmpty()
                            ? "only its configured names" : "its last list") + " and asks again in "
                            + refreshPeriod.toSeconds() + " s");
                }
                // A new instance, so that the cache counts this as a write and waits a full period to ask again.
                yield new Listing(before.ids());
            }
        };
    }

    /** An upstream's model ids as of one fetch. */
    private record Listing(List<String> ids) {
        static final Listing NOTHING = new Listing(List.of());

        Listing {
            ids = List.copyOf(ids);
        }
    }

    private final class Fetching implements CacheLoader<Upstream, Listing> {
        @Override
        public Listing load(Upstream upstream) {
            return fetch(upstream, Listing.NOTHING);
        }

        @Override
        public Listing reload(Upstream upstream, Listing before) {
            return fetch(upstream, before);
        }
    }
}
