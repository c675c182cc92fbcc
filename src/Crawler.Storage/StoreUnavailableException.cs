namespace Crawler.Storage;

/// <summary>
/// The store cannot take writes (disk full, read-only, locked beyond the timeout). Crawling must stop rather than
/// keep fetching pages it cannot keep; nothing is half-written because every write is one transaction.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
