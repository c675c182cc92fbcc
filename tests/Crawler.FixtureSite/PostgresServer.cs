using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Crawler.FixtureSite;

/// <summary>
/// A real PostgreSQL server for the tests: a throw-away cluster made with the installed server binaries (Debian's
/// <c>postgresql</c> package) in a temporary folder, listening on 127.0.0.1 on a free port, stopped when the test
/// process exits. <c>CRAWLER_TEST_POSTGRES</c> (a connection string with the right to create databases) uses an
/// existing server instead.
/// </summary>
public sealed class PostgresServer
{
    public const string ConnectionStringVariable = "CRAWLER_TEST_POSTGRES";

    /// <summary>Set (as <c>.ci/run</c> does) to make a missing server a failure instead of a skip.</summary>
    public const string RequireVariable = "CRAWLER_REQUIRE_POSTGRES";

    private static readonly Lazy<PostgresServer?> Instance = new(StartShared, LazyThreadSafetyMode.ExecutionAndPublication);
    private static string? _unavailableBecause;
    private int _databases;

    private PostgresServer(string adminConnectionString)
    {
        AdminConnectionString = adminConnectionString;
    }

    /// <summary>Connection string of the server's maintenance database, as a superuser.</summary>
    public string AdminConnectionString { get; }

    /// <summary>The shared server, or null (with <see cref="UnavailableBecause"/>) when none can be started here.</summary>
    public static PostgresServer? Shared => Instance.Value;

    public static string? UnavailableBecause => Instance.Value is null ? _unavailableBecause : null;

    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) is { Length: > 0 } v && v != "0";

    /// <summary>A new empty database; returns its connection string.</summary>
    public string CreateDatabase(string prefix)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}").ToLowerInvariant();
        name = name[..Math.Min(name.Length, 60)];
        Psql(AdminConnectionString, $"CREATE DATABASE {name};");
        return WithDatabase(AdminConnectionString, name);
    }

    public void DropDatabase(string connectionString)
    {
        var name = ConnectionValue(connectionString, "Database");
        Psql(AdminConnectionString, $"DROP DATABASE IF EXISTS {name} WITH (FORCE);");
    }

    /// <summary>Runs SQL through psql and returns its unaligned output (so test checks do not depend on the code under test).</summary>
    public static string Psql(string connectionString, string sql)
    {
        var info = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", ConnectionValue(connectionString, "Host"), "-p", ConnectionValue(connectionString, "Port"),
                     "-U", ConnectionValue(connectionString, "Username"), "-d", ConnectionValue(connectionString, "Database"), "-c", sql })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output.Result.Trim() : throw new InvalidOperationException($"psql failed ({process.ExitCode}): {error}");
    }

    private static PostgresServer? StartShared()
    {
        if (Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } external)
        {
            return new PostgresServer(external);
        }

        var bin = FindServerBinaries();
        if (bin is null)
        {
            _unavailableBecause = "no PostgreSQL server binaries (install Debian's postgresql package, or set CRAWLER_TEST_POSTGRES)";
            return Required ? throw new InvalidOperationException(_unavailableBecause) : null;
        }

        RemoveStoppedServers();
        var folder = Directory.CreateTempSubdirectory("crawler-pg-").FullName;
        var data = Path.Combine(folder, "data");
        // PostgreSQL refuses to run as root: as root, the cluster belongs to the package's postgres account
        var asUser = Environment.UserName == "root" ? "postgres" : null;
        if (asUser is not null)
        {
            Run("chown", null, "-R", $"{asUser}:", folder);
        }

        var port = FreePort();
        Run(Path.Combine(bin, "initdb"), asUser, "-D", data, "-U", "crawler", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync");
        Run(Path.Combine(bin, "pg_ctl"), asUser, "-D", data, "-w", "-t", "60", "-l", Path.Combine(folder, "server.log"), "-o",
            $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", "start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Run(Path.Combine(bin, "pg_ctl"), asUser, "-D", data, "-m", "immediate", "stop");
            }
            catch (InvalidOperationException)
            {
                // already stopped: the folder still goes
            }

            // the server's last files (its socket, the pid file) may vanish while the folder is walked
            for (var attempt = 0; attempt < 5 && Directory.Exists(folder); attempt++)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Thread.Sleep(100);
                }
            }
        };
        return new PostgresServer($"Host=127.0.0.1;Port={port};Username=crawler;Database=postgres;Pooling=true;Include Error Detail=true");
    }

    /// <summary>
    /// The exit handler does not always finish (the test platform may end the test host first), so folders of
    /// servers that are no longer running are removed here; a folder whose server runs belongs to another test run.
    /// </summary>
    private static void RemoveStoppedServers()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), "crawler-pg-*"))
        {
            var pidFile = Path.Combine(folder, "data", "postmaster.pid");
            try
            {
                if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) && Directory.Exists($"/proc/{pid}"))
                {
                    continue;
                }

                // a folder created a moment ago may be another run's server still being set up
                if (Directory.GetCreationTimeUtc(folder) > DateTime.UtcNow.AddMinutes(-10))
                {
                    continue;
                }

                Directory.Delete(folder, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // not ours to remove, or already going
            }
        }
    }

    private static string? FindServerBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
            .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string file, string? asUser, params string[] args)
    {
        var info = new ProcessStartInfo(asUser is null ? file : "runuser") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asUser is not null)
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add(asUser);
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(file);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {error}{output.Result}");
        }
    }

    private static string ConnectionValue(string connectionString, string key) =>
        connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2 && p[0].Trim().Equals(key, StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim())
            .FirstOrDefault() ?? throw new ArgumentException($"The connection string has no {key}.", nameof(connectionString));

    private static string WithDatabase(string connectionString, string database) =>
        string.Join(';', connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)[0].Trim().Equals("Database", StringComparison.OrdinalIgnoreCase) ? $"Database={database}" : p));
}
