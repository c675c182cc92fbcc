using System.Globalization;
using System.Runtime.InteropServices;
using Crawler.FixtureSite;

var port = args.Length >= 2 && args[0] == "--port" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5080;
await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Port = port });
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
