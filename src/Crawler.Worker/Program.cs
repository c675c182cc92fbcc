using Crawler.Worker.Cli;
using Crawler.Worker.Hosting;

return await CrawlerCommandLine.RunAsync(args, CrawlerHost.Build);
