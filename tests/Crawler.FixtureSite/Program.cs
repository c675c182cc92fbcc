using System.Globalization;
using Crawler.FixtureSite;

var port = args.Length >= 2 && args[0] == "--port" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5080;
await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Port = port });
Console.WriteLine($"Fixture news site on {site.BaseUrl} (Ctrl-C to stop). Seed: {site.BaseUrl}news/list/1");
var done = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
await done.Task;
