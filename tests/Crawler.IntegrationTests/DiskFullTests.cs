using System.Diagnostics;
using System.Text.Json;
using Crawler.FixtureSite;
using Microsoft.Data.Sqlite;

namespace Crawler.IntegrationTests;

/// <summary>
/// The store on a real, tiny filesystem (tmpfs) that fills up mid-crawl: the worker stops with a clear error and
/// loses nothing; with room again, the next start finishes the crawl with every article stored exactly once.
/// Needs root to mount tmpfs (as on CI); elsewhere it says so and does nothing.
/// </summary>
public sealed class DiskFullTests : IAsyncLifetime
{
    private readonly string _mount = Directory.CreateTempSubdirectory("crawler-full-").FullName;
    private bool _mounted;
    private NewsSite _site = null!;

    public async Task InitializeAsync()
    {
        _site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 0, SlowArticles = 120, SlowDelay = TimeSpan.Zero });
        _mounted = Run("mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", _mount) == 0;
    }

    public async Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (_mounted)
        {
            Run("umount", _mount);
        }

        Directory.Delete(_mount, recursive: true);
        await _site.DisposeAsync();
    }

    [Fact]
    public async Task A_full_disk_stops_the_crawl_with_a_clear_error_and_the_next_start_loses_nothing()
    {
        if (!_mounted)
        {
            Console.WriteLine("skipped: cannot mount tmpfs here (needs root)");
            return;
        }

        var db = Path.Combine(_mount, "crawler.db");
        var config = Path.Combine(Path.GetTempPath(), $"crawler-full-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            Storage = new { Sqlite = new { Path = db } },
            Crawler = new
            {
                Fetch = new { AllowPrivateNetworks = true, PerHostDelay = "00:00:00", MaxConcurrency = 4, PerHostConcurrency = 4 },
                Sources = new[] { new { Name = "fixture", Seeds = new[] { new Uri(_site.BaseUrl, "news/list/2").AbsoluteUri }, Include = "/news/slow/", Schedule = "0 0 * * * ?", MaxPages = 500 } },
            },
        }));
        try
        {
            var full = await WorkerProcess.RunAsync(["--crawl-now", "--config", config]);

            Assert.Equal(1, full.ExitCode);
            Assert.Contains("database or disk is full", full.Stdout + full.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", full.Stderr, StringComparison.Ordinal);
            var storedBefore = Count(db, "SELECT COUNT(*) FROM snapshots");
            Assert.InRange(storedBefore, 0, 119);

            Assert.Equal(0, Run("mount", "-o", "remount,size=64m", _mount));
            var again = await WorkerProcess.RunAsync(["--crawl-now", "--config", config]);

            Assert.True(again.ExitCode == 0, again.Stderr);
            Assert.Equal(120L, Count(db, "SELECT COUNT(*) FROM snapshots"));
            Assert.Equal(120L, Count(db, "SELECT COUNT(DISTINCT canonical_url) FROM snapshots"));
            Assert.Equal("ok", Text(db, "PRAGMA integrity_check"));
        }
        finally
        {
            File.Delete(config);
        }
    }

    private static long Count(string db, string sql) => Convert.ToInt64(Text(db, sql), System.Globalization.CultureInfo.InvariantCulture);

    private static string Text(string db, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    private static int Run(string command, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
