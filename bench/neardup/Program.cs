// Near-duplicate index benchmark: N synthetic SimHash fingerprints in a real SQLite store (the crawler's own schema
// and band indexes, migrated by SqliteCrawlStore), then lookups through the store's FindNearDuplicateAsync.
// Usage: dotnet run -c Release --project bench/neardup -- [fingerprints=1000000] [lookups=20000] [folder]
using System.Diagnostics;
using System.Globalization;
using Crawler.Storage.Dedupe;
using Crawler.Storage.Sqlite;
using Microsoft.Data.Sqlite;

var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var lookups = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
var folder = args.Length > 2 ? args[2] : Directory.CreateTempSubdirectory("neardup-bench-").FullName;
var path = Path.Combine(folder, "neardup.db");
File.Delete(path);

var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = path });
await store.MigrateAsync();

var random = new Random(20261125);
var fingerprints = new ulong[count];
var insert = Stopwatch.StartNew();
await using (var connection = new SqliteConnection($"Data Source={path}"))
{
    await connection.OpenAsync();
    // bulk load in large transactions: the benchmark is about the index and the lookup, not one commit per page
    for (var start = 0; start < count; start += 50_000)
    {
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO snapshots(source, canonical_url, version, original_url, final_url, title, blocks_json, captions_json, keywords_json,
                links_json, site_name, disclaimer, takedown_notice, generated_at, content_hash, simhash, band0, band1, band2, band3)
            VALUES ('bench', $u, 1, $u, $u, 't', '[]', '[]', '[]', '[]', 's', 'd', 't', 0, $h, $f, $b0, $b1, $b2, $b3);
            """;
        var u = cmd.Parameters.Add("$u", SqliteType.Text);
        var h = cmd.Parameters.Add("$h", SqliteType.Text);
        var f = cmd.Parameters.Add("$f", SqliteType.Integer);
        var b = new[] { cmd.Parameters.Add("$b0", SqliteType.Integer), cmd.Parameters.Add("$b1", SqliteType.Integer), cmd.Parameters.Add("$b2", SqliteType.Integer), cmd.Parameters.Add("$b3", SqliteType.Integer) };
        for (var i = start; i < Math.Min(count, start + 50_000); i++)
        {
            var fingerprint = (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);
            fingerprints[i] = fingerprint;
            u.Value = $"https://bench.example/{i}";
            h.Value = i.ToString("x64", CultureInfo.InvariantCulture);
            f.Value = unchecked((long)fingerprint);
            var bands = SimHash.Bands(fingerprint);
            for (var k = 0; k < 4; k++)
            {
                b[k].Value = bands[k];
            }

            await cmd.ExecuteNonQueryAsync();
        }

        await tx.CommitAsync();
    }

    await using var analyze = connection.CreateCommand();
    analyze.CommandText = "ANALYZE;";
    await analyze.ExecuteNonQueryAsync();
}

insert.Stop();

// half the lookups are an inserted fingerprint with 1-3 bits flipped (must be found), half random (almost never near)
var found = 0;
var missed = 0;
var lookup = Stopwatch.StartNew();
for (var q = 0; q < lookups; q++)
{
    var near = q % 2 == 0;
    var target = random.Next(count);
    var probe = near ? Flip(fingerprints[target], 1 + random.Next(3), random) : (ulong)random.NextInt64();
    var hit = await store.FindNearDuplicateAsync(probe, "https://bench.example/probe");
    if (near)
    {
        if (hit is not null)
        {
            found++;
        }
        else
        {
            missed++;
        }
    }
}

lookup.Stop();
using var process = Process.GetCurrentProcess();
process.Refresh();
string plan;
await using (var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly"))
{
    await connection.OpenAsync();
    await using var explain = connection.CreateCommand();
    explain.CommandText = "EXPLAIN QUERY PLAN SELECT id FROM snapshots WHERE (band0 = 1 OR band1 = 2 OR band2 = 3 OR band3 = 4) AND canonical_url <> 'x';";
    await using var reader = await explain.ExecuteReaderAsync();
    var lines = new List<string>();
    while (await reader.ReadAsync())
    {
        lines.Add(reader.GetString(3));
    }

    plan = string.Join("; ", lines);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
    fingerprints        {count:N0}
    insert              {insert.Elapsed.TotalSeconds:0.0} s ({count / insert.Elapsed.TotalSeconds:N0} rows/s, 50k rows per transaction)
    database file       {new FileInfo(path).Length / 1048576.0:0} MiB (+ WAL {(File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length / 1048576.0 : 0):0} MiB)
    lookups             {lookups:N0} in {lookup.Elapsed.TotalSeconds:0.00} s = {lookups / lookup.Elapsed.TotalSeconds:N0} lookups/s ({lookup.Elapsed.TotalMilliseconds * 1000 / lookups:0} us each)
    near probes found   {found:N0} of {found + missed:N0} (1-3 bits flipped)
    peak working set    {process.PeakWorkingSet64 / 1048576.0:0} MiB (managed heap now {GC.GetTotalMemory(false) / 1048576.0:0} MiB, fingerprints array {count * 8 / 1048576.0:0} MiB)
    query plan          {plan}
    """));
SqliteConnection.ClearAllPools();

static ulong Flip(ulong value, int bits, Random random)
{
    var positions = new HashSet<int>();
    while (positions.Count < bits)
    {
        positions.Add(random.Next(64));
    }

    return positions.Aggregate(value, (v, p) => v ^ (1UL << p));
}
