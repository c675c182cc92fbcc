using System.Diagnostics;
using System.Text.Json;

namespace Crawler.IntegrationTests;

/// <summary>
/// Reads a WARC file with warcio, the Webrecorder project's reader (npm), installed into a temporary folder: an
/// independent implementation, so the test checks the file against someone else's reading of the standard.
/// </summary>
internal static class WarcReader
{
    // warcio parses; the digests are recomputed here with node's own crypto over the bytes warcio hands back
    private const string Script = """
        import fs from 'node:fs';
        import crypto from 'node:crypto';
        import { WARCParser } from 'warcio';

        const base32 = (bytes) => {
          const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
          let bits = 0, value = 0, out = '';
          for (const b of bytes) { value = (value << 8) | b; bits += 8; while (bits >= 5) { out += abc[(value >>> (bits - 5)) & 31]; bits -= 5; } }
          if (bits > 0) out += abc[(value << (5 - bits)) & 31];
          return out;
        };
        const sha1 = (b) => 'sha1:' + base32(crypto.createHash('sha1').update(b).digest());

        const records = [];
        const parser = new WARCParser(fs.createReadStream(process.argv[2]), { parseHttp: false });
        for await (const r of parser) {
          const block = Buffer.from(await r.readFully());
          const split = block.indexOf('\r\n\r\n');
          const payload = r.warcType === 'response' || r.warcType === 'request' ? block.subarray(split + 4) : null;
          records.push({
            offset: parser.offset, type: r.warcType, version: r.warcHeaders.protocol, id: r.warcHeader('WARC-Record-ID'), uri: r.warcTargetURI ?? null,
            date: r.warcDate ?? null, concurrentTo: r.warcHeader('WARC-Concurrent-To') ?? null, contentType: r.warcContentType ?? null,
            refersToUri: r.warcRefersToTargetURI ?? null, refersTo: r.warcHeader('WARC-Refers-To') ?? null, profile: r.warcHeader('WARC-Profile') ?? null,
            blockDigest: r.warcBlockDigest ?? null, blockDigestComputed: sha1(block),
            payloadDigest: r.warcPayloadDigest ?? null, payloadDigestComputed: payload ? sha1(payload) : null,
            payload: payload && r.warcType === 'response' ? payload.toString('base64') : null,
          });
        }
        let i = 0;
        for await (const r of new WARCParser(fs.createReadStream(process.argv[2]), { parseHttp: true })) {
          records[i].httpStatus = r.httpHeaders?.statusCode ?? null;
          records[i].httpMethod = r.httpHeaders?.method ?? null;
          await r.readFully();
          i++;
        }
        console.log(JSON.stringify(records));
        """;

    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static string? _folder;

    public static async Task<List<JsonElement>> ReadAsync(string warcPath)
    {
        var folder = await InstallAsync();
        var (exit, stdout, stderr) = await RunAsync("node", folder, Path.Combine(folder, "read.mjs"), warcPath);
        Assert.True(exit == 0, $"warcio could not read {warcPath}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
    }

    private static async Task<string> InstallAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (_folder is not null)
            {
                return _folder;
            }

            var folder = Directory.CreateTempSubdirectory("crawler-warcio-").FullName;
            await File.WriteAllTextAsync(Path.Combine(folder, "package.json"), """{ "name": "warc-check", "private": true, "type": "module" }""");
            var (exit, _, stderr) = await RunAsync("npm", folder, "install", "warcio@2", "--no-audit", "--no-fund", "--loglevel=error");
            Assert.True(exit == 0, $"npm install warcio failed (node and npm are needed: apt-get install nodejs npm): {stderr}");
            await File.WriteAllTextAsync(Path.Combine(folder, "read.mjs"), Script);
            return _folder = folder;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string program, string folder, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
