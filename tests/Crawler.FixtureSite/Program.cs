using System.Globalization;
using System.Runtime.InteropServices;
using Crawler.FixtureSite;

// --port N (default 5080), --listen ADDRESS (default 127.0.0.1), --articles N (default 8),
// --slow N: N articles at /news/slow/ (linked from /news/list/2) taking 200 ms each
var port = IntArg("--port") ?? 5080;
var slow = IntArg("--slow") ?? 0;
var listen = Array.IndexOf(args, "--listen") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : "127.0.0.1";
await using var site = await NewsSite.StartAsync(new NewsSiteOptions
{
    Port = port,
    ListenAddress = listen,
    Articles = IntArg("--articles") ?? 8,
    SlowArticles = slow,
    SlowDelay = TimeSpan.FromMilliseconds(200),
});
Console.WriteLine($"Fixture news site on {site.BaseUrl} (Ctrl-C or SIGTERM to stop). Seed: {site.Seed}");
var done = new TaskCompletionSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
await done.Task;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    done.TrySetResult();
}

int? IntArg(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : null;
}
