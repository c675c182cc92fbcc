using System.Collections.Specialized;
using System.Text.Json;
using System.Text.Json.Serialization;
using Quartz;
using Quartz.Spi;

namespace Crawler.Worker.Scheduling;

/// <summary>
/// How Quartz's job store keeps job data in PostgreSQL: as a JSON object of strings. The crawler's jobs carry only
/// strings (the source name) and the store runs with <c>UseProperties</c>, so nothing else ever needs serializing;
/// anything else is refused loudly rather than stored in a form a later version cannot read.
/// </summary>
public sealed class StringMapSerializer : IObjectSerializer
{
    public void Initialize()
    {
    }

    public byte[] Serialize<T>(T obj)
        where T : class
    {
        var map = obj switch
        {
            NameValueCollection properties => properties.AllKeys.OfType<string>().ToDictionary(k => k, k => (string?)properties[k]),
            JobDataMap data => data.ToDictionary(e => e.Key, e => (string?)(e.Value as string ?? throw Unsupported(e.Value?.GetType()))),
            _ => throw Unsupported(obj.GetType()),
        };
        return JsonSerializer.SerializeToUtf8Bytes(map, StringMapJson.Default.DictionaryStringString);
    }

    public T? DeSerialize<T>(byte[] data)
        where T : class
    {
        var map = JsonSerializer.Deserialize(data, StringMapJson.Default.DictionaryStringString) ?? [];
        if (typeof(T) == typeof(NameValueCollection))
        {
            var properties = new NameValueCollection();
            foreach (var (key, value) in map)
            {
                properties[key] = value;
            }

            return (T)(object)properties;
        }

        if (typeof(T) == typeof(JobDataMap) || typeof(T).IsAssignableFrom(typeof(JobDataMap)))
        {
            var jobData = new JobDataMap();
            foreach (var (key, value) in map)
            {
                jobData[key] = value!;
            }

            return (T)(object)jobData;
        }

        throw Unsupported(typeof(T));
    }

    private static NotSupportedException Unsupported(Type? type) =>
        new($"The crawler's Quartz job store keeps only string job data; {type?.FullName ?? "null"} cannot be stored.");
}

/// <summary>Generated (de)serialization of the job data map, with the serializer's default options.</summary>
[JsonSerializable(typeof(Dictionary<string, string?>))]
internal sealed partial class StringMapJson : JsonSerializerContext;
