using Crawler.Storage;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Crawler.Worker.Fetching;

public static class FetchingServiceCollectionExtensions
{
    /// <summary>
    /// The page HttpClient: decompression, no cookies, our own redirect handling, and a resilience pipeline per host
    /// (total timeout, retries with exponential backoff and jitter honouring Retry-After, circuit breaker, attempt timeout).
    /// </summary>
    public static IServiceCollection AddFetching(this IServiceCollection services, IConfiguration configuration)
    {
        // GBK, GB18030, Big5, Shift_JIS and friends: news pages still come in legacy code pages.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

        services.AddOptions<FetchOptions>().Bind(configuration.GetSection(FetchOptions.SectionName)).ValidateAnnotationsWith<FetchOptions, FetchOptionsValidator>(FetchOptions.SectionName)
            // site owners who see us in their logs must be able to find out who we are
            .Validate(o => o.UserAgent.Contains("http://", StringComparison.OrdinalIgnoreCase) || o.UserAgent.Contains("https://", StringComparison.OrdinalIgnoreCase),
                "Crawler:Fetch:UserAgent must name a contact URL, e.g. 'ExampleBot/1.0 (+https://example.org/bot)'.")
            .Validate(o => o.UserAgent.All(c => c is >= ' ' and <= '~'), "Crawler:Fetch:UserAgent must be printable ASCII (it is sent as an HTTP header).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<HostThrottle>();
        services.AddSingleton<Robots.RobotsCache>();

        services.AddHttpClient<PageFetcher>(PageFetcher.HttpClientName, (sp, client) =>
            {
                var o = sp.GetRequiredService<IOptions<FetchOptions>>().Value;
                // the resilience pipeline owns timeouts; HttpClient's own 100 s default would cut it short
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd(o.UserAgent);
                client.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml;q=0.9,*/*;q=0.5");
                client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9,en;q=0.8");
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var o = sp.GetRequiredService<IOptions<FetchOptions>>().Value;
                var guard = new NetworkGuard(o);
                return new SocketsHttpHandler
                {
                    // TransferDecodingHandler decodes, and keeps the compressed bytes for the archive
                    AutomaticDecompression = DecompressionMethods.None,
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    ConnectTimeout = o.AttemptTimeout,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    ConnectCallback = guard.ConnectAsync,
                };
            })
            .AddHttpMessageHandler(sp => new TransferDecodingHandler(sp.GetRequiredService<IOptions<FetchOptions>>().Value.MaxBodyBytes))
            .AddResilienceHandler("page-fetch", static (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<FetchOptions>>().Value;
                var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Crawler.Worker.Fetching.Retry");
                var metrics = context.ServiceProvider.GetRequiredService<Monitoring.CrawlerMetrics>();
                pipeline
                    .AddTimeout(o.TotalTimeout)
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = Math.Max(1, o.MaxRetries),
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = o.RetryBaseDelay,
                        ShouldRetryAfterHeader = true,
                        ShouldHandle = args => ValueTask.FromResult(o.MaxRetries > 0 && ShouldRetry(args.Outcome, o)),
                        OnRetry = args =>
                        {
                            metrics.FetchRetried();
                            // on an exception there is no response; the request travels in the resilience context
                            var request = args.Context.GetRequestMessage()?.RequestUri?.AbsoluteUri;
                            logger.LogWarning(
                                "Retrying {Url} (attempt {Attempt}) in {Delay} ms after {Reason}",
                                request, args.AttemptNumber + 2, (int)args.RetryDelay.TotalMilliseconds,
                                args.Outcome.Exception?.Message ?? $"HTTP {(int?)args.Outcome.Result?.StatusCode}");
                            return ValueTask.CompletedTask;
                        },
                    })
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = o.BreakerFailureRatio,
                        MinimumThroughput = o.BreakerMinimumThroughput,
                        SamplingDuration = TimeSpan.FromSeconds(Math.Max(1, o.BreakDuration.TotalSeconds * 2)),
                        BreakDuration = o.BreakDuration,
                    })
                    .AddTimeout(o.AttemptTimeout);
            })
            .SelectPipelineByAuthority();
        return services;
    }

    /// <summary>Transient failures, except a Retry-After longer than we are willing to wait inside one call.</summary>
    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, FetchOptions o)
    {
        if (NetworkGuard.IsBlocked(outcome.Exception) || !HttpClientResiliencePredicates.IsTransient(outcome))
        {
            return false;
        }

        var wait = PageFetcher.RetryAfter(outcome.Result?.Headers.RetryAfter);
        return wait is null || wait <= o.MaxRetryAfter;
    }
}
