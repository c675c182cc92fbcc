using System.Diagnostics;
using System.Globalization;

namespace Crawler.Worker.Crawling;

/// <summary>
/// Names this process as a lease owner: host/pid/start-time. The start time makes a reused pid harmless, and lets a
/// restarted worker recognise leases left by a dead process on the same host and hand them back at once instead of
/// waiting for them to expire.
/// </summary>
public sealed class WorkerIdentity
{
    public WorkerIdentity()
    {
        using var self = Process.GetCurrentProcess();
        Id = Format(Environment.MachineName, self.Id, self.StartTime);
    }

    public string Id { get; }

    public static string Format(string host, int pid, DateTime started) =>
        string.Create(CultureInfo.InvariantCulture, $"{host}/{pid}/{started.ToUniversalTime():yyyyMMddHHmmssfff}");

    /// <summary>True when <paramref name="owner"/> is a process of this host that no longer runs.</summary>
    public static bool IsDeadLocalOwner(string owner)
    {
        var parts = owner.Split('/');
        if (parts.Length != 3 || !string.Equals(parts[0], Environment.MachineName, StringComparison.Ordinal) || !int.TryParse(parts[1], out var pid))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return Format(parts[0], pid, process.StartTime) != owner;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
        catch (InvalidOperationException)
        {
            return true; // exited between lookup and read
        }
    }
}
