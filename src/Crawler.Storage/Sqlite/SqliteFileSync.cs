using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// Syncs a connection's database file through SQLite's own file handle, which Microsoft.Data.Sqlite does not reach. A
/// handle of our own would flush the same file (an fsync is of the file, not of the descriptor), but closing it would
/// drop every POSIX lock this process holds on the file, SQLite's included, and so let another process delete a WAL
/// that is still in use.
/// </summary>
internal static unsafe partial class SqliteFileSync
{
    private const int FileControlFilePointer = 7; // SQLITE_FCNTL_FILE_POINTER
    private const int SyncNormal = 2; // SQLITE_SYNC_NORMAL

    /// <summary>The start of sqlite3.h's <c>sqlite3_io_methods</c>, which is public and only grows at its end.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct IoMethods
    {
        public int Version;
        public IntPtr Close;
        public IntPtr Read;
        public IntPtr Write;
        public IntPtr Truncate;
        public delegate* unmanaged<IntPtr, int, int> Sync;
    }

    // the library Microsoft.Data.Sqlite's bundle loads; the loader hands back the same one
    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_file_control")]
    private static partial int FileControl(IntPtr db, byte* schema, int op, void* arg);

    /// <summary>Flushes the main database file of an open connection to disk; the connection must not be in use meanwhile.</summary>
    public static void SyncDatabaseFile(SqliteConnection connection)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        IntPtr file = 0;
        int rc;
        fixed (byte* main = "main\0"u8)
        {
            rc = FileControl(db.DangerousGetHandle(), main, FileControlFilePointer, &file);
        }

        if (rc != 0 || file == 0)
        {
            throw new SqliteException($"SQLite gave no file handle for {connection.DataSource} (error {rc}).", rc);
        }

        // sqlite3.h: a sqlite3_file begins with its methods
        var methods = *(IoMethods**)file;
        rc = methods->Sync(file, SyncNormal);
        if (rc != 0)
        {
            throw new SqliteException($"Syncing {connection.DataSource} to disk failed (SQLite error {rc}).", rc);
        }
    }
}
