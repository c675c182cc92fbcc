using System.Diagnostics;
using System.Text;

namespace Crawler.IntegrationTests;

/// <summary>The real worker executable, started as a child process the way an operator or systemd starts it.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private WorkerProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Whether the test killed it with SIGKILL (so its exit code means nothing).</summary>
    public bool Killed { get; private set; }

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>src/Crawler.Worker's build output for the configuration these tests were built in.</summary>
    public static string WorkerDll
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            var configuration = dir.Parent!.Name; // bin/<Configuration>/net10.0/
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Crawler.sln")))
            {
                dir = dir.Parent;
            }

            var dll = Path.Combine(dir!.FullName, "src", "Crawler.Worker", "bin", configuration, "net10.0", "crawler.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the worker first: {dll} is missing.", dll);
        }
    }

    /// <summary>
    /// A published worker to test instead of the build output: <c>CRAWLER_WORKER_EXECUTABLE</c> names it (CI points
    /// it at the natively compiled binary that systemd and the benchmark run, so the whole suite runs against that).
    /// </summary>
    public static string? PublishedExecutable =>
        Environment.GetEnvironmentVariable("CRAWLER_WORKER_EXECUTABLE") is { Length: > 0 } path
            ? File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException($"CRAWLER_WORKER_EXECUTABLE names {path}, which does not exist.", path)
            : null;

    /// <param name="args">The worker's command line.</param>
    /// <param name="environment">Variables set for the worker besides this process's.</param>
    /// <param name="interruptible">
    /// Started with SIGINT at its default disposition, as a terminal's foreground job is. A process started in the
    /// background by a shell (`cmd &amp;` in a script, as a CI runner may start the tests) inherits SIGINT ignored,
    /// and .NET then never reports it to the worker's handler, so a Ctrl-C test would test nothing.
    /// </param>
    public static WorkerProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null, bool interruptible = false)
    {
        var published = PublishedExecutable;
        // env execs the worker in its own place: the process id stays the worker's
        var info = new ProcessStartInfo(interruptible ? "/usr/bin/env" : published ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (interruptible)
        {
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add(published ?? "dotnet");
        }

        if (published is null)
        {
            info.ArgumentList.Add(WorkerDll);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => Append(worker._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(worker._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        using var worker = Start(args, environment);
        var exit = await worker.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(2));
        return (exit, worker.StandardOutput, worker.StandardError);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"worker did not exit within {timeout}; stderr:\n{StandardError}");
        }

        _process.WaitForExit(); // flush the redirected streams
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no handler runs, nothing is flushed; the crash a store must survive.</summary>
    public void KillHard()
    {
        Killed = true;
        _process.Kill(entireProcessTree: true);
    }

    /// <summary>SIGINT, as Ctrl-C in a terminal sends it.</summary>
    public void Interrupt() => Signal("-INT");

    /// <summary>SIGTERM, as systemd and docker stop send it.</summary>
    public void Terminate() => Signal("-TERM");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder sink, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (sink)
        {
            sink.AppendLine(line);
        }
    }
}
